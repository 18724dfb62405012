/* `caisson verify`: the evidence that a profile's workers are isolated
 * (SPEC section 6, FedRAMP SC-39). vf_collect (verify_collect.c) builds a
 * vf_report from live workers: attestation read from outside them (/proc in
 * verify_attest.c, the loaded BPF in verify_bpf.c) and containment probes
 * run inside them (verify_probes.c, worker/probes). The writers turn one
 * report into text (verify.c), JSON or an OSCAL assessment-results document
 * (verify_json.c, verify_oscal.c). Runs in the supervisor. Every string in a
 * report is NUL-terminated and bounded by its array; attestation strings
 * and probe "how" are one line of printable ASCII (vf_line), exception
 * texts are UTF-8 from the profile. Writers escape them all. */
#ifndef CAISSON_VERIFY_H
#define CAISSON_VERIFY_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One attestation item: what the profile demands against what /proc (or the
 * kernel) shows for a live worker. evidence indexes vf_report.blobs. */
struct vf_attest {
	char item[64];        /* "Seccomp", "CapEff", "ns/net", "RLIMIT_AS", ... */
	char expected[160];
	char observed[160];
	char source[96];      /* "/proc/PID/status", "seccomp_export_bpf", ... */
	bool ok;
	/* false: this run could not check the item (e.g. the loaded filter is
	 * unreadable without CAP_SYS_ADMIN); observed says why, ok is false,
	 * and the report does not pass. Writers show it as unverified. */
	bool verified;
	int evidence;         /* blob index, -1 if none */
};

enum vf_verdict {
	VF_CONTAINED,   /* blocked (errno), killed (VIOLATION) or limited */
	VF_ESCAPED,     /* the attempt succeeded */
	VF_UNSUPPORTED, /* cannot run on this kernel: never counted as passed */
	VF_ERROR,       /* the probe itself misbehaved; counted as not contained */
};

struct vf_probe {
	char name[48];        /* "open-etc-passwd", "socket-inet", ... */
	char category[32];    /* "files", "network", "exec", "ipc", ... */
	char attempt[160];    /* what it tries, one line */
	enum vf_verdict verdict;
	char how[256];        /* "VIOLATION openat(...)", "EPERM", "MEMORY_LIMIT ..." */
	/* Contained: the layer that stopped it ("seccomp", "namespace",
	 * "userns-limit", "keyring", "landlock", "capabilities", "rlimit",
	 * "memory-limit", "empty-root", "lockdown", "supervisor", "kernel");
	 * "" otherwise. */
	char layer[24];
	char status[24];      /* the worker's cs_status name for this probe */
	uint64_t duration_us;
};

/* An approved [exception] of the profile, as the register shows it. */
struct vf_exception {
	char relaxes[288];    /* what it allows: "syscall socket", "syscall socket(AF_UNIX)" (profile_exception.relaxes) */
	char reason[256];
	char approver[128];
	char expires[11];     /* YYYY-MM-DD */
	int days_left;
};

/* Raw evidence: the exact bytes an attestation item was read from. */
struct vf_blob {
	char title[96];       /* "/proc/1234/status of worker 1" */
	char media_type[48];  /* "text/plain", "application/octet-stream" */
	uint8_t *data;
	size_t len;
	uint8_t sha256[32];
};

struct vf_report {
	char profile_path[1024];
	char profile_name[64];
	uint8_t profile_sha256[32]; /* of the profile file's bytes */
	uint8_t bpf_sha256[32];     /* of the BPF program as loaded */
	char caisson_version[32];
	char kernel[160];           /* uname -srvm */
	char host[64];
	char started[32], finished[32]; /* RFC 3339 UTC, e.g. 2026-11-22T14:03:36Z */
	struct vf_attest *attest;
	size_t nattest;
	struct vf_probe *probes;
	size_t nprobes;
	struct vf_exception *exceptions;
	size_t nexceptions;
	struct vf_blob *blobs;
	size_t nblobs;
};

/* What vf_collect verifies: a profile (path), with the probe plugin
 * (caisson-probes.so); progress lines go to stderr when set. */
struct vf_options {
	const char *profile;
	const char *plugin;
	bool progress;
	struct event_base *base; /* the caller's loop (its signal events stay live), or NULL: a private one */
};

/* Loads and checks the profile, attests a live worker of it and runs every
 * probe in fresh workers; fills *r (free with vf_report_free) whatever the
 * outcome. 0 when the run completed (vf_report_passed says how it went);
 * -1 with a one-line message in err when nothing could run: the profile
 * is refused ("FILE:LINE: ...") or no worker could be started. */
int vf_collect(const struct vf_options *o, struct vf_report *r, char *err, size_t errlen);

/* True when every attestation item matches and every probe is contained. */
bool vf_report_passed(const struct vf_report *r);
void vf_report_free(struct vf_report *r);

/* Writers: 0, or -1 with errno (write errors). */
int vf_write_text(const struct vf_report *r, FILE *f);
int vf_write_json(const struct vf_report *r, FILE *f);
int vf_write_oscal(const struct vf_report *r, FILE *f);

#endif
