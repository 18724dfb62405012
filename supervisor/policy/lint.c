/* Profile lint; see lint.h. Runs in the supervisor over a staged profile
 * before profile.c accepts it. Findings are reported at the line that
 * brought the syscall in (through a group or by name), at an exception's
 * allow or expires line, or at a namespace's line: earliest first. */
#include "lint.h"

#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "sysgroups.h"

struct lint_state {
	const struct profile *p;
	bool used[PROFILE_MAX_EXCEPTIONS];
	uint32_t line; /* earliest finding so far; 0 while none */
	char msg[512];
};

static void lint_find(struct lint_state *st, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void lint_find(struct lint_state *st, uint32_t line, const char *fmt, ...)
{
	va_list ap;

	if (!line || (st->line && st->line <= line))
		return;
	st->line = line;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
}

static int lint_same(const char *sys, void *arg)
{
	return strcmp(sys, arg) == 0;
}

/* Marks and returns true when some exception covers syscall sys, allowed
 * within argument rule r (NULL: without one). An exception that names a
 * rule covers only an allowance within it. */
static bool lint_covered(struct lint_state *st, const char *sys, const struct argrule *r)
{
	bool hit = false;

	for (size_t i = 0; i < st->p->nexceptions; i++) {
		const struct profile_exception *e = &st->p->exceptions[i];

		if (e->has_rule ? r && argrule_within(r, &e->rule)
				: e->allow[0] == '@' ? sysgroups_expand(e->allow, lint_same, (void *)sys) == 1
						     : strcmp(e->allow, sys) == 0)
			hit = st->used[i] = true;
	}
	return hit;
}

static void lint_syscall(struct lint_state *st, const struct sysgroups_danger *d, const char *key,
			 const struct profile_origin *from, const struct argrule *r)
{
	if (lint_covered(st, d->name, r))
		return;
	lint_find(st, from->line, "%s: syscall '%s'%s%s%s is dangerous (%s) and needs an [exception] "
		  "(allow = %s, reason, approver, expires)", key, d->name, from->via ? " (from " : "",
		  from->via ? from->via : "", from->via ? ")" : "", d->reason, d->name);
}

static void lint_syscalls(struct lint_state *st)
{
	const struct profile *p = st->p;
	size_t n;
	const struct sysgroups_danger *d = sysgroups_dangers(&n);

	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(d[i].name);

		if (nr < 0 || nr >= PROFILE_MAX_NR)
			continue;
		if (profile_set_has(p->run, nr))
			lint_syscall(st, &d[i], "allow", &p->run_from[nr], profile_argrule(p, nr));
		if (!d[i].run_only && profile_set_has(p->init, nr))
			lint_syscall(st, &d[i], "init_allow", &p->init_from[nr], NULL);
	}
}

static void lint_exceptions(struct lint_state *st, int32_t today)
{
	for (size_t i = 0; i < st->p->nexceptions; i++) {
		const struct profile_exception *e = &st->p->exceptions[i];

		if (!st->used[i])
			lint_find(st, e->allow_line, "allow: [exception] for '%s' covers nothing this profile "
				  "allows; remove the stale exception", e->allow);
		if (e->expires_day < today)
			lint_find(st, e->expires_line, "expires: [exception] for '%s' expired on %s "
				  "(approved by %s); renew or remove it", e->allow, e->expires, e->approver);
	}
}

/* The worker runtime's own syscalls (wk_runtime.c): without them a worker
 * blocks on its first message and can never serve. */
static const char *const lint_runtime[] = { "recvmsg", "sendmsg", "close", "mmap", "munmap",
					    "exit_group" };

/* [args]: declarations that parse but are unsafe to use (reqargs_lint). */
static void lint_reqargs(struct lint_state *st)
{
	char why[256];
	uint32_t line;

	if (reqargs_lint(&st->p->args, &line, why, sizeof(why)) < 0)
		lint_find(st, line, "%s", why);
}

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

int lint_profile(const struct profile *p, const char *file, int32_t today, char *err, size_t errlen)
{
	struct lint_state st = { .p = p };

	/* Workers always get all seven namespaces (SPEC section 3): no
	 * exception can turn one off in this version. */
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		if (!p->ns_on[i])
			lint_find(&st, p->ns_line[i], "namespace '%s' is off; this version cannot turn a "
				  "namespace off, not even with an [exception]", profile_ns_names[i]);
	lint_syscalls(&st);
	lint_exceptions(&st, today);
	lint_reqargs(&st);
	if (!st.line && p->pool.min_workers > p->pool.max_workers) {
		snprintf(err, errlen, "%s: [pool] min_workers (%u) is larger than max_workers (%u)", file,
			 p->pool.min_workers, p->pool.max_workers);
		return -1;
	}
	/* The heap and both bulk regions: up to three times the setting. */
	if (!st.line && p->pool.prefault_bytes * 3 > p->limits.memory_bytes / 2) {
		snprintf(err, errlen, "%s: [pool] prefault (%llu bytes) touches up to three times that much "
			 "(heap, input and output region), more than half of [limits] memory (%llu bytes)",
			 file, (unsigned long long)p->pool.prefault_bytes,
			 (unsigned long long)p->limits.memory_bytes);
		return -1;
	}
	if (!st.line)
		return lint_runtime_needs(p, file, err, errlen);
	snprintf(err, errlen, "%s:%u: %s", file, st.line, st.msg);
	return -1;
}
