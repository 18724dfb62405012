/* The seccomp policy: one filter compiled once from a profile with
 * libseccomp and shipped as exact BPF bytes to every worker, which loads it
 * with SECCOMP_FILTER_FLAG_NEW_LISTENER before any plugin code runs.
 *   run set (with argument rules)  -> ALLOW, but open and openat -> NOTIFY
 *     (the loader's opens must reach the supervisor, which serves them
 *     while the worker initialises) and CONTINUEd after READY
 *   anything else, non-native arch -> NOTIFY: the supervisor CONTINUEs a
 *     syscall of the init set while the worker initialises and kills the
 *     worker (VIOLATION) for anything else, and for everything after READY
 *     but a run-set open or openat.
 * Runs in the supervisor. policy_build returns 0, or -1 with a one-line
 * message in err; policy_init_allows is pure. */
#ifndef CAISSON_POLICY_H
#define CAISSON_POLICY_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "sha256.h"

#define POLICY_MAX_NR PROFILE_MAX_NR

struct lrn;

struct policy {
	struct sock_filter *insns; /* the exact program every worker loads */
	size_t ninsns;
	uint8_t digest[SHA256_LEN]; /* SHA-256 of the insns bytes as loaded */
	uint32_t arch;              /* AUDIT_ARCH_* of the one arch allowed */
	/* Native syscall numbers CONTINUEd while the worker initialises: the
	 * profile's init_allow plus @loader. */
	uint64_t init_set[(POLICY_MAX_NR + 63) / 64];
	/* Run-set syscalls compiled as NOTIFY (open, openat), CONTINUEd
	 * after READY. */
	uint64_t run_notify[(POLICY_MAX_NR + 63) / 64];
	/* A learning policy's recorder (broker/learn.h; policy_build_learning):
	 * the calls this filter refuses are recorded there and CONTINUEd, not
	 * judged violations. NULL for every other policy. */
	struct lrn *learn;
};

int policy_build(const struct profile *p, struct policy *out, char *err, size_t errlen);
/* The same filter for `caisson profile learn`, except that the run set's
 * path lookups (learned.h: open, stat, access, readlink, getdents) are
 * NOTIFY too, CONTINUEd after READY as run_notify says, so that the
 * supervisor sees every path the sample looks up. The caller sets learn. */
int policy_build_learning(const struct profile *p, struct policy *out, char *err, size_t errlen);
/* Whether a notification for sd may be CONTINUEd while the worker is still
 * initialising: native arch, no x32 bit, number in the init set. */
bool policy_init_allows(const struct policy *pol, const struct seccomp_data *sd);
/* Whether a notification for sd after READY is a call the run set allows
 * (open or openat, see run_notify): CONTINUE it. Pure. */
bool policy_run_continues(const struct policy *pol, const struct seccomp_data *sd);
void policy_free(struct policy *pol);

#endif
