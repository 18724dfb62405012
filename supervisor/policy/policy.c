/* Builds the one seccomp filter from a profile; see policy.h. Runs in the
 * supervisor, unprivileged: libseccomp only compiles here, never loads.
 * The exported bytes are checked with bpf_eval before use, so a libseccomp
 * surprise (x32 numbers, foreign arches, PROT_EXEC) fails the build instead
 * of reaching a worker. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf_eval.h"
#include "sysgroups.h"

#define POLICY_X32_BIT 0x40000000u

_Static_assert(sizeof(((struct policy *)0)->init_set) == sizeof(((struct profile *)0)->init),
	       "policy and profile syscall sets differ in size");

/* The argument rule sysgroups.c attaches to native syscall nr; -1 if
 * libseccomp has no name for it. */
static int policy_rule_of(int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	int rule;

	if (!name)
		return -1;
	rule = (int)sysgroups_rule(name);
	free(name);
	return rule;
}

/* A profile's own argument rule (argrules.h): one ALLOW per value of an
 * int argument (its low 32 bits: the kernel reads no more), or the clone
 * flags of a thread. */
static int policy_add_argrule(scmp_filter_ctx ctx, const struct argrule *r)
{
	int rc = 0;

	if (r->kind == ARGRULE_CLONE_THREADS)
		return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, r->nr, 1,
					      SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, ARGRULE_CLONE_MASK,
						       ARGRULE_CLONE_THREAD));
	for (uint32_t i = 0; i < r->nvals && rc == 0; i++)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, r->nr, 1,
					    SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, 0xffffffffull, r->vals[i]));
	return rc;
}

static int policy_add_run(scmp_filter_ctx ctx, const struct profile *p, int nr)
{
	const struct argrule *r = profile_argrule(p, nr);
	int rc;

	if (r)
		return policy_add_argrule(ctx, r);
	switch (policy_rule_of(nr)) {
	case SYSGROUPS_RULE_NONE:
		return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 0);
	case SYSGROUPS_RULE_PROT_NOEXEC:
		return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1,
					      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SYSGROUPS_RULE_FCNTL_QUERY:
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD, 0));
		return rc ? rc : seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1,
							SCMP_A1(SCMP_CMP_EQ, F_GETFL, 0));
	}
	return -ENOENT;
}

/* The loader's opens, which the supervisor serves with its own descriptors
 * while the worker initialises (broker/notify.c). A run set that allows one
 * must not let it reach the kernel straight away, or the loader would look
 * for the plugin in the empty root: it stays NOTIFY, and after READY the
 * supervisor CONTINUEs it (policy_run_continues), so the profile gets what
 * it allows, under the layers beneath the filter (Landlock, empty root).
 * CONTINUE checks no argument, so it decides nothing a TOCTOU could bend:
 * the call is allowed whatever its arguments. */
static bool policy_served(int nr)
{
	return nr == SYS_open || nr == SYS_openat;
}

static bool policy_threads_only(const struct profile *p)
{
	const struct argrule *r = profile_argrule(p, SCMP_SYS(clone));

	return r && r->kind == ARGRULE_CLONE_THREADS && !profile_set_has(p->run, SCMP_SYS(clone3));
}

static int policy_compile(const struct profile *p, struct policy *pol, scmp_filter_ctx ctx, char *err,
			  size_t errlen)
{
	int rc;

	/* Non-native arches notify too, so the supervisor can name an ia32
	 * or foreign syscall; the worker sets no_new_privs itself before it
	 * loads the exported program, and no TSYNC (single thread; and the
	 * kernel refuses TSYNC together with a listener). The rules are laid
	 * out as a binary tree (optimize level 2), not a chain: when the
	 * filter is attached the kernel runs it once per syscall number and
	 * arch to build its action cache, and through a 40-rule chain that
	 * was half of the load (56 -> 26 us per spawn here); syscalls outside
	 * the cache (argument rules) also take log(n) comparisons. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY)) ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0)) ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2))) {
		snprintf(err, errlen, "seccomp filter attributes: %s", strerror(-rc));
		return -1;
	}
	for (int nr = 0; nr < POLICY_MAX_NR; nr++) {
		if (!profile_set_has(p->run, nr))
			continue;
		if (policy_served(nr)) {
			pol->run_notify[nr / 64] |= 1ull << (nr % 64);
			continue;
		}
		rc = policy_add_run(ctx, p, nr);
		if (rc) {
			snprintf(err, errlen, "seccomp rule for syscall %d: %s", nr, strerror(-rc));
			return -1;
		}
	}
	for (int nr = 0; nr < POLICY_MAX_NR; nr++) {
		if (profile_set_has(p->fail, nr) && (rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0))) {
			snprintf(err, errlen, "seccomp rule failing syscall %d: %s", nr, strerror(-rc));
			return -1;
		}
	}
	/* clone(threads) alone: glibc tries clone3 first, whose flags sit in
	 * memory the filter cannot read; ENOSYS sends it back to clone. */
	if (policy_threads_only(p) &&
	    (rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0))) {
		snprintf(err, errlen, "seccomp rule for clone3: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

/* seccomp_export_bpf() writes to a descriptor: export into a memfd and read
 * the program back, so the bytes every worker loads are the bytes here. */
static int policy_export(scmp_filter_ctx ctx, struct policy *out, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc = -1;

	fd = memfd_create("caisson-policy", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "memfd_create for the seccomp program: %s", strerror(errno));
		return -1;
	}
	if ((rc = seccomp_export_bpf(ctx, fd)) != 0) {
		snprintf(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
		rc = -1;
		goto out;
	}
	rc = -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		snprintf(err, errlen, "exported seccomp program has a bad size");
		goto out;
	}
	out->ninsns = (size_t)st.st_size / sizeof(struct sock_filter);
	out->insns = calloc(out->ninsns, sizeof(struct sock_filter));
	if (!out->insns) {
		snprintf(err, errlen, "out of memory for the seccomp program");
		goto out;
	}
	if (pread(fd, out->insns, (size_t)st.st_size, 0) != st.st_size) {
		snprintf(err, errlen, "reading back the seccomp program failed");
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Each argument rule allows what it names and nothing just outside it: a
 * value not in its list (with the same low 32 bits' neighbour above), a
 * fork, a thread that also asks for a new namespace. */
static int policy_check_argrules(const struct policy *pol, const struct profile *p)
{
	for (size_t i = 0; i < p->nargrules; i++) {
		const struct argrule *r = &p->argrules[i];
		struct seccomp_data sd = { .nr = r->nr, .arch = pol->arch };
		uint64_t probe[3] = { ARGRULE_CLONE_THREAD, 17 /* SIGCHLD: fork */,
				      ARGRULE_CLONE_THREAD | 0x10000000 /* CLONE_NEWUSER */ };
		int bad = 0;

		if (r->kind == ARGRULE_CLONE_THREADS) {
			for (int k = 0; k < 3; k++) {
				sd.args[r->arg] = probe[k];
				bad |= (bpf_eval(pol->insns, pol->ninsns, &sd) == SECCOMP_RET_ALLOW) != (k == 0);
			}
		}
		for (uint32_t v = 0; r->kind == ARGRULE_VALUES && v < r->nvals; v++) {
			bool listed = false;

			sd.args[r->arg] = r->vals[v];
			bad |= bpf_eval(pol->insns, pol->ninsns, &sd) != SECCOMP_RET_ALLOW;
			sd.args[r->arg] = r->vals[v] + 1;
			for (uint32_t w = 0; w < r->nvals; w++)
				listed |= r->vals[w] == r->vals[v] + 1;
			bad |= !listed && bpf_eval(pol->insns, pol->ninsns, &sd) == SECCOMP_RET_ALLOW;
		}
		if (bad)
			return -1;
	}
	return 0;
}

/* Asserts on the exported bytes what the design promises: for every
 * allowed or failed syscall, its x32 number and the same number on another
 * arch are not allowed, PROT_EXEC is never allowed where a rule forbids it,
 * and a failed one fails with EPERM. */
static int policy_selfcheck(const struct policy *pol, const struct profile *p, char *err,
			    size_t errlen)
{
	uint32_t foreign = pol->arch == AUDIT_ARCH_I386 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386;

	if (policy_check_argrules(pol, p) < 0) {
		snprintf(err, errlen, "compiled seccomp program fails its self-check of an argument rule");
		return -1;
	}
	for (int nr = 0; nr < POLICY_MAX_NR; nr++) {
		struct seccomp_data x32 = { .nr = (int)(POLICY_X32_BIT | (unsigned)nr), .arch = pol->arch };
		struct seccomp_data other = { .nr = nr, .arch = foreign };
		struct seccomp_data exec = { .nr = nr, .arch = pol->arch,
					     .args = { 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC } };

		struct seccomp_data native = { .nr = nr, .arch = pol->arch };
		bool failed = profile_set_has(p->fail, nr);

		if (!profile_set_has(p->run, nr) && !failed)
			continue;
		if ((failed && bpf_eval(pol->insns, pol->ninsns, &native) != (SECCOMP_RET_ERRNO | EPERM)) ||
		    bpf_eval(pol->insns, pol->ninsns, &x32) == SECCOMP_RET_ALLOW ||
		    bpf_eval(pol->insns, pol->ninsns, &other) == SECCOMP_RET_ALLOW ||
		    (policy_rule_of(nr) == SYSGROUPS_RULE_PROT_NOEXEC &&
		     bpf_eval(pol->insns, pol->ninsns, &exec) == SECCOMP_RET_ALLOW)) {
			snprintf(err, errlen, "compiled seccomp program fails its self-check at syscall %d", nr);
			return -1;
		}
	}
	return 0;
}

static int policy_add_init(const char *sys, void *arg)
{
	struct policy *pol = arg;
	int nr = seccomp_syscall_resolve_name(sys);

	if (nr >= 0 && nr < POLICY_MAX_NR)
		pol->init_set[nr / 64] |= 1ull << (nr % 64);
	return 0;
}

int policy_build(const struct profile *p, struct policy *out, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->arch = seccomp_arch_native();
	ctx = seccomp_init(SCMP_ACT_NOTIFY);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init(SCMP_ACT_NOTIFY) failed: libseccomp or kernel "
				      "without user notification");
		return -1;
	}
	if (policy_compile(p, out, ctx, err, errlen) < 0 || policy_export(ctx, out, err, errlen) < 0 ||
	    policy_selfcheck(out, p, err, errlen) < 0)
		goto out;
	sha256(out->insns, out->ninsns * sizeof(out->insns[0]), out->digest);
	memcpy(out->init_set, p->init, sizeof(out->init_set));
	if (sysgroups_expand(SYSGROUPS_LOADER, policy_add_init, out) != 0) {
		snprintf(err, errlen, "cannot expand %s: %s", SYSGROUPS_LOADER, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	seccomp_release(ctx);
	if (rc < 0)
		policy_free(out);
	return rc;
}

bool policy_init_allows(const struct policy *pol, const struct seccomp_data *sd)
{
	/* An x32 number (bit 30 set) or a negative one is never below
	 * POLICY_MAX_NR, so the range check also refuses x32. */
	if (!pol->insns || sd->arch != pol->arch || sd->nr < 0 || sd->nr >= POLICY_MAX_NR)
		return false;
	return (pol->init_set[sd->nr / 64] >> (sd->nr % 64)) & 1;
}

bool policy_run_continues(const struct policy *pol, const struct seccomp_data *sd)
{
	if (!pol->insns || sd->arch != pol->arch || sd->nr < 0 || sd->nr >= POLICY_MAX_NR)
		return false;
	return (pol->run_notify[sd->nr / 64] >> (sd->nr % 64)) & 1;
}

void policy_free(struct policy *pol)
{
	free(pol->insns);
	memset(pol, 0, sizeof(*pol));
}
