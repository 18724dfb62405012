/* Worker configuration assembly; see setup.h. Runs in the supervisor. */
#include "setup.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/elfinfo.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "elf/zygote_sonames.h" /* generated at build time (supervisor/elf/sources.cmake) */
#include "landlock.h"

int setup_copy(char dst[WK_PATH_MAX], const char *src, const char *what, char *err, size_t errlen)
{
	if (strlen(src) >= WK_PATH_MAX) {
		snprintf(err, errlen, "%s too long: %.60s...", what, src);
		return -1;
	}
	strcpy(dst, src);
	return 0;
}

/* clang's ASan runtime for a target built with -fsanitize=address (clang
 * links none into a shared object): the distribution's, the highest
 * version directory by name when several are installed. */
static int asan_runtime_clang(char out[WK_PATH_MAX], char *err, size_t errlen)
{
#if defined(__x86_64__)
#define SETUP_ASAN_SO "libclang_rt.asan-x86_64.so"
#elif defined(__aarch64__)
#define SETUP_ASAN_SO "libclang_rt.asan-aarch64.so"
#endif
	static const char *const pats[] = { "/usr/lib/llvm-*/lib/clang/*/lib/linux/" SETUP_ASAN_SO,
					    "/usr/lib/clang/*/lib/linux/" SETUP_ASAN_SO,
					    "/usr/local/lib/clang/*/lib/linux/" SETUP_ASAN_SO };
	char real[PATH_MAX] = "";
	glob_t g;

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]) && !real[0]; i++) {
		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc &&
		    faccessat(AT_FDCWD, g.gl_pathv[g.gl_pathc - 1], R_OK, 0) == 0 &&
		    !realpath(g.gl_pathv[g.gl_pathc - 1], real))
			real[0] = '\0';
		globfree(&g);
	}
	if (!real[0] || strlen(real) >= WK_PATH_MAX) {
		snprintf(err, errlen, "the target is built with AddressSanitizer, and clang's runtime (%s) is not "
			 "installed", SETUP_ASAN_SO);
		return -1;
	}
	strcpy(out, real);
	return 0;
}

static int resolve_deps(const struct profile *prof, const char *plugin, struct wk_config *cfg, char *err,
			size_t errlen)
{
	/* Libraries the worker image already has are matched by soname and
	 * need no bind: the zygote's own closure, listed when it was built. */
	static const char *const loaded[] = { ZYGOTE_SONAMES NULL };
	const char *libpath[PROFILE_MAX_LIBPATHS + 1] = { NULL };
	struct elf_deps deps;
	int rc = -1;

	memset(&deps, 0, sizeof(deps));
	for (size_t i = 0; i < prof->nlibrary_paths && i < PROFILE_MAX_LIBPATHS; i++)
		libpath[i] = prof->library_paths[i];
	if (elf_resolve_deps(plugin, loaded, libpath, &deps, err, errlen) < 0)
		goto out;
	if (deps.n > WK_MAX_DEPS) {
		snprintf(err, errlen, "%s needs %zu libraries, more than %u", plugin, deps.n, WK_MAX_DEPS);
		goto out;
	}
	for (size_t i = 0; i < deps.n; i++)
		if (setup_copy(cfg->deps[i], deps.paths[i], "library path", err, errlen) < 0)
			goto out;
	cfg->ndeps = (uint32_t)deps.n;
	if (deps.asan && (deps.asan_runtime[0] ? setup_copy(cfg->asan_runtime, deps.asan_runtime, "ASan runtime path",
							  err, errlen)
					       : asan_runtime_clang(cfg->asan_runtime, err, errlen)) < 0)
		goto out;
	rc = 0;
out:
	elf_deps_free(&deps);
	return rc;
}

/* Unprivileged, every worker runs as the caller's uid (the one identity
 * the kernel lets it map), and the kernel grants a key's user permissions
 * to any process of its owner's uid, whatever its namespace: a worker
 * whose filter allows the keyring syscalls could reach the caller's own
 * keyrings by serial, with nothing but the filter in the way. The private
 * session keyring cannot hold that line, so such a profile is refused
 * here rather than run weaker. As root each worker has its own uid. */
static int keyrings_isolated(const struct profile *prof, char *err, size_t errlen)
{
	static const char *const calls[] = { "keyctl", "add_key", "request_key" };

	if (geteuid() == 0)
		return 0;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(calls[i]);

		if (nr >= 0 && profile_set_has(prof->run, nr)) {
			snprintf(err, errlen, "the profile allows %s, but unprivileged workers share the caller's uid "
				 "and could reach its keyrings; run as root (one uid per worker)", calls[i]);
			return -1;
		}
	}
	return 0;
}

int setup_common(const struct profile *prof, const struct policy *pol, struct wk_config *cfg, char *err,
		 size_t errlen)
{
	if (geteuid() == 0) {
		cfg->uid_base = SETUP_ID_BASE;
		cfg->gid_base = SETUP_ID_BASE;
	}
	cfg->max_slots = SETUP_MAX_SLOTS;
	cfg->cpu_ms = prof->limits.cpu_ms;
	cfg->memory_bytes = prof->limits.memory_bytes;
	cfg->output_bytes = prof->limits.output_bytes;
	cfg->input_bytes = prof->limits.input_bytes;
	cfg->open_files = prof->limits.open_files;
	cfg->prefault_bytes = prof->pool.prefault_bytes;
	if (landlock_for_profile(prof, &cfg->landlock_abi, err, errlen) < 0 ||
	    keyrings_isolated(prof, err, errlen) < 0)
		return -1;
	if (pol->ninsns > WK_MAX_INSNS) {
		snprintf(err, errlen, "seccomp program has %zu instructions, more than %u", pol->ninsns,
			 WK_MAX_INSNS);
		return -1;
	}
	cfg->ninsns = (uint32_t)pol->ninsns;
	memcpy(cfg->insns, pol->insns, pol->ninsns * sizeof(pol->insns[0]));
	if (prof->nbinds > WK_MAX_BINDS) {
		snprintf(err, errlen, "too many binds");
		return -1;
	}
	for (size_t i = 0; i < prof->nbinds; i++)
		if (setup_copy(cfg->binds[cfg->nbinds++], prof->binds[i], "bind path", err, errlen) < 0)
			return -1;
	if (prof->ndata > WK_MAX_BINDS) {
		snprintf(err, errlen, "too many data paths");
		return -1;
	}
	for (size_t i = 0; i < prof->ndata; i++)
		if (setup_copy(cfg->data[cfg->ndata++], prof->data[i], "data path", err, errlen) < 0)
			return -1;
	cfg->scratch_bytes = prof->scratch_bytes;
	return 0;
}

int setup_worker_config(const struct profile *prof, const struct policy *pol, const char *plugin,
			char *const *extra_args, size_t nextra, struct wk_config *cfg,
			char *err, size_t errlen)
{
	char real[PATH_MAX];

	wk_config_reset(cfg);
	if (!realpath(plugin, real)) {
		snprintf(err, errlen, "%s: %s", plugin, strerror(errno));
		return -1;
	}
	if (setup_copy(cfg->plugin, real, "plugin path", err, errlen) < 0 ||
	    resolve_deps(prof, real, cfg, err, errlen) < 0 || setup_common(prof, pol, cfg, err, errlen) < 0)
		return -1;
	if (prof->nplugin_args + nextra > WK_MAX_ARGS) {
		snprintf(err, errlen, "too many plugin arguments");
		return -1;
	}
	for (size_t i = 0; i < prof->nplugin_args; i++)
		if (setup_copy(cfg->args[cfg->nargs++], prof->plugin_args[i], "plugin argument", err, errlen) < 0)
			return -1;
	for (size_t i = 0; i < nextra; i++)
		if (setup_copy(cfg->args[cfg->nargs++], extra_args[i], "plugin argument", err, errlen) < 0)
			return -1;
	return 0;
}

void setup_limits(const struct profile *prof, struct pool_limits *lim)
{
	lim->wall_ms = prof->limits.wall_ms;
	lim->cpu_ms = prof->limits.cpu_ms;
	lim->memory_bytes = prof->limits.memory_bytes;
	lim->output_bytes = prof->limits.output_bytes;
	lim->input_bytes = prof->limits.input_bytes;
	snprintf(lim->profile, sizeof(lim->profile), "%s", prof->name);
}

void setup_sizing(const struct profile *prof, struct pool_sizing *sz)
{
	sz->min_workers = prof->pool.min_workers;
	sz->max_workers = prof->pool.max_workers;
	sz->queue = prof->pool.queue;
	sz->requests_per_worker = prof->pool.requests_per_worker;
	sz->idle_ms = prof->pool.idle_ms;
	sz->failure_threshold = prof->pool.failure_threshold;
	sz->pipeline = prof->pool.pipeline;
	sz->no_spare = false;
}
