/* An exec pool's worker configuration (caisson exec): the tool resolved as
 * an executable (its libraries, its interpreter; never run here), its
 * ARGS template checked, and the profile checked for what the runner
 * itself needs. Runs in the supervisor, as the invoking user; -1 with a
 * one-line message in err. */
#include "setup.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elfinfo.h"
#include "ipc/ipc_argv.h"
#include "policy/profile.h"

/* The runner's own calls (worker/wk_exec.c), besides the runtime's that the
 * lint requires of every profile: it relays three pipes and waits for its
 * tool. The fork and the exec are not among them: the supervisor allows
 * those once each, per request, through the listener. */
static const char *const setup_runner_calls[] = { "read", "write", "poll", "wait4" };

/* The exec descriptor map reaches fd 9 (worker/wk.h), and the tool gets
 * at least as many as the runner holds. */
#define SETUP_EXEC_MIN_FILES 16u

static int setup_runner_needs(const struct profile *prof, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(setup_runner_calls) / sizeof(setup_runner_calls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(setup_runner_calls[i]);

		if (nr < 0 || !profile_set_has(prof->run, nr)) {
			snprintf(err, errlen, "[seccomp] allow lacks '%s', which the exec runner needs to relay the "
				 "tool's stdin, stdout and stderr and wait for it (read, write, poll, wait4)",
				 setup_runner_calls[i]);
			return -1;
		}
	}
	if (prof->limits.open_files < SETUP_EXEC_MIN_FILES) {
		snprintf(err, errlen, "[limits] open_files is %u; an exec worker needs at least %u (its runner "
			 "holds 10)", prof->limits.open_files, SETUP_EXEC_MIN_FILES);
		return -1;
	}
	return 0;
}

static int setup_resolve_tool(const struct profile *prof, const char *tool, struct wk_config *cfg, char *err,
			      size_t errlen)
{
	const char *libpath[PROFILE_MAX_LIBPATHS + 1] = { NULL };
	char real[PATH_MAX], interp[ELF_NAME_MAX];
	struct elf_deps deps;
	int rc = -1;

	if (tool[0] != '/') {
		snprintf(err, errlen, "%s: the tool must be an absolute path", tool);
		return -1;
	}
	if (!realpath(tool, real)) {
		snprintf(err, errlen, "%s: %s", tool, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < prof->nlibrary_paths && i < PROFILE_MAX_LIBPATHS; i++)
		libpath[i] = prof->library_paths[i];
	if (elf_resolve_exec(real, libpath, &deps, interp, sizeof(interp), err, errlen) < 0)
		return -1;
	if (deps.n > WK_MAX_DEPS) {
		snprintf(err, errlen, "%s needs %zu libraries, more than %u", real, deps.n, WK_MAX_DEPS);
		goto out;
	}
	for (size_t i = 0; i < deps.n; i++)
		if (setup_copy(cfg->deps[i], deps.paths[i], "library path", err, errlen) < 0)
			goto out;
	cfg->ndeps = (uint32_t)deps.n;
	if (setup_copy(cfg->plugin, real, "tool path", err, errlen) < 0 ||
	    setup_copy(cfg->interp, interp, "interpreter path", err, errlen) < 0)
		goto out;
	rc = 0;
out:
	elf_deps_free(&deps);
	return rc;
}

/* [exec] library: each module the tool dlopens, with its libraries, joins
 * the served set (once each), or the pool is refused. */
static int setup_modules(const struct profile *prof, struct wk_config *cfg, char *err, size_t errlen)
{
	const char *libpath[PROFILE_MAX_LIBPATHS + 1] = { NULL };
	struct elf_deps deps;
	int rc = 0;

	for (size_t i = 0; i < prof->nlibrary_paths && i < PROFILE_MAX_LIBPATHS; i++)
		libpath[i] = prof->library_paths[i];
	for (size_t m = 0; m < prof->nexec_libs && rc == 0; m++) {
		if (elf_resolve_module(prof->exec_libs[m], libpath, &deps, err, errlen) < 0)
			return -1;
		for (size_t i = 0; i < deps.n && rc == 0; i++) {
			bool known = strcmp(deps.paths[i], cfg->plugin) == 0 || strcmp(deps.paths[i], cfg->interp) == 0;

			for (uint32_t k = 0; k < cfg->ndeps && !known; k++)
				known = strcmp(deps.paths[i], cfg->deps[k]) == 0;
			if (known)
				continue;
			if (cfg->ndeps >= WK_MAX_DEPS) {
				snprintf(err, errlen, "%s: the tool and its [exec] library modules need more than %u "
					 "libraries", cfg->plugin, WK_MAX_DEPS);
				rc = -1;
			} else {
				rc = setup_copy(cfg->deps[cfg->ndeps++], deps.paths[i], "library path", err, errlen);
			}
		}
		elf_deps_free(&deps);
	}
	return rc;
}

/* The template: each argument's placeholders known ({KEY}: a request
 * argument the profile declares in [args]), {in} and {out} only with a
 * scratch directory to hold them ([filesystem] scratch). */
static int setup_template(const struct profile *prof, const char *const *args, struct wk_config *cfg, char *err,
			  size_t errlen)
{
	const char *keys[REQARGS_MAX_KEYS + 1] = { NULL };
	unsigned uses = 0;
	char why[200];

	for (uint32_t i = 0; i < prof->args.n && i < REQARGS_MAX_KEYS; i++)
		keys[i] = prof->args.keys[i].name;

	for (size_t i = 0; args[i]; i++) {
		if (cfg->nargs >= WK_MAX_ARGS) {
			snprintf(err, errlen, "more than %u arguments to the tool", WK_MAX_ARGS);
			return -1;
		}
		if (ipc_argv_check(args[i], keys, &uses, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		if (setup_copy(cfg->args[cfg->nargs++], args[i], "tool argument", err, errlen) < 0)
			return -1;
	}
	if (uses && !prof->scratch_bytes) {
		snprintf(err, errlen, "{in} and {out} need a scratch directory: add '[filesystem] scratch = SIZE' "
			 "to the profile");
		return -1;
	}
	return 0;
}

/* Any {KEY} at its longest value, for the fit check below. */
static const char *setup_longest(const void *ctx, const char *key, size_t len)
{
	(void)key;
	(void)len;
	return ctx;
}

int setup_exec_config(const struct profile *prof, const struct policy *pol, const char *const *argv,
		      struct wk_config *cfg, char *err, size_t errlen)
{
	char longest[IPC_ARG_VAL_MAX + 1];
	char *buf = NULL, *full[IPC_ARGV_SLOTS];
	int rc = -1;

	wk_config_reset(cfg);
	if (!argv || !argv[0]) {
		snprintf(err, errlen, "no tool to run");
		return -1;
	}
	if (setup_runner_needs(prof, err, errlen) < 0 || setup_resolve_tool(prof, argv[0], cfg, err, errlen) < 0 ||
	    setup_modules(prof, cfg, err, errlen) < 0 || setup_template(prof, argv + 1, cfg, err, errlen) < 0 ||
	    setup_common(prof, pol, cfg, err, errlen) < 0)
		return -1;
	cfg->exec = 1;
	/* The command line must fit the runner's buffer as built. */
	buf = malloc(IPC_ARGV_BUF);
	/* Each {KEY} at its longest (local: pools may be made on several
	 * threads at once). */
	memset(longest, 'x', IPC_ARG_VAL_MAX);
	longest[IPC_ARG_VAL_MAX] = '\0';
	if (!buf || ipc_argv_build(cfg, setup_longest, longest, buf, IPC_ARGV_BUF, full) < 0)
		snprintf(err, errlen, "%s", buf ? "the tool's command line is too long" : "out of memory");
	else
		rc = 0;
	free(buf);
	return rc;
}
