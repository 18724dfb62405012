/* GNU-style option parsing and usage errors for the caisson program; see
 * cli_args.h. Runs in the caisson program as the invoking user. */
#include "cli_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_args_init(struct cli_args *a, const char *cmd, int argc)
{
	a->cmd = cmd;
	a->npos = 0;
	a->pos = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*a->pos));
	if (!a->pos) {
		fprintf(stderr, "caisson %s: out of memory\n", cmd);
		return -1;
	}
	optind = 0; /* a full restart of getopt, for each command */
	opterr = 0; /* our own messages, naming the command */
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "caisson%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'caisson%s%s --help' for more information.\n", cmd ? " " : "", cmd ? cmd : "");
	return 2;
}

/* Whether getopt's error was about the long option written in word: an
 * unknown one (optopt 0), or a known one whose value is optopt. A short
 * option inside a cluster ("-xv") leaves optind on the word before. */
static int cli_is_long(const char *word, const struct option *lo)
{
	size_t len = strcspn(word, "=");

	if (strncmp(word, "--", 2) != 0 || len < 3)
		return 0;
	if (optopt == 0)
		return 1;
	for (; lo && lo->name; lo++)
		if (lo->val == optopt && strlen(lo->name) == len - 2 && !strncmp(lo->name, word + 2, len - 2))
			return 1;
	return 0;
}

/* The usage error for what getopt refused: c is '?' (unknown option, or
 * an argument given to one that takes none) or ':' (missing argument). */
static void cli_refused(const struct cli_args *a, int c, char **argv, const struct option *lo)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	char opt[3] = { '-', (char)optopt, '\0' };
	int islong = cli_is_long(word, lo);
	int len = islong ? (int)strcspn(word, "=") : 2;
	const char *name = islong ? word : opt;

	if (c == ':')
		cli_usage_error(a->cmd, "option '%.*s' needs an argument", len, name);
	else if (islong && optopt)
		cli_usage_error(a->cmd, "option '%.*s' takes no argument", len, name);
	else
		cli_usage_error(a->cmd, "unknown option '%.*s'", len, name);
}

int cli_getopt(struct cli_args *a, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	/* '-': every argument is returned in order (1 for a non-option), so
	 * options anywhere work without permuting argv and POSIXLY_CORRECT
	 * changes nothing; ':': a missing argument is told apart. */
	char opts[64];
	int c;

	snprintf(opts, sizeof(opts), "-:%s", shortopts);
	while ((c = getopt_long(argc, argv, opts, longopts, NULL)) == 1)
		a->pos[a->npos++] = optarg;
	if (c == -1)
		while (optind < argc)
			a->pos[a->npos++] = argv[optind++];
	if (c == '?' || c == ':') {
		cli_refused(a, c, argv, longopts);
		return '?';
	}
	return c;
}

void cli_args_free(struct cli_args *a)
{
	free(a->pos);
	a->pos = NULL;
}

int cli_reqargs_add(struct cli_reqargs *r, const char *cmd, const char *arg)
{
	struct ipc_kv kv;

	if (reqargs_split(arg, strlen(arg), &kv) < 0)
		return cli_usage_error(cmd, "--arg wants KEY=VALUE, not '%.60s'", arg);
	if (r->n < IPC_ARGS_MAX)
		r->kv[r->n] = kv;
	r->n++;
	return 0;
}

int cli_reqargs_check(const struct cli_reqargs *r, const struct reqargs_decl *d, const char *cmd,
		      const char *file)
{
	char why[512];

	if (reqargs_check(d, r->kv, r->n, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "caisson %s: %s: --arg: %s\n", cmd, file, why);
	return 2;
}
