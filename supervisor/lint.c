/* Profile lint; see lint.h. Runs in the supervisor over a staged profile
 * before profile.c accepts it. Findings are reported at the line that
 * brought the syscall in (through a group or by name), earliest first. */
#include "lint.h"

#include <seccomp.h>
#include <stdio.h>

#include "profile.h"
#include "sysgroups.h"

#define LINT_NEEDS "needs an [exception], which this version does not support"

struct lint_finding {
	uint32_t line;
	const char *key; /* "allow" or "init_allow"; NULL for a namespace */
	const char *what;
	const char *via;
	const char *reason;
};

static void lint_keep(struct lint_finding *best, const struct lint_finding *f)
{
	if (f->line && (!best->line || f->line < best->line))
		*best = *f;
}

static void lint_syscalls(const struct profile *p, struct lint_finding *best)
{
	size_t n;
	const struct sysgroups_danger *d = sysgroups_dangers(&n);

	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(d[i].name);

		if (nr < 0 || nr >= PROFILE_MAX_NR)
			continue;
		if (profile_set_has(p->run, nr))
			lint_keep(best, &(struct lint_finding){ p->run_from[nr].line, "allow", d[i].name,
								p->run_from[nr].via, d[i].reason });
		if (!d[i].run_only && profile_set_has(p->init, nr))
			lint_keep(best, &(struct lint_finding){ p->init_from[nr].line, "init_allow",
								d[i].name, p->init_from[nr].via,
								d[i].reason });
	}
}

/* The worker runtime's own syscalls (wk_runtime.c): without them a worker
 * blocks on its first message and can never serve. */
static const char *const lint_runtime[] = { "recvmsg", "sendmsg", "close", "mmap", "munmap",
					    "exit_group" };

static int lint_runtime_needs(const struct profile *p, const char *file, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(lint_runtime) / sizeof(lint_runtime[0]); i++) {
		int nr = seccomp_syscall_resolve_name(lint_runtime[i]);

		if (nr < 0 || nr >= PROFILE_MAX_NR || !profile_set_has(p->run, nr)) {
			snprintf(err, errlen, "%s: [seccomp] allow lacks '%s', which the worker runtime needs "
				 "(start from 'allow = @default')", file, lint_runtime[i]);
			return -1;
		}
	}
	return 0;
}

int lint_profile(const struct profile *p, const char *file, char *err, size_t errlen)
{
	struct lint_finding best = { 0 };


	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		if (!p->ns_on[i])
			lint_keep(&best, &(struct lint_finding){ p->ns_line[i], NULL, profile_ns_names[i],
								 NULL, NULL });
	lint_syscalls(p, &best);
	if (!best.line)
		return lint_runtime_needs(p, file, err, errlen);
	if (!best.key)
		snprintf(err, errlen, "%s:%u: namespace '%s' is off, which weakens the baseline and " LINT_NEEDS,
			 file, best.line, best.what);
	else
		snprintf(err, errlen, "%s:%u: %s: syscall '%s'%s%s%s is dangerous (%s) and " LINT_NEEDS,
			 file, best.line, best.key, best.what, best.via ? " (from " : "",
			 best.via ? best.via : "", best.via ? ")" : "", best.reason);
	return -1;
}
