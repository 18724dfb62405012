/* Internals of `caisson verify` shared by verify.c (report, text writer),
 * verify_collect.c (the run), verify_attest.c (reading a live worker from
 * outside) and verify_probes.c (the containment battery). Runs in the
 * supervisor, with the invoking user's privileges. */
#ifndef CAISSON_VERIFY_INT_H
#define CAISSON_VERIFY_INT_H

#include <event2/event.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "broker/pool.h"
#include "verify.h"

struct profile;
struct policy;

/* One collection in progress. */
struct vf_run {
	struct vf_report *r;
	struct event_base *base;
	const struct profile *prof;
	const struct policy *pol;
	const struct wk_config *cfg;
	const struct wk_config *worker_cfg; /* as the attested worker's pool sent it */
	struct pool_limits lim;
	char plugin[PATH_MAX];
	char memory_enforcement[384]; /* pool_stats of the attested worker's pool */
	pid_t peer;                   /* the attested worker, alive while probes run */
	bool progress, oom;
	bool landlock; /* workers run under a Landlock ruleset */
};

/* Copies src into dst (cap bytes) as one line of printable ASCII: runs of
 * whitespace and control bytes become one space, trailing ones go, other
 * bytes outside ASCII become '?'. Every attestation string and every probe
 * "how" goes through it. */
void vf_line(char *dst, size_t cap, const char *src);

/* Append to the report; the index, or -1 (and v->oom) when out of memory.
 * Strings are truncated to their fields. */
int vf_add_attest(struct vf_run *v, const char *item, const char *expected, const char *observed,
		  const char *source, bool ok, int evidence);
/* The same for an item this run could not check (ok false, verified false). */
int vf_add_unverified(struct vf_run *v, const char *item, const char *expected, const char *why,
		      const char *source, int evidence);
int vf_add_blob(struct vf_run *v, const char *title, const char *media_type, const void *data, size_t len);
/* Reads a whole /proc or /sys file (at most max bytes) into a blob; the
 * blob index, or -1 with errno. */
int vf_blob_file(struct vf_run *v, const char *path, const char *title, size_t max);
/* Blob idx as a NUL-terminated copy to free, or NULL (idx < 0: errno as
 * vf_blob_file left it; out of memory: v->oom). */
char *vf_blob_text(struct vf_run *v, int idx);

#define VF_PROC_MAX (64u * 1024) /* the most read from one /proc file */

/* Attests the live, idle, sealed worker pid (verify_attest.c). */
void vf_attest(struct vf_run *v, pid_t pid);
/* A capability set's value from /proc/PID/status (16 hex digits), in
 * place in got (of size len): when not empty, followed by the names libcap
 * gives its bits ("0000000000200000 cap_sys_admin"), truncated with "..."
 * when they do not fit. True only for a well-formed, empty set. */
bool vf_caps_named(char *got, size_t len);
/* The real host uid of a live (not zombie) process; false if gone. */
bool vf_proc_uid(pid_t pid, unsigned long *uid);
/* Its memory cgroup and descriptors (verify_attest_fs.c). */
void vf_attest_cgroup(struct vf_run *v, pid_t pid);
void vf_attest_fds(struct vf_run *v, pid_t pid);
/* Its mount table and root: the root tmpfs, exactly the declared data and
 * scratch mounts, each with its options (verify_attest_mounts.c). */
void vf_attest_mounts(struct vf_run *v, pid_t pid);
/* Layers beneath the filter (verify_attest_layers.c): the nested user
 * namespace limit of a live worker; the Landlock ruleset every worker
 * applies (-1 when out of memory). */
void vf_attest_userns_limit(struct vf_run *v, pid_t pid);
int vf_attest_landlock(struct vf_run *v);
/* The loaded filter, read with ptrace (verify_bpf.c); needs root. */
void vf_attest_bpf(struct vf_run *v, pid_t pid);
/* Runs every probe in fresh workers and appends the verdicts (verify_probes.c);
 * -1 with err when the probe pool cannot start. */
int vf_probes(struct vf_run *v, char *err, size_t errlen);

/* The probes' view of [filesystem] (verify_probes_fs.c): the request's
 * "scratch=N [dataents=N data=PATH dataw=PATH] " parameters (snprintf's
 * return), and, after the battery, the data-readable item from the
 * data-write probe's answer (none without data). */
int vf_fs_params(const struct wk_config *c, char *buf, size_t len);
void vf_data_readable(struct vf_run *v);

/* The verdict on one probe from how its request ended (pure; kind is
 * PROBE_PLAIN or PROBE_BOUNDED): the supervisor's own status first, then
 * the worker's last output line, parsed as hostile input; then the layer
 * that contained it (vf_layer). */
void vf_judge(struct vf_probe *p, int kind, const struct pool_result *res, bool landlock);

/* The layer that contained p (verdict set, status its request's end), or
 * "" when not contained (verify_layer.c, pure). landlock: the workers run
 * under a Landlock ruleset, so a refused path access is its doing. */
const char *vf_layer(const struct vf_probe *p, int status, bool landlock);

/* Progress on stderr, only when the caller asked (stderr is a terminal). */
void vf_progress(const struct vf_run *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
