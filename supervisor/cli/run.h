/* What caisson run and caisson exec share: the options they parse into,
 * and the run itself (profile, policy, worker configuration, a pool over
 * the inputs, answers in input order). Runs in the caisson program as the
 * invoking user; prints its own errors. */
#ifndef CAISSON_RUN_H
#define CAISSON_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "run_io.h"

#define RUN_MAX_ARGS 16

struct run_opts {
	const char *profile, *outdir, *plugin, *ext;
	char *args[RUN_MAX_ARGS];
	size_t nargs;
	/* caisson exec: the tool (absolute) and its ARGS template,
	 * NULL-terminated; NULL for caisson run's plugin. */
	const char *const *tool_argv;
	int verbose;
	uint32_t jobs;
	char **inputs; /* the FILEs (cli_args storage) */
	int ninputs;
	struct run_out out;
};

/* Runs the inputs through a pool of the options' workers; the exit
 * status: 0 all OK, 1 some input failed, 2 nothing ran. */
int run_pool(struct run_opts *o);
/* -j N, checked (1..1024); usage error naming cmd otherwise. */
int run_parse_jobs(const char *cmd, const char *arg, uint32_t *jobs);

#endif
