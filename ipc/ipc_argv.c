/* An exec worker's command line; see ipc_argv.h. Pure: runs in the
 * supervisor (check, and the command line it compares an exec with) and in
 * the worker's runner (the command line it execs). */
#include "ipc_argv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool argv_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

/* The placeholder opening at s[0] == '{': its name's length, 0 when it is
 * not closed by '}' after a well-formed name. */
static size_t argv_name_len(const char *s)
{
	size_t n = 1;

	while (argv_name_char(s[n]) && n <= IPC_ARGV_KEY_MAX)
		n++;
	return s[n] == '}' && n > 1 && n - 1 <= IPC_ARGV_KEY_MAX ? n - 1 : 0;
}

static bool argv_is(const char *name, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(name, word, n);
}

static int argv_check(const char *arg, const char *const *keys, bool any, unsigned *uses, char *err, size_t errlen);

int ipc_argv_check(const char *arg, const char *const *keys, unsigned *uses, char *err, size_t errlen)
{
	return argv_check(arg, keys, false, uses, err, errlen);
}

static int ipc_argv_check_any(const char *arg, unsigned *uses, char *err, size_t errlen)
{
	return argv_check(arg, NULL, true, uses, err, errlen);
}

static int argv_check(const char *arg, const char *const *keys, bool any, unsigned *uses, char *err, size_t errlen)
{
	for (const char *s = arg; *s; s++) {
		size_t n;
		bool known;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s++;
			continue;
		}
		if (*s == '}') {
			snprintf(err, errlen, "argument '%.100s': stray '}' (write }} for a literal brace)", arg);
			return -1;
		}
		if (*s != '{')
			continue;
		if (!(n = argv_name_len(s))) {
			snprintf(err, errlen, "argument '%.100s': '{' opens no placeholder {NAME} (write {{ for a "
					      "literal brace)", arg);
			return -1;
		}
		known = any || argv_is(s + 1, n, "in") || argv_is(s + 1, n, "out");
		for (size_t k = 0; keys && keys[k] && !known; k++)
			known = argv_is(s + 1, n, keys[k]);
		if (!known) {
			snprintf(err, errlen, "argument '%.100s': unknown placeholder {%.*s} (known: {in}, {out} and "
					      "the profile's [args] keys)", arg, (int)n, s + 1);
			return -1;
		}
		*uses |= argv_is(s + 1, n, "in") ? IPC_ARGV_USES_IN : argv_is(s + 1, n, "out") ? IPC_ARGV_USES_OUT : 0;
		s += n + 1;
	}
	return 0;
}

unsigned ipc_argv_uses(const struct wk_config *cfg)
{
	unsigned uses = 0;
	char err[8];

	for (uint32_t i = 0; i < cfg->nargs && i < WK_MAX_ARGS; i++) {
		unsigned one = 0;

		/* Any {KEY} counts as known here: only in and out are asked. */
		if (ipc_argv_check_any(cfg->args[i], &one, err, sizeof(err)) == 0)
			uses |= one;
	}
	return uses;
}

struct argv_out {
	char *buf;
	size_t cap, off;
	bool bad;
};

static void argv_put(struct argv_out *o, const char *s, size_t n)
{
	if (o->bad || n >= o->cap - o->off) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->off, s, n);
	o->off += n;
}

/* Ends the current argument; returns where it began. */
static char *argv_end(struct argv_out *o, size_t start)
{
	argv_put(o, "", 0);
	if (o->bad)
		return NULL;
	o->buf[o->off++] = '\0';
	return o->buf + start;
}

static char *argv_expand(struct argv_out *o, const char *arg, ipc_argv_lookup lookup, const void *ctx)
{
	size_t start = o->off;

	for (const char *s = arg; *s && !o->bad; s++) {
		size_t n;
		const char *v;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			argv_put(o, s++, 1);
			continue;
		}
		if (*s != '{') {
			argv_put(o, s, 1);
			continue;
		}
		n = argv_name_len(s);
		if (!n)
			return NULL;
		if (argv_is(s + 1, n, "in"))
			v = IPC_ARGV_IN;
		else if (argv_is(s + 1, n, "out"))
			v = IPC_ARGV_OUT;
		else if (!lookup || !(v = lookup(ctx, s + 1, n)))
			return NULL;
		argv_put(o, v, strlen(v));
		s += n + 1;
	}
	return argv_end(o, start);
}

int ipc_argv_build(const struct wk_config *cfg, ipc_argv_lookup lookup, const void *ctx, char *buf, size_t cap,
		   char **argv)
{
	struct argv_out o = { buf, cap, 0, false };
	const char *fixed[] = { cfg->interp, "--inhibit-cache", "--argv0", cfg->plugin, "--preload" };
	int argc = 0;
	size_t start;

	_Static_assert(sizeof(fixed) / sizeof(fixed[0]) == IPC_ARGV_LOADER, "loader options");
	if (cfg->nargs > WK_MAX_ARGS || cfg->ndeps > WK_MAX_DEPS)
		return -1;
	for (size_t i = 0; i < IPC_ARGV_LOADER; i++) {
		start = o.off;
		argv_put(&o, fixed[i], strlen(fixed[i]));
		argv[argc++] = argv_end(&o, start);
	}
	start = o.off;
	for (uint32_t i = 0; i < cfg->ndeps; i++) {
		if (i)
			argv_put(&o, ":", 1);
		argv_put(&o, cfg->deps[i], strlen(cfg->deps[i]));
	}
	argv[argc++] = argv_end(&o, start);
	start = o.off;
	argv_put(&o, cfg->plugin, strlen(cfg->plugin));
	argv[argc++] = argv_end(&o, start);
	for (uint32_t i = 0; i < cfg->nargs; i++)
		if (!(argv[argc++] = argv_expand(&o, cfg->args[i], lookup, ctx)))
			return -1;
	argv[argc] = NULL;
	return o.bad ? -1 : argc;
}
