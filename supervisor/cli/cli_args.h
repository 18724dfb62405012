/* Command-line conventions shared by every caisson command: GNU-style
 * options anywhere among the arguments, "--" ending them, the same whatever
 * POSIXLY_CORRECT says; and usage errors as one line with the reason and
 * one line pointing at --help. Runs in the caisson program (no library
 * code uses it); messages go to stderr. */
#ifndef CAISSON_CLI_ARGS_H
#define CAISSON_CLI_ARGS_H

#include <getopt.h>
#include <stddef.h>

#include "ipc/ipc_args.h"
#include "policy/reqargs.h"

struct cli_args {
	const char *cmd; /* "run", "verify", "profile": names the command in messages */
	char **pos;      /* the arguments that are not options, in order */
	int npos;
};

/* Starts parsing argv (argv[0] is the command's name). -1 when out of
 * memory (message printed). */
int cli_args_init(struct cli_args *a, const char *cmd, int argc);
/* Like getopt_long over (argc, argv) with shortopts (no leading '+', '-'
 * or ':'), except that arguments that are not options are collected in
 * a->pos in order, wherever they are, and everything after "--" too.
 * Returns the option, -1 at the end, or '?' after printing the usage
 * error for an unknown option or a missing argument. */
int cli_getopt(struct cli_args *a, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
void cli_args_free(struct cli_args *a);

/* --arg KEY=VALUE, repeatable (caisson run, caisson exec): the request
 * arguments of every input. n counts every --arg given; kv holds the first
 * IPC_ARGS_MAX (more are refused by their count: reqargs_check reads no
 * pair then), pointing into argv. */
struct cli_reqargs {
	struct ipc_kv kv[IPC_ARGS_MAX];
	size_t n;
};
/* Adds one --arg value; a usage error (returns 2, message printed) when it
 * has no '='. */
int cli_reqargs_add(struct cli_reqargs *r, const char *cmd, const char *arg);
/* Checks them against the profile's [args] (d, from file) before anything
 * runs; 0, or 2 after printing "caisson CMD: FILE: --arg: REASON". */
int cli_reqargs_check(const struct cli_reqargs *r, const struct reqargs_decl *d, const char *cmd,
		      const char *file);

/* Prints "caisson CMD: REASON" and "Try 'caisson CMD --help' for more
 * information." (CMD NULL: the top level) on stderr; returns 2, the exit
 * status of a usage error. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
