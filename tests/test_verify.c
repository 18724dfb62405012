/* Unit test of `caisson verify`'s pure parts: the probe verdict from a
 * request's end (the worker's answer is hostile input: boundaries, garbage,
 * control bytes, several lines), the pass rule (an unverified item or an
 * unsupported probe never passes), the report's string sanitising and the
 * text writer's verdict line. No worker, no kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "probes.h"
#include "evidence/verify_int.h"

static struct vf_probe judge(int kind, enum cs_status st, const char *detail, const void *out, size_t len)
{
	struct pool_result res = { .status = st, .detail = detail, .out = out, .out_len = len, .latency_us = 7 };
	struct vf_probe p;

	memset(&p, 0, sizeof(p));
	vf_judge(&p, kind, &res, false);
	return p;
}

static struct vf_probe answer(const char *text)
{
	return judge(PROBE_PLAIN, CS_OK, "", text, strlen(text));
}

static void test_statuses(void)
{
	struct vf_probe p = judge(PROBE_PLAIN, CS_VIOLATION, "socket(AF_INET, SOCK_STREAM, 0)", NULL, 0);

	CHECK_INT(p.verdict, VF_CONTAINED);
	CHECK_STR(p.how, "killed: VIOLATION socket(AF_INET, SOCK_STREAM, 0)");
	CHECK_STR(p.status, "VIOLATION");
	CHECK_INT(p.duration_us, 7);
	/* A limit contains a bomb, and is an error for anything else. */
	p = judge(PROBE_BOUNDED, CS_MEMORY_LIMIT, "memory limit 256M reached", NULL, 0);
	CHECK_INT(p.verdict, VF_CONTAINED);
	CHECK_STR(p.how, "limited: MEMORY_LIMIT memory limit 256M reached");
	p = judge(PROBE_PLAIN, CS_TIMEOUT, "wall time 5000ms exceeded", NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
	p = judge(PROBE_BOUNDED, CS_CRASHED, "SIGSEGV", NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
	/* PROTOCOL_ERROR contains an attack on the broker, nothing else. */
	p = judge(PROBE_PROTOCOL, CS_PROTOCOL_ERROR, "bad magic", NULL, 0);
	CHECK_INT(p.verdict, VF_CONTAINED);
	CHECK_STR(p.how, "killed: PROTOCOL_ERROR bad magic");
	p = judge(PROBE_PLAIN, CS_PROTOCOL_ERROR, "bad magic", NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
	p = judge(PROBE_PROTOCOL, CS_TIMEOUT, "wall time", NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
	p = judge(PROBE_PLAIN, CS_PLUGIN_ERROR, "unknown probe", NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
	CHECK_STR(p.how, "PLUGIN_ERROR unknown probe");
	/* Details are made one printable line whatever they hold. */
	p = judge(PROBE_PLAIN, CS_CRASHED, "SIG\x1b[2J\n\xffX", NULL, 0);
	CHECK_STR(p.how, "CRASHED SIG [2J ?X");
	p = judge(PROBE_PLAIN, CS_CANCELLED, NULL, NULL, 0);
	CHECK_INT(p.verdict, VF_ERROR);
}

static void test_answers(void)
{
	char big[600];
	struct vf_probe p = answer("blocked EPERM");

	CHECK_INT(p.verdict, VF_CONTAINED);
	CHECK_STR(p.how, "blocked: EPERM");
	p = answer("escaped socket(AF_INET) returned 0");
	CHECK_INT(p.verdict, VF_ESCAPED);
	CHECK_STR(p.how, "escaped: socket(AF_INET) returned 0");
	p = answer("unsupported x86_64 only");
	CHECK_INT(p.verdict, VF_UNSUPPORTED);
	/* Only the last line counts: a bomb's output, then its verdict. */
	p = answer("AAAAAAAA\nescaped wrote 2 MiB");
	CHECK_INT(p.verdict, VF_ESCAPED);
	p = answer("escaped x\nblocked EPERM\n");
	CHECK_INT(p.verdict, VF_ERROR); /* the last line is empty */
	CHECK_STR(p.how, "answer empty");
	p = answer("");
	CHECK_INT(p.verdict, VF_ERROR);
	p = answer("blocked");
	CHECK_INT(p.verdict, VF_ERROR); /* no token */
	p = answer("BLOCKED EPERM");
	CHECK_INT(p.verdict, VF_ERROR);
	p = answer("blocked EPERM\t");
	CHECK_INT(p.verdict, VF_ERROR);
	CHECK_STR(p.how, "answer not printable text");
	p = judge(PROBE_PLAIN, CS_OK, "", "blocked \0EPERM", 14);
	CHECK_INT(p.verdict, VF_ERROR);
	p = answer("blocked E\x80");
	CHECK_INT(p.verdict, VF_ERROR);
	/* 240 bytes is the longest answer line; 241 is refused. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "blocked ", 8);
	p = judge(PROBE_PLAIN, CS_OK, "", big, 240);
	CHECK_INT(p.verdict, VF_CONTAINED);
	CHECK_INT(strlen(p.how), 9 + 232);
	p = judge(PROBE_PLAIN, CS_OK, "", big, 241);
	CHECK_INT(p.verdict, VF_ERROR);
	CHECK_STR(p.how, "answer too long");
	p = judge(PROBE_PLAIN, CS_OK, "", big, sizeof(big));
	CHECK_INT(p.verdict, VF_ERROR);
}

static void fill(struct vf_run *v, struct vf_report *r)
{
	memset(r, 0, sizeof(*r));
	memset(v, 0, sizeof(*v));
	v->r = r;
	strcpy(r->profile_name, "t");
	CHECK_INT(vf_add_attest(v, "Seccomp", "2", " 2\t\n", "/proc/PID/status", true, -1), 0);
	CHECK_INT(vf_add_blob(v, "status", "text/plain", "Seccomp:\t2\n", 11), 0);
	r->probes = calloc(2, sizeof(*r->probes));
	r->nprobes = 2;
	strcpy(r->probes[0].name, "socket-inet");
	strcpy(r->probes[1].name, "open-etc-passwd");
}

static char *text(const struct vf_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK_INT(vf_write_text(r, f), 0);
	fclose(f);
	return buf;
}

static void test_report(void)
{
	struct vf_report r;
	struct vf_run v;
	char *t;

	fill(&v, &r);
	CHECK_STR(r.attest[0].observed, "2"); /* whitespace and controls collapsed */
	CHECK(r.attest[0].verified);
	CHECK_INT(r.blobs[0].len, 11);
	CHECK(vf_report_passed(&r));
	t = text(&r);
	CHECK_CONTAINS(t, "verdict: PASS - 1/1 attestation items match, 2/2 probes contained\n");
	free(t);
	/* An unverified item fails the run and says so. */
	CHECK_INT(vf_add_unverified(&v, "bpf-loaded", "digest", "not readable without CAP_SYS_ADMIN", "ptrace", -1), 1);
	CHECK(!r.attest[1].ok && !r.attest[1].verified);
	CHECK(!vf_report_passed(&r));
	t = text(&r);
	CHECK_CONTAINS(t, "bpf-loaded             UNVERIFIED");
	CHECK_CONTAINS(t, "verdict: FAIL - 1/2 attestation items match (1 unverified), 2/2 probes contained\n");
	free(t);
	vf_report_free(&r);
	/* Escaped and unsupported probes are named; neither passes. */
	fill(&v, &r);
	r.probes[0].verdict = VF_ESCAPED;
	r.probes[1].verdict = VF_UNSUPPORTED;
	CHECK(!vf_report_passed(&r));
	t = text(&r);
	CHECK_CONTAINS(t, "0/2 probes contained; 1 escaped (socket-inet); 1 unsupported (open-etc-passwd)\n");
	free(t);
	r.probes[0].verdict = VF_CONTAINED;
	r.attest[0].ok = false;
	t = text(&r);
	CHECK_CONTAINS(t, "Seccomp                MISMATCH");
	CHECK_CONTAINS(t, "; mismatch Seccomp\n");
	free(t);
	vf_report_free(&r);
	CHECK(!vf_report_passed(&r)); /* an empty report never passes */
}

/* The layer named for each way a probe is contained; none otherwise. */
static void test_layers(void)
{
	static const struct {
		const char *category, *answer, *layer;
		bool landlock;
	} t[] = {
		{ "namespaces", "blocked ENOSPC", "userns-limit", false },
		{ "keyrings", "blocked EACCES: own session keyring 1", "keyring", false },
		{ "signals", "blocked ESRCH", "namespace", false },
		{ "files", "blocked ENOENT", "empty-root", true },
		{ "files", "blocked EACCES", "empty-root", false },
		{ "files", "blocked EACCES", "landlock", true },
		{ "mount", "blocked EPERM", "capabilities", false },
		{ "bombs", "blocked EAGAIN", "rlimit", false },
		{ "kernel", "blocked EOPNOTSUPP", "kernel", false },
		{ "namespaces", "escaped unshare returned 0", "", false },
		{ "files", "unsupported nothing", "", true },
	};
	struct pool_result res = { .status = CS_VIOLATION, .detail = "unshare(0x10000000)" };
	struct vf_probe p;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.category, sizeof(p.category), "%s", t[i].category);
		res = (struct pool_result){ .status = CS_OK, .out = (const uint8_t *)t[i].answer, .out_len = strlen(t[i].answer) };
		vf_judge(&p, PROBE_PLAIN, &res, t[i].landlock);
		CHECK_STR(p.layer, t[i].layer);
	}
	memset(&p, 0, sizeof(p));
	res = (struct pool_result){ .status = CS_VIOLATION, .detail = "unshare(0x10000000)" };
	vf_judge(&p, PROBE_PLAIN, &res, true);
	CHECK_STR(p.layer, "seccomp");
	res = (struct pool_result){ .status = CS_CPU_LIMIT, .detail = "cpu" };
	vf_judge(&p, PROBE_BOUNDED, &res, false);
	CHECK_STR(p.layer, "rlimit");
	res = (struct pool_result){ .status = CS_CPU_LIMIT, .detail = "cpu" };
	vf_judge(&p, PROBE_PLAIN, &res, false);
	CHECK_STR(p.layer, "");
}

/* Capability sets: empty passes; anything else fails and is named by
 * libcap; malformed text fails; a full set is truncated, not overrun. */
static void test_caps_named(void)
{
	char got[160];

	strcpy(got, "0000000000000000");
	CHECK(vf_caps_named(got, sizeof(got)));
	CHECK(!strcmp(got, "0000000000000000"));
	strcpy(got, "0000000000200000");
	CHECK(!vf_caps_named(got, sizeof(got)));
	CHECK(!strcmp(got, "0000000000200000 cap_sys_admin"));
	strcpy(got, "0000000000000003");
	CHECK(!vf_caps_named(got, sizeof(got)));
	CHECK(!strcmp(got, "0000000000000003 cap_chown,cap_dac_override"));
	strcpy(got, "00000000000000zz");
	CHECK(!vf_caps_named(got, sizeof(got)));
	strcpy(got, "");
	CHECK(!vf_caps_named(got, sizeof(got)));
	strcpy(got, "ffffffffffffffff");
	CHECK(!vf_caps_named(got, sizeof(got)));
	CHECK(strlen(got) == sizeof(got) - 1);
	CHECK(!strcmp(got + sizeof(got) - 4, "..."));
}

int main(void)
{
	test_statuses();
	test_layers();
	test_answers();
	test_report();
	test_caps_named();
	return check_done("test_verify");
}
