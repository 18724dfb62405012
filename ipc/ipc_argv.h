/* An exec worker's command line (caisson exec): the ARGS template's
 * placeholders and the interpreter's command line around the tool. Pure;
 * the supervisor checks a template at pool start (ipc_argv_check) and
 * builds the command line to compare with the exec it is asked to allow;
 * the worker builds the same to exec. Placeholders, each expanding inside
 * one argument (never a shell): {in} -> IPC_ARGV_IN, {out} -> IPC_ARGV_OUT,
 * {{ and }} -> a literal brace, {KEY} -> the request's argument KEY.
 * Errors: -1 (with a one-line message where err is given). */
#ifndef CAISSON_IPC_ARGV_H
#define CAISSON_IPC_ARGV_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipc_config.h"

#define IPC_ARGV_IN "/tmp/in"
#define IPC_ARGV_OUT "/tmp/out"
#define IPC_ARGV_USES_IN 1u
#define IPC_ARGV_USES_OUT 2u
#define IPC_ARGV_KEY_MAX 32u /* a {KEY}'s name, at most */
/* Loader options before the tool: --inhibit-cache, --argv0 TOOL, --preload LIST. */
#define IPC_ARGV_LOADER 5u
/* Entries of a full command line: interpreter, loader options, tool, args, NULL. */
#define IPC_ARGV_SLOTS (2u + IPC_ARGV_LOADER + WK_MAX_ARGS + 1u)
/* Bytes of a full command line, at most: every path and argument whole,
 * an expanded argument at most WK_PATH_MAX * 4. */
#define IPC_ARGV_BUF ((size_t)(WK_MAX_DEPS + 8u + 4u * WK_MAX_ARGS) * WK_PATH_MAX)

/* The value of the request's argument key (len bytes, not NUL-terminated),
 * or NULL when the request has none by that name. */
typedef const char *(*ipc_argv_lookup)(const void *ctx, const char *key, size_t len);

/* Checks one template argument: every '{' opens a placeholder closed by the
 * next '}' around a name of [A-Za-z0-9_.-] (1..IPC_ARGV_KEY_MAX bytes) that
 * is in, out or one of keys (NULL-terminated, or NULL: none); "{{" and "}}"
 * are literal braces; any other brace is refused. *uses gets
 * IPC_ARGV_USES_IN and IPC_ARGV_USES_OUT or'ed in. */
int ipc_argv_check(const char *arg, const char *const *keys, unsigned *uses, char *err, size_t errlen);

/* The placeholders cfg's template uses: IPC_ARGV_USES_IN and _OUT or'ed
 * (the template was checked by the supervisor; an unparsable argument
 * adds nothing). */
unsigned ipc_argv_uses(const struct wk_config *cfg);
/* How the runner opens them (worker/wk_exec.c), and the supervisor lets
 * it, once each: {in} created before the fork, {out} read after the tool
 * has run (not a symlink, not waiting on a FIFO). */
#define IPC_ARGV_IN_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
#define IPC_ARGV_IN_MODE 0600
#define IPC_ARGV_OUT_FLAGS (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)

/* The full command line of an exec worker of cfg, into buf (cap bytes) and
 * argv (IPC_ARGV_SLOTS entries, NULL-terminated): the interpreter run as a
 * program, told to skip its cache and to load the resolved libraries by
 * path (so nothing is searched), the tool, then the template expanded with
 * lookup (NULL: a request without arguments). Returns argc, or -1 when a
 * placeholder names no argument of the request or buf is too small. */
int ipc_argv_build(const struct wk_config *cfg, ipc_argv_lookup lookup, const void *ctx, char *buf, size_t cap,
		   char **argv);

#endif
