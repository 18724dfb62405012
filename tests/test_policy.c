/* The compiled seccomp policy (supervisor/policy/policy.c), evaluated with the
 * BPF interpreter (supervisor/policy/bpf_eval.c) for a table of (syscall, args,
 * arch) -> action, the init-phase decision, the digest, and the
 * interpreter's own fail-closed behaviour on hostile programs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "policy/bpf_eval.h"
#include "check.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "policy/sha256.h"
#include "policy/sysgroups.h"

#define ALLOW SECCOMP_RET_ALLOW
#define NOTIFY SECCOMP_RET_USER_NOTIF
#define KILL SECCOMP_RET_KILL_PROCESS
#define X32 0x40000000
#define NATIVE AUDIT_ARCH_X86_64

static char err[512];

struct row {
	const char *sys; /* NULL: use nr */
	int nr;
	uint32_t arch;
	uint64_t a0, a1, a2;
	uint32_t want;
};

static int nr_of(const char *sys)
{
	int nr = seccomp_syscall_resolve_name(sys);

	if (nr < 0)
		fprintf(stderr, "no syscall %s\n", sys);
	CHECK(nr >= 0);
	return nr;
}

static uint32_t eval(const struct policy *pol, int nr, uint32_t arch, uint64_t a0, uint64_t a1,
		     uint64_t a2)
{
	struct seccomp_data sd = { .nr = nr, .arch = arch, .args = { a0, a1, a2 } };

	return bpf_eval(pol->insns, pol->ninsns, &sd);
}

static void check_rows(const struct policy *pol, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = rows[i].sys ? nr_of(rows[i].sys) : rows[i].nr;
		uint32_t got = eval(pol, nr, rows[i].arch, rows[i].a0, rows[i].a1, rows[i].a2);

		if (got != rows[i].want)
			fprintf(stderr, "row %zu (%s nr %#x arch %#x): got %#x, want %#x\n", i,
				rows[i].sys ? rows[i].sys : "-", nr, rows[i].arch, got, rows[i].want);
		CHECK(got == rows[i].want);
	}
}

static int build(const char *rel, struct profile *p, struct policy *pol)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", CAISSON_SOURCE_DIR, rel);
	if (profile_load(path, p, err, sizeof(err)) < 0 || policy_build(p, pol, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", rel, err);
		check_failures++;
		return -1;
	}
	return 0;
}

static const struct row default_rows[] = {
	{ "read", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "write", 0, NATIVE, 1, 0, 0, ALLOW },
	{ "sendmsg", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "recvmsg", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "futex", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "exit_group", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "mmap", 0, NATIVE, 0, 4096, PROT_READ, ALLOW },
	{ "mmap", 0, NATIVE, 0, 4096, PROT_READ | PROT_WRITE, ALLOW },
	{ "mmap", 0, NATIVE, 0, 4096, PROT_NONE, ALLOW },
	{ "mmap", 0, NATIVE, 0, 4096, PROT_READ | PROT_EXEC, NOTIFY },
	{ "mmap", 0, NATIVE, 0, 4096, PROT_EXEC, NOTIFY },
	{ "mmap", 0, NATIVE, 0, 4096, 0xffffffffffffffffull, NOTIFY },
	{ "mprotect", 0, NATIVE, 0, 4096, PROT_READ | PROT_WRITE, ALLOW },
	{ "mprotect", 0, NATIVE, 0, 4096, PROT_READ | PROT_EXEC, NOTIFY },
	{ "pkey_mprotect", 0, NATIVE, 0, 4096, PROT_READ, ALLOW },
	{ "pkey_mprotect", 0, NATIVE, 0, 4096, PROT_EXEC, NOTIFY },
	{ "openat", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "open", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "socket", 0, NATIVE, 2, 1, 0, NOTIFY },
	{ "execve", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "ptrace", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "clone", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "clone3", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "fork", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "io_uring_setup", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "bpf", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "fcntl", 0, NATIVE, 0, F_GETFD, 0, NOTIFY },
	{ "ioctl", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ NULL, 511, NATIVE, 0, 0, 0, NOTIFY },
	{ NULL, -1, NATIVE, 0, 0, 0, NOTIFY },
	/* ia32 (int 0x80: 3 = read, 4 = write) and other arches: NOTIFY, so
	 * the supervisor can name them; never ALLOW. */
	{ NULL, 3, AUDIT_ARCH_I386, 0, 0, 0, NOTIFY },
	{ NULL, 4, AUDIT_ARCH_I386, 0, 0, 0, NOTIFY },
	{ NULL, 0, AUDIT_ARCH_AARCH64, 0, 0, 0, NOTIFY },
	{ NULL, 0, 0, 0, 0, 0, NOTIFY },
	/* x32 numbers (bit 30) of allowed syscalls: libseccomp 2.5.4 sends
	 * them to the bad-arch action. */
	{ NULL, X32 | 0, NATIVE, 0, 0, 0, NOTIFY },
	{ NULL, X32 | 1, NATIVE, 0, 0, 0, NOTIFY },
	{ NULL, X32 | 9, NATIVE, 0, 4096, PROT_READ, NOTIFY },
	{ NULL, X32 | 512, NATIVE, 0, 0, 0, NOTIFY },
	{ NULL, (int)0xffffffffu, NATIVE, 0, 0, 0, NOTIFY },
};

static const struct row full_rows[] = {
	{ "fcntl", 0, NATIVE, 0, F_GETFD, 0, ALLOW },
	{ "fcntl", 0, NATIVE, 0, F_GETFL, 0, ALLOW },
	{ "fcntl", 0, NATIVE, 0, F_SETFD, 0, NOTIFY },
	{ "fcntl", 0, NATIVE, 0, F_SETFL, 0, NOTIFY },
	{ "fcntl", 0, NATIVE, 0, F_DUPFD, 0, NOTIFY },
	{ "fcntl", 0, NATIVE, 0, 0x100000000ull | F_GETFD, 0, NOTIFY },
	{ "fstat", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "getppid", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "getdents64", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "uname", 0, NATIVE, 0, 0, 0, NOTIFY },
};

static bool init_allows(const struct policy *pol, int nr, uint32_t arch)
{
	struct seccomp_data sd = { .nr = nr, .arch = arch };

	return policy_init_allows(pol, &sd);
}

static void test_default_policy(void)
{
	struct profile p;
	struct policy pol, again;
	uint8_t d[SHA256_LEN];
	const char *loader[] = { "openat", "open", "newfstatat", "fstat", "mmap", "mprotect",
				 "pread64", "lseek", "getcwd", "readlink" };

	if (build("profiles/default.ini", &p, &pol) < 0)
		return;
	CHECK(pol.ninsns > 0 && pol.ninsns <= BPF_MAXINSNS);
	CHECK_INT(pol.arch, NATIVE);
	sha256(pol.insns, pol.ninsns * sizeof(pol.insns[0]), d);
	CHECK(memcmp(d, pol.digest, sizeof(d)) == 0);
	check_rows(&pol, default_rows, sizeof(default_rows) / sizeof(default_rows[0]));

	for (size_t i = 0; i < sizeof(loader) / sizeof(loader[0]); i++)
		CHECK(init_allows(&pol, nr_of(loader[i]), NATIVE));
	CHECK(!init_allows(&pol, nr_of("socket"), NATIVE));
	CHECK(!init_allows(&pol, nr_of("execve"), NATIVE));
	CHECK(!init_allows(&pol, nr_of("clone"), NATIVE));
	CHECK(!init_allows(&pol, nr_of("read"), NATIVE));
	CHECK(!init_allows(&pol, nr_of("openat"), AUDIT_ARCH_I386));
	CHECK(!init_allows(&pol, 5 /* ia32 open */, AUDIT_ARCH_I386));
	CHECK(!init_allows(&pol, X32 | nr_of("openat"), NATIVE));
	CHECK(!init_allows(&pol, -1, NATIVE));
	CHECK(!init_allows(&pol, INT_MAX, NATIVE));

	/* Compiled once, the same bytes every time. */
	if (policy_build(&p, &again, err, sizeof(err)) == 0) {
		CHECK_INT(again.ninsns, pol.ninsns);
		CHECK(memcmp(again.insns, pol.insns, pol.ninsns * sizeof(pol.insns[0])) == 0);
		CHECK(memcmp(again.digest, pol.digest, SHA256_LEN) == 0);
		policy_free(&again);
	}
	policy_free(&pol);
	CHECK(pol.insns == NULL && pol.ninsns == 0);
	CHECK(!init_allows(&pol, nr_of("openat"), NATIVE));
	profile_free(&p);
}

static void test_full_policy(void)
{
	struct profile p, dp;
	struct policy pol, dpol;

	if (build("tests/profiles/good_full.ini", &p, &pol) < 0)
		return;
	check_rows(&pol, full_rows, sizeof(full_rows) / sizeof(full_rows[0]));
	CHECK(init_allows(&pol, nr_of("getdents64"), NATIVE));
	CHECK(init_allows(&pol, nr_of("uname"), NATIVE));
	CHECK(init_allows(&pol, nr_of("openat"), NATIVE));
	CHECK(!init_allows(&pol, nr_of("socket"), NATIVE));
	if (build("profiles/default.ini", &dp, &dpol) == 0) {
		CHECK(memcmp(pol.digest, dpol.digest, SHA256_LEN) != 0);
		policy_free(&dpol);
		profile_free(&dp);
	}
	policy_free(&pol);
	profile_free(&p);
}

static bool run_continues(const struct policy *pol, int nr, uint32_t arch)
{
	struct seccomp_data sd = { .nr = nr, .arch = arch };

	return policy_run_continues(pol, &sd);
}

/* A run set that allows the loader's opens keeps them notified (served to
 * the loader until READY, continued after); the rest of it is allowed. */
static const struct row widen_rows[] = {
	{ "openat", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "open", 0, NATIVE, 0, 0, 0, NOTIFY },
	{ "openat2", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "creat", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "unshare", 0, NATIVE, 0x10000000, 0, 0, ALLOW },
	{ "keyctl", 0, NATIVE, 0, 0, 0, ALLOW },
	{ "read", 0, NATIVE, 0, 0, 0, ALLOW },
	{ NULL, X32 | 257, NATIVE, 0, 0, 0, NOTIFY },
	{ "execve", 0, NATIVE, 0, 0, 0, NOTIFY },
};

/* Argument rules compile to exactly what they name: an int argument's low
 * 32 bits among the values, clone only for threads (clone3 ENOSYS, so
 * glibc falls back to clone). */
static const struct row argrule_rows[] = {
	{ "socket", 0, NATIVE, 1, 1, 0, ALLOW },                    /* AF_UNIX */
	{ "socket", 0, NATIVE, 0xffffffff00000001ull, 1, 0, ALLOW }, /* high garbage: the kernel reads an int */
	{ "socket", 0, NATIVE, 2, 1, 0, NOTIFY },                   /* AF_INET */
	{ "socket", 0, NATIVE, 16, 3, 0, NOTIFY },                  /* AF_NETLINK */
	{ "socketpair", 0, NATIVE, 1, 1, 0, ALLOW },
	{ "socketpair", 0, NATIVE, 10, 1, 0, NOTIFY },
	{ "clone", 0, NATIVE, 0x3d0f00, 0, 0, ALLOW },              /* glibc's pthread_create */
	{ "clone", 0, NATIVE, 0x11, 0, 0, NOTIFY },                 /* fork */
	{ "clone", 0, NATIVE, 0x3d0f00 | 0x10000000, 0, 0, NOTIFY }, /* thread + CLONE_NEWUSER */
	{ "clone", 0, NATIVE, 0x3d0f00 | 0x20000, 0, 0, NOTIFY },   /* thread + CLONE_NEWNS */
	{ "clone", 0, NATIVE, 0x3d0f00 & ~0x10000ull, 0, 0, NOTIFY }, /* no CLONE_THREAD: a process */
	{ "clone3", 0, NATIVE, 0, 88, 0, SECCOMP_RET_ERRNO | 38 },  /* ENOSYS */
	{ "prctl", 0, NATIVE, 15, 0, 0, ALLOW },                    /* PR_SET_NAME */
	{ "prctl", 0, NATIVE, 16, 0, 0, ALLOW },
	{ "prctl", 0, NATIVE, 22, 2, 0, NOTIFY },                   /* PR_SET_SECCOMP */
	{ "prctl", 0, NATIVE, 0x53564d41, 0, 0, NOTIFY },           /* PR_SET_VMA: approved, not allowed */
	{ "socket", 0, AUDIT_ARCH_I386, 1, 1, 0, NOTIFY },
};

static void test_argrule_policy(void)
{
	struct profile p;
	struct policy pol;

	if (build("tests/profiles/argrules.ini", &p, &pol) < 0)
		return;
	check_rows(&pol, argrule_rows, sizeof(argrule_rows) / sizeof(argrule_rows[0]));
	policy_free(&pol);
	profile_free(&p);
}

static void test_widen_policy(void)
{
	struct profile p, dp;
	struct policy pol, dpol;

	if (build("tests/profiles/widen.ini", &p, &pol) < 0)
		return;
	check_rows(&pol, widen_rows, sizeof(widen_rows) / sizeof(widen_rows[0]));
	CHECK(run_continues(&pol, nr_of("openat"), NATIVE));
	CHECK(run_continues(&pol, nr_of("open"), NATIVE));
	CHECK(!run_continues(&pol, nr_of("openat"), AUDIT_ARCH_I386));
	CHECK(!run_continues(&pol, X32 | nr_of("openat"), NATIVE));
	CHECK(!run_continues(&pol, nr_of("read"), NATIVE));
	CHECK(!run_continues(&pol, nr_of("execve"), NATIVE));
	if (build("profiles/default.ini", &dp, &dpol) == 0) {
		CHECK(!run_continues(&dpol, nr_of("openat"), NATIVE));
		policy_free(&dpol);
		profile_free(&dp);
	}
	policy_free(&pol);
	profile_free(&p);
}

/* [seccomp] fail: EPERM from the filter for the native call only; its x32
 * and ia32 twins still notify (and are killed as violations). */
static void test_fail_policy(void)
{
	struct profile p;
	struct policy pol;
	static const struct row rows[] = {
		{ "ioctl", 0, NATIVE, 1, 0x5401 /* TCGETS */, 0, SECCOMP_RET_ERRNO | EPERM },
		{ "sysinfo", 0, NATIVE, 0, 0, 0, SECCOMP_RET_ERRNO | EPERM },
		{ "execve", 0, NATIVE, 0, 0, 0, SECCOMP_RET_ERRNO | EPERM },
		{ NULL, X32 | 16 /* ioctl */, NATIVE, 0, 0, 0, NOTIFY },
		{ NULL, 54 /* ia32 ioctl */, AUDIT_ARCH_I386, 0, 0, 0, NOTIFY },
		{ "execveat", 0, NATIVE, 0, 0, 0, NOTIFY },
		{ "read", 0, NATIVE, 0, 0, 0, ALLOW },
	};

	if (build("tests/profiles/fail.ini", &p, &pol) < 0)
		return;
	check_rows(&pol, rows, sizeof(rows) / sizeof(rows[0]));
	CHECK(!init_allows(&pol, nr_of("execve"), NATIVE));
	policy_free(&pol);
	profile_free(&p);
}

static int check_member(const char *sys, void *arg)
{
	if (seccomp_syscall_resolve_name(sys) < 0)
		fprintf(stderr, "group %s: %s is not an x86_64 syscall\n", (const char *)arg, sys);
	CHECK(seccomp_syscall_resolve_name(sys) >= 0);
	/* Only @loader (init only) and @network (needs an [exception]) hold
	 * dangerous syscalls; naming any other group never needs one. */
	CHECK(!sysgroups_dangerous(sys) || strcmp(arg, SYSGROUPS_LOADER) == 0 ||
	      strcmp(arg, "@network") == 0);
	return 0;
}

static void test_vocabulary(void)
{
	size_t n;
	const struct sysgroups_group *g = sysgroups_groups(&n);
	const struct sysgroups_danger *d;

	for (size_t i = 0; i < n; i++) {
		CHECK(g[i].name[0] == '@' && g[i].why && *g[i].why);
		CHECK_INT(sysgroups_expand(g[i].name, check_member, (void *)g[i].name), 0);
	}
	d = sysgroups_dangers(&n);
	for (size_t i = 0; i < n; i++) {
		if (seccomp_syscall_resolve_name(d[i].name) == __NR_SCMP_ERROR)
			fprintf(stderr, "dangerous entry %s unknown to libseccomp\n", d[i].name);
		CHECK(seccomp_syscall_resolve_name(d[i].name) != __NR_SCMP_ERROR);
		CHECK(sysgroups_dangerous(d[i].name) == &d[i]);
	}
	CHECK(sysgroups_expand("@nope", check_member, "@nope") == -1 && errno == ENOENT);
	CHECK_INT(sysgroups_rule("mmap"), SYSGROUPS_RULE_PROT_NOEXEC);
	CHECK_INT(sysgroups_rule("fcntl"), SYSGROUPS_RULE_FCNTL_QUERY);
	CHECK_INT(sysgroups_rule("read"), SYSGROUPS_RULE_NONE);
}

#define I(c, jt, jf, k) ((struct sock_filter){ (c), (jt), (jf), (k) })

static uint32_t run(const struct sock_filter *f, size_t n)
{
	struct seccomp_data sd = { .nr = 7, .arch = NATIVE, .args = { 0x100000002ull } };

	return bpf_eval(f, n, &sd);
}

static void test_bpf_eval(void)
{
	const struct sock_filter ok[] = {
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),            /* A = nr (7) */
		I(BPF_ST, 0, 0, 3),                               /* M[3] = 7 */
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 20),           /* A = args[0] hi (1) */
		I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1),            /* 2 */
		I(BPF_MISC | BPF_TAX, 0, 0, 0),                   /* X = 2 */
		I(BPF_LD | BPF_MEM, 0, 0, 3),                     /* A = 7 */
		I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 0),            /* 28 */
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 28),
		I(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO),
		I(BPF_JMP | BPF_JA, 0, 0, 1),
		I(BPF_RET | BPF_K, 0, 0, 0),
		I(BPF_ALU | BPF_OR | BPF_K, 0, 0, SECCOMP_RET_ALLOW),
		I(BPF_RET | BPF_A, 0, 0, 0),
	};
	const struct sock_filter len_load[] = { I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter far_load[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter last_load[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter huge_load[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xfffffffc), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter odd_load[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter byte_load[] = { I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter ja_far[] = { I(BPF_JMP | BPF_JA, 0, 0, 0xffffffff), I(BPF_RET | BPF_K, 0, 0, 0) };
	const struct sock_filter jt_far[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), I(BPF_JMP | BPF_JEQ | BPF_K, 200, 0, 7),
					      I(BPF_RET | BPF_K, 0, 0, 0) };
	const struct sock_filter fall_off[] = { I(BPF_LD | BPF_IMM, 0, 0, 1) };
	const struct sock_filter div0[] = { I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter mod[] = { I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter shift32[] = { I(BPF_LDX | BPF_IMM, 0, 0, 32), I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 0),
					       I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter mem_far[] = { I(BPF_ST, 0, 0, BPF_MEMWORDS), I(BPF_RET | BPF_A, 0, 0, 0) };
	const struct sock_filter ja_x[] = { I(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	const struct sock_filter high_code[] = { I(0x100 | BPF_RET | BPF_K, 0, 0, 0) };

	CHECK_INT(run(ok, sizeof(ok) / sizeof(ok[0])), SECCOMP_RET_ALLOW | 28);
	CHECK_INT(run(len_load, 2), sizeof(struct seccomp_data));
	CHECK_INT(run(last_load, 2), 0);
	CHECK_INT(run(far_load, 2), KILL);
	CHECK_INT(run(huge_load, 2), KILL);
	CHECK_INT(run(odd_load, 2), KILL);
	CHECK_INT(run(byte_load, 2), KILL);
	CHECK_INT(run(ja_far, 2), KILL);
	CHECK_INT(run(jt_far, 3), KILL);
	CHECK_INT(run(fall_off, 1), KILL);
	CHECK_INT(run(div0, 2), KILL);
	CHECK_INT(run(mod, 2), KILL);
	CHECK_INT(run(shift32, 3), KILL);
	CHECK_INT(run(mem_far, 2), KILL);
	CHECK_INT(run(ja_x, 2), KILL);
	CHECK_INT(run(high_code, 1), KILL);
	CHECK_INT(run(ok, 0), KILL);
	CHECK_INT(run(NULL, 1), KILL);
	CHECK_INT(run(ok, BPF_MAXINSNS + 1), KILL);
}

int main(void)
{
	test_default_policy();
	test_full_policy();
	test_vocabulary();
	test_bpf_eval();
	test_widen_policy();
	test_argrule_policy();
	test_fail_policy();
	return check_done("test_policy");
}
