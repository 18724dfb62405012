/* The JSON and OSCAL writers of a vf_report (verify_json.c, verify_oscal.c)
 * on synthetic reports: one that passes, one that fails (escaped network
 * probes, an unsupported probe, a mismatched item, an approved exception),
 * and one with hostile bytes in every field. Writes OUTDIR/{pass,fail,
 * hostile}.{json,oscal.json} for tests/verify_writers_check.js and
 * tests/oscal_validate.sh, and checks write errors here. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"
#include "policy/sha256.h"
#include "evidence/verify.h"

/* A NUL-terminated copy, cut to fit the field (hostile values are cut). */
static void set(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}
#define SET(field, value) set((field), sizeof(field), (value))

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static void add_blob(struct vf_report *r, const char *title, const char *type,
		     const void *data, size_t len)
{
	struct vf_blob *b = &r->blobs[r->nblobs++];

	SET(b->title, title);
	SET(b->media_type, type);
	b->data = xcalloc(len, 1);
	memcpy(b->data, data, len);
	b->len = len;
	sha256(data, len, b->sha256);
}

static void add_attest(struct vf_report *r, const char *item, const char *expected,
		       const char *observed, bool ok, int evidence)
{
	struct vf_attest *a = &r->attest[r->nattest++];

	SET(a->item, item);
	SET(a->expected, expected);
	SET(a->observed, observed);
	SET(a->source, "/proc/4242/status");
	a->ok = ok;
	a->verified = true;
	a->evidence = evidence;
}

static void add_probe(struct vf_report *r, const char *name, const char *category,
		      enum vf_verdict v, const char *how)
{
	struct vf_probe *p = &r->probes[r->nprobes++];

	SET(p->name, name);
	SET(p->category, category);
	snprintf(p->attempt, sizeof(p->attempt), "try %s", name);
	p->verdict = v;
	SET(p->how, how);
	SET(p->status, v == VF_CONTAINED ? "VIOLATION" : "OK");
	p->duration_us = 1234;
}

static void report_init(struct vf_report *r, const char *name)
{
	static const char status[] = "Name:\techo\nSeccomp:\t2\nNoNewPrivs:\t1\nCapEff:\t0000000000000000\n";

	memset(r, 0, sizeof(*r));
	SET(r->profile_path, "/etc/caisson/profiles/default.ini");
	SET(r->profile_name, name);
	sha256("profile", 7, r->profile_sha256);
	sha256("bpf", 3, r->bpf_sha256);
	SET(r->caisson_version, "0.1.0");
	SET(r->kernel, "Linux 6.8.0 #1 SMP x86_64");
	SET(r->host, "build-1");
	SET(r->started, "2026-11-22T14:03:36Z");
	SET(r->finished, "2026-11-22T14:03:39Z");
	r->attest = xcalloc(8, sizeof(*r->attest));
	r->probes = xcalloc(8, sizeof(*r->probes));
	r->exceptions = xcalloc(4, sizeof(*r->exceptions));
	r->blobs = xcalloc(4, sizeof(*r->blobs));
	add_blob(r, "/proc/4242/status of worker 1", "text/plain", status, sizeof(status) - 1);
	add_attest(r, "Seccomp", "2", "2", true, 0);
	add_attest(r, "NoNewPrivs", "1", "1", true, 0);
	add_attest(r, "ns/net", "differs from the supervisor's", "net:[4026532711]", true, -1);
	add_probe(r, "open-etc-passwd", "files", VF_CONTAINED, "VIOLATION openat");
	add_probe(r, "ptrace-parent", "ptrace", VF_CONTAINED, "EPERM");
}

static void report_fail(struct vf_report *r)
{
	struct vf_exception *e;

	report_init(r, "netclient");
	e = &r->exceptions[r->nexceptions++];
	add_attest(r, "CapEff", "0000000000000000", "0000000000003000", false, 0);
	add_attest(r, "seccomp filter", "sha256 of the profile's run filter",
		   "unreadable without CAP_SYS_ADMIN", false, -1);
	r->attest[r->nattest - 1].verified = false;
	add_probe(r, "socket-inet", "network", VF_ESCAPED, "socket() returned 3");
	add_probe(r, "connect-loopback", "network", VF_ESCAPED, "connected to 127.0.0.1:22");
	add_probe(r, "io_uring-setup", "io_uring", VF_UNSUPPORTED, "kernel without io_uring");
	SET(e->relaxes, "syscall socket");
	SET(e->reason, "fetches thumbnails from the CDN");
	SET(e->approver, "J. Doe (security)");
	SET(e->expires, "2027-03-31");
	e->days_left = 120;
}

/* Every field hostile: quotes, newlines, invalid UTF-8, controls, edge
 * white space, U+2028, and one array filled to the end without a NUL. */
static void report_hostile(struct vf_report *r)
{
	static const char evil[] = " \"q\"\\ \n\r\t\x01\x1f\x7f \xff\xfe\xc0\xaf\xed\xa0\x80 "
				   "\xe2\x80\xa8\xc2\xa0</script>{\"a\":1}\xe2\x82 ";
	struct vf_exception *e;

	report_init(r, evil);
	SET(r->profile_path, evil);
	SET(r->caisson_version, "\n\t ");
	SET(r->kernel, evil);
	SET(r->host, evil);
	SET(r->started, "2026-02-30T00:00:00Z\n");
	SET(r->finished, evil);
	memset(r->profile_sha256, 0xff, sizeof(r->profile_sha256));
	add_attest(r, evil, evil, evil, false, 99);
	add_attest(r, "", "", "", true, -7);
	add_probe(r, evil, evil, (enum vf_verdict)42, evil);
	add_probe(r, "", "", VF_ERROR, "");
	memset(r->probes[r->nprobes - 1].how, 'A', sizeof(r->probes[0].how));
	SET(r->probes[r->nprobes - 1].status, evil);
	add_blob(r, evil, evil, evil, sizeof(evil));
	add_blob(r, "", "text/", "", 0);
	memset(r->blobs[r->nblobs - 1].media_type, 't', sizeof(r->blobs[0].media_type));
	add_attest(r, evil, "", evil, true, 2);
	e = &r->exceptions[r->nexceptions++];
	SET(e->relaxes, evil);
	SET(e->reason, evil);
	SET(e->approver, evil);
	SET(e->expires, "2027-02-30");
	e->days_left = -3;
	/* Unterminated, where the writers parse: a date and a time. */
	e = &r->exceptions[r->nexceptions++];
	SET(e->relaxes, "syscall ptrace");
	memset(e->expires, '9', sizeof(e->expires));
	e->days_left = 5;
	memset(r->finished, '2', sizeof(r->finished));
}

typedef int (*writer)(const struct vf_report *, FILE *);

static void write_file(const char *dir, const char *name, writer w, const struct vf_report *r)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(w(r, f), 0);
	CHECK_INT(fclose(f), 0);
}

/* A full disk is reported, not a truncated document passed off as written. */
static void check_write_error(writer w, const struct vf_report *r)
{
	FILE *f = fopen("/dev/full", "w");

	CHECK(f != NULL);
	if (!f)
		return;
	errno = 0;
	CHECK_INT(w(r, f), -1);
	CHECK_INT(errno, ENOSPC);
	fclose(f);
}

/* A list too long for one document is refused before anything is written. */
static void check_too_many(void)
{
	struct vf_report r;
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	CHECK(f != NULL);
	if (!f)
		return;
	memset(&r, 0, sizeof(r));
	r.nprobes = ((size_t)1 << 16) + 1;
	errno = 0;
	CHECK_INT(vf_write_oscal(&r, f), -1);
	CHECK_INT(errno, EOVERFLOW);
	fclose(f);
	CHECK_INT(n, 0);
	free(p);
}

static void write_both(const char *dir, const char *base, struct vf_report *r)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.json", base);
	write_file(dir, name, vf_write_json, r);
	snprintf(name, sizeof(name), "%s.oscal.json", base);
	write_file(dir, name, vf_write_oscal, r);
	check_write_error(vf_write_json, r);
	check_write_error(vf_write_oscal, r);
	vf_report_free(r);
}

int main(int argc, char **argv)
{
	struct vf_report r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	if (mkdir(argv[1], 0755) < 0 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	report_init(&r, "default");
	CHECK(vf_report_passed(&r));
	write_both(argv[1], "pass", &r);
	report_fail(&r);
	CHECK(!vf_report_passed(&r));
	write_both(argv[1], "fail", &r);
	report_hostile(&r);
	write_both(argv[1], "hostile", &r);
	check_too_many();
	return check_done("test_verify_writers");
}
