/* The syscall vocabulary profiles are written in (version 1): named groups
 * of syscalls, the argument rules some syscalls always carry in the run
 * filter, and the dangerous list the profile lint refuses. Pure data and
 * lookups by name (architecture-neutral); runs in the supervisor.
 * docs/syscall-groups.md explains every group and entry. */
#ifndef CAISSON_SYSGROUPS_H
#define CAISSON_SYSGROUPS_H

#include <stdbool.h>
#include <stddef.h>

#define SYSGROUPS_VOCABULARY 1
#define SYSGROUPS_NAME_MAX 64u /* longest syscall or group name, with NUL */

/* Argument rules attached to a syscall wherever it appears in a run set,
 * named alone or through a group: a profile cannot allow it more widely. */
enum sysgroups_rule {
	SYSGROUPS_RULE_NONE = 0,
	SYSGROUPS_RULE_PROT_NOEXEC, /* only when (arg2 & PROT_EXEC) == 0 */
	SYSGROUPS_RULE_FCNTL_QUERY, /* only when arg1 is F_GETFD or F_GETFL */
};

struct sysgroups_group {
	const char *name;    /* "@ipc-io" */
	const char *members; /* syscall names and @groups, space-separated */
	const char *why;
};

struct sysgroups_danger {
	const char *name;
	const char *reason;
	bool run_only; /* dangerous after sealing only (the open family) */
};

/* The group allowed only while the plugin loads (see policy.c). */
#define SYSGROUPS_LOADER "@loader"

/* The group named name ("@..."), or NULL. */
const struct sysgroups_group *sysgroups_find(const char *name);
/* Calls fn(syscall, arg) for every syscall of a group, nested groups
 * expanded; stops at the first non-zero return of fn and returns it.
 * -1 with errno ENOENT for an unknown group, ELOOP past the nesting limit. */
int sysgroups_expand(const char *group, int (*fn)(const char *sys, void *arg), void *arg);
/* The dangerous-list entry for syscall sys, or NULL. */
const struct sysgroups_danger *sysgroups_dangerous(const char *sys);
/* The argument rule the run filter applies to syscall sys. */
enum sysgroups_rule sysgroups_rule(const char *sys);
/* What a rule allows, one line ("only when ..."); "" for none. */
const char *sysgroups_rule_text(enum sysgroups_rule rule);
/* The whole tables, for documentation, `profile show` and tests. */
const struct sysgroups_group *sysgroups_groups(size_t *n);
const struct sysgroups_danger *sysgroups_dangers(size_t *n);

#endif
