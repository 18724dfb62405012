/* The profile key table and a setter per value kind; see profile_keys.h.
 * Runs in the supervisor on untrusted profile text: every value is checked
 * (charset, length, range, units) before it reaches the staging profile. */
#include "profile_keys.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ipc_config.h"
#include "profile_exc.h"
#include "profile_parse.h"
#include "sysgroups.h"
#include "units.h"

#define MIB (1024ull * 1024)

static int set_name(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	size_t len = strlen(v);

	if (len < 1 || len > PROFILE_NAME_MAX || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							 "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
		return profile_fail(ps, "name: expected 1 to %u characters from [A-Za-z0-9_.-]",
				    PROFILE_NAME_MAX);
	memcpy(ps->p->name, v, len + 1);
	return 1;
}

static int set_description(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	size_t len = strlen(v);

	if (len > PROFILE_DESC_MAX)
		return profile_fail(ps, "description: %zu bytes, more than %u", len, PROFILE_DESC_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return profile_fail(ps, "description: control character");
	memcpy(ps->p->description, v, len + 1);
	return 1;
}

static int set_namespace(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
		return profile_fail(ps, "%s: expected 'on' or 'off'", k->name);
	ps->p->ns_on[k->arg] = strcmp(v, "on") == 0;
	ps->p->ns_line[k->arg] = ps->line;
	return 1;
}

static int set_landlock(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (strcmp(v, "auto") != 0 && strcmp(v, "required") != 0)
		return profile_fail(ps, "landlock: expected 'auto' or 'required'");
	ps->p->landlock = strcmp(v, "required") == 0 ? PROFILE_LANDLOCK_REQUIRED : PROFILE_LANDLOCK_AUTO;
	return 1;
}

/* bind_ro and arg values: bounded copies in a bounded array. */
static int profile_push(struct profile_parse *ps, const struct profile_key *k, char ***arr,
			size_t *n, size_t max, const char *v)
{
	if (strlen(v) > PROFILE_PATH_MAX)
		return profile_fail(ps, "%s: value longer than %u bytes", k->name, PROFILE_PATH_MAX);
	if (*n >= max)
		return profile_fail(ps, "%s: more than %zu entries", k->name, max);
	if (!*arr && !(*arr = calloc(max, sizeof(**arr))))
		return profile_fail(ps, "out of memory");
	if (!((*arr)[*n] = strdup(v)))
		return profile_fail(ps, "out of memory");
	(*n)++;
	return 1;
}

/* A host path the operator names: absolute, not the root itself, and
 * without '.' or '..' components (what it names is what it says). */
static int host_path_ok(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	const char *c;

	if (v[0] != '/')
		return profile_fail(ps, "%s: '%.100s' is not an absolute path", k->name, v);
	if (strspn(v, "/") == strlen(v))
		return profile_fail(ps, "%s: '%s' would expose the whole host filesystem", k->name, v);
	for (c = v; *c; c += strcspn(c, "/")) {
		size_t len;

		c += strspn(c, "/");
		len = strcspn(c, "/");
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return profile_fail(ps, "%s: '%.100s' has a '.' or '..' component", k->name, v);
	}
	return 1;
}

static int set_bind(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (!host_path_ok(ps, k, v))
		return 0;
	return profile_push(ps, k, &ps->p->binds, &ps->p->nbinds, PROFILE_MAX_BINDS, v);
}

/* [plugin] library_path: a directory the plugin's libraries may come from
 * besides the system's; the only way to trust one (never the plugin's own
 * RUNPATH, see elf_resolve.c). */
static int set_library_path(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (!host_path_ok(ps, k, v))
		return 0;
	return profile_push(ps, k, &ps->p->library_paths, &ps->p->nlibrary_paths, PROFILE_MAX_LIBPATHS, v);
}

/* [exec] library: one shared object an exec tool dlopens by this path.
 * Whether it is one (ELF, readable, canonical) is checked when a pool
 * resolves it (broker/setup_exec.c). */
static int set_exec_lib(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (!host_path_ok(ps, k, v))
		return 0;
	return profile_push(ps, k, &ps->p->exec_libs, &ps->p->nexec_libs, PROFILE_MAX_EXEC_LIBS, v);
}

static int set_arg(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	return profile_push(ps, k, &ps->p->plugin_args, &ps->p->nplugin_args, PROFILE_MAX_ARGS, v);
}

/* [args] KEY = TYPE: one per-request argument (reqargs.h). */
static int set_reqarg(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	char why[300];

	(void)k;
	if (reqargs_declare(&ps->p->args, ps->key, v, ps->line, why, sizeof(why)) < 0)
		return profile_fail(ps, "%s", why);
	return 1;
}

static int set_extension(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	if (!profile_ext_valid(v))
		return profile_fail(ps, "extension: expected 1 to %u characters from [A-Za-z0-9_+-], without the dot",
				    PROFILE_EXT_MAX);
	memcpy(ps->p->output_ext, v, strlen(v) + 1);
	return 1;
}

static int set_duration(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	uint64_t us, ms;
	enum units_err e = units_duration_us(v, &us);

	if (e != UNITS_OK)
		return profile_fail(ps, "%s: '%.40s': %s", k->name, v, units_strerror(e));
	if (us % 1000)
		return profile_fail(ps, "%s: '%.40s' is not a whole number of milliseconds", k->name, v);
	ms = us / 1000;
	if (ms < k->min || ms > k->max)
		return profile_fail(ps, "%s: '%.40s' is out of range (%s)", k->name, v, k->range);
	*(uint64_t *)((char *)ps->p + k->arg) = ms;
	return 1;
}

static int set_size(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	uint64_t bytes;
	enum units_err e = units_size_bytes(v, &bytes);

	if (e == UNITS_E_UNIT)
		return profile_fail(ps, "%s: '%.40s': unknown suffix (K, M, G, T or none)", k->name, v);
	if (e != UNITS_OK)
		return profile_fail(ps, "%s: '%.40s': %s", k->name, v, units_strerror(e));
	if (bytes < k->min || bytes > k->max)
		return profile_fail(ps, "%s: '%.40s' is out of range (%s)", k->name, v, k->range);
	*(uint64_t *)((char *)ps->p + k->arg) = bytes;
	return 1;
}

static int set_count(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	uint64_t n;
	enum units_err e = units_uint(v, &n);

	if (e != UNITS_OK)
		return profile_fail(ps, "%s: '%.40s': %s", k->name, v, units_strerror(e));
	if (n < k->min || n > k->max)
		return profile_fail(ps, "%s: '%.40s' is out of range (%s)", k->name, v, k->range);
	*(uint32_t *)((char *)ps->p + k->arg) = (uint32_t)n;
	return 1;
}

/* [filesystem] data = PATH[, PATH...]: each entry checked as bind_ro's,
 * its line kept for the host checks (lint_data.c). A path with a comma
 * cannot be named. */
static int set_data(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	char one[PROFILE_PATH_MAX + 1];

	do {
		size_t len;

		v += strspn(v, " \t");
		len = strcspn(v, ",");
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len == 0)
			return profile_fail(ps, "%s: empty entry", k->name);
		if (len > PROFILE_PATH_MAX)
			return profile_fail(ps, "%s: value longer than %u bytes", k->name, PROFILE_PATH_MAX);
		memcpy(one, v, len);
		one[len] = '\0';
		if (!host_path_ok(ps, k, one))
			return 0;
		if (ps->p->ndata < PROFILE_MAX_BINDS)
			ps->p->data_line[ps->p->ndata] = ps->line;
		if (!profile_push(ps, k, &ps->p->data, &ps->p->ndata, PROFILE_MAX_BINDS, one))
			return 0;
		v += strcspn(v, ",");
	} while (*v++ == ',');
	return 1;
}

static int set_scratch(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	ps->p->scratch_line = ps->line;
	return set_size(ps, k, v);
}

/* A syscall may be allowed (run, init) or failed, never both: the line
 * where it already sits in the other kind of set, or 0. */
static uint32_t profile_set_clash(const struct profile_parse *ps, int nr)
{
	const struct profile *p = ps->p;

	if (ps->target == PROFILE_TARGET_FAIL) {
		if (profile_set_has(p->run, nr))
			return p->run_from[nr].line;
		return profile_set_has(p->init, nr) ? p->init_from[nr].line : 0;
	}
	return profile_set_has(p->fail, nr) ? p->fail_from[nr].line : 0;
}

/* Adds one syscall to the set set_syscalls() selected. Members of a group
 * that do not exist on this architecture are skipped; a syscall named alone
 * must exist. Returns 0, or 1 after profile_fail() (stops an expansion). */
static int profile_add_syscall(const char *sys, void *arg)
{
	struct profile_parse *ps = arg;
	int nr = seccomp_syscall_resolve_name(sys);
	uint64_t *sets[] = { ps->p->run, ps->p->init, ps->p->fail };
	struct profile_origin *froms[] = { ps->p->run_from, ps->p->init_from, ps->p->fail_from };
	uint64_t *set = sets[ps->target];
	struct profile_origin *from = froms[ps->target];
	uint32_t clash;

	if (nr == __NR_SCMP_ERROR)
		return !profile_fail(ps, "unknown syscall '%s'%s%s", sys, ps->via ? " in " : "",
				     ps->via ? ps->via : "");
	if (nr < 0)
		return ps->via ? 0 : !profile_fail(ps, "syscall '%s' does not exist on this architecture", sys);
	if (nr >= PROFILE_MAX_NR)
		return !profile_fail(ps, "syscall '%s' has number %d, beyond this build's %d", sys, nr,
				     PROFILE_MAX_NR);
	if ((clash = profile_set_clash(ps, nr)))
		return !profile_fail(ps, "syscall '%s'%s%s is both allowed and failed (line %u): choose one", sys,
				     ps->via ? " in " : "", ps->via ? ps->via : "", clash);
	if (ps->target != PROFILE_TARGET_INIT && profile_argrule(ps->p, nr))
		return !profile_fail(ps, "syscall '%s'%s%s is already allowed only within an argument rule "
				     "(line %u)", sys, ps->via ? " in " : "", ps->via ? ps->via : "",
				     ps->p->run_from[nr].line);
	if (!profile_set_has(set, nr)) {
		set[nr / 64] |= 1ull << (nr % 64);
		from[nr] = (struct profile_origin){ ps->line, ps->via };
	}
	return 0;
}

static int profile_add_token(struct profile_parse *ps, const struct profile_key *k, const char *tok)
{
	const struct sysgroups_group *g;
	int rc;

	if (strchr(tok, '('))
		return profile_args_add(ps, k, tok);
	if (tok[0] != '@') {
		if (strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(tok))
			return profile_fail(ps, "%s: '%s' is not a syscall name", k->name, tok);
		ps->via = NULL;
		return !profile_add_syscall(tok, ps);
	}
	g = sysgroups_find(tok);
	if (!g)
		return profile_fail(ps, "%s: unknown syscall group '%s' (vocabulary version %d)", k->name,
				    tok, SYSGROUPS_VOCABULARY);
	ps->via = g->name;
	rc = sysgroups_expand(tok, profile_add_syscall, ps);
	ps->via = NULL;
	if (rc < 0)
		return profile_fail(ps, "%s: group '%s' cannot be expanded: %s", k->name, tok,
				    strerror(errno));
	return rc == 0;
}

static int set_syscalls(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	char tok[ARGRULE_TEXT_MAX + 1]; /* a name, or an argument rule */
	size_t ntok = 0;

	ps->target = (enum profile_target)k->arg;
	while (*v) {
		size_t len = strcspn(v, " \t");

		if (!len) {
			v++;
			continue;
		}
		if (len >= sizeof(tok))
			return profile_fail(ps, "%s: entry longer than %zu bytes", k->name, sizeof(tok) - 1);
		memcpy(tok, v, len);
		tok[len] = '\0';
		v += len;
		ntok++;
		if (!profile_add_token(ps, k, tok))
			return 0;
	}
	if (!ntok)
		return profile_fail(ps, "%s: empty list", k->name);
	return 1;
}

#define LIM(f) offsetof(struct profile, limits.f)
#define POOL(f) offsetof(struct profile, pool.f)

/* Every key a profile may set. A section is known iff a key names it. */
const struct profile_key profile_keys[] = {
	{ "profile", "name", false, set_name, 0, 0, 0, NULL },
	{ "profile", "description", false, set_description, 0, 0, 0, NULL },
	{ "namespaces", "user", false, set_namespace, PROFILE_NS_USER, 0, 0, NULL },
	{ "namespaces", "pid", false, set_namespace, PROFILE_NS_PID, 0, 0, NULL },
	{ "namespaces", "mount", false, set_namespace, PROFILE_NS_MOUNT, 0, 0, NULL },
	{ "namespaces", "network", false, set_namespace, PROFILE_NS_NETWORK, 0, 0, NULL },
	{ "namespaces", "ipc", false, set_namespace, PROFILE_NS_IPC, 0, 0, NULL },
	{ "namespaces", "uts", false, set_namespace, PROFILE_NS_UTS, 0, 0, NULL },
	{ "namespaces", "cgroup", false, set_namespace, PROFILE_NS_CGROUP, 0, 0, NULL },
	{ "filesystem", "bind_ro", true, set_bind, 0, 0, 0, NULL },
	{ "filesystem", "landlock", false, set_landlock, 0, 0, 0, NULL },
	{ "filesystem", "data", true, set_data, 0, 0, 0, NULL },
	{ "filesystem", "scratch", false, set_scratch, offsetof(struct profile, scratch_bytes), 0,
	  PROFILE_SCRATCH_MAX, "0..16G" },
	{ "seccomp", "allow", true, set_syscalls, PROFILE_TARGET_RUN, 0, 0, NULL },
	{ "seccomp", "init_allow", true, set_syscalls, PROFILE_TARGET_INIT, 0, 0, NULL },
	{ "seccomp", "fail", true, set_syscalls, PROFILE_TARGET_FAIL, 0, 0, NULL },
	{ "limits", "wall_time", false, set_duration, LIM(wall_ms), 1, 3600000, "1ms..1h" },
	{ "limits", "cpu_time", false, set_duration, LIM(cpu_ms), 1, 3600000, "1ms..1h" },
	{ "limits", "memory", false, set_size, LIM(memory_bytes), 16 * MIB, 64 * 1024 * MIB, "16M..64G" },
	{ "limits", "output", false, set_size, LIM(output_bytes), 1, 1024 * MIB, "1..1G" },
	{ "limits", "input", false, set_size, LIM(input_bytes), 1, 1024 * MIB, "1..1G" },
	{ "limits", "open_files", false, set_count, LIM(open_files), 4, 4096, "4..4096" },
	{ "pool", "min_workers", false, set_count, POOL(min_workers), 0, 1024, "0..1024" },
	{ "pool", "max_workers", false, set_count, POOL(max_workers), 1, 1024, "1..1024" },
	{ "pool", "queue", false, set_count, POOL(queue), 0, 1000000, "0..1000000" },
	{ "pool", "requests_per_worker", false, set_count, POOL(requests_per_worker), 1, 1000000, "1..1000000" },
	{ "pool", "idle_timeout", false, set_duration, POOL(idle_ms), 1, 86400000, "1ms..24h" },
	{ "pool", "failure_threshold", false, set_count, POOL(failure_threshold), 1, 1000, "1..1000" },
	{ "pool", "prefault", false, set_size, POOL(prefault_bytes), 0, WK_PREFAULT_MAX, "0..16M" },
	{ "pool", "pipeline", false, set_count, POOL(pipeline), 1, PROFILE_PIPELINE_MAX, "1..64" },
	{ "plugin", "arg", true, set_arg, 0, 0, 0, NULL },
	{ "plugin", "library_path", true, set_library_path, 0, 0, 0, NULL },
	{ "exec", "library", true, set_exec_lib, 0, 0, 0, NULL },
	{ "output", "extension", false, set_extension, 0, 0, 0, NULL },
	/* Every key of [args] is the profile's own name: this row takes them. */
	{ "args", "KEY", true, set_reqarg, 0, 0, 0, NULL },
	/* Repeatable here because [exception] is: profile_exc.c refuses a key
	 * set twice within one section. */
	{ "exception", "allow", true, profile_exc_allow, 0, 0, 0, NULL },
	{ "exception", "reason", true, profile_exc_reason, 0, 0, 0, NULL },
	{ "exception", "approver", true, profile_exc_approver, 0, 0, 0, NULL },
	{ "exception", "expires", true, profile_exc_expires, 0, 0, 0, NULL },
	{ "exception", "stub", true, profile_exc_stub, 0, 0, 0, NULL },
};

const size_t profile_nkeys = sizeof(profile_keys) / sizeof(profile_keys[0]);
_Static_assert(sizeof(profile_keys) / sizeof(profile_keys[0]) <= PROFILE_KEYS_MAX, "raise PROFILE_KEYS_MAX");
