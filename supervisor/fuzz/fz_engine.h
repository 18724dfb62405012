/* The fuzzing loop of caisson fuzz: one persistent sandboxed worker (a
 * pool of one, replaced by the pool after any finding) runs input after
 * input; each answer's coverage snapshot feeds the corpus and the
 * comparison table; every finding is written to disk, then reported and
 * counted, deduplicated by stack hash (or status and detail). Runs in the supervisor on
 * the caller's event_base; prints libFuzzer-style lines to err_out. */
#ifndef CAISSON_FZ_ENGINE_H
#define CAISSON_FZ_ENGINE_H

#include <event2/event.h>
#include <stdint.h>
#include <stdio.h>

#include "broker/pool.h"
#include "fz_mutate.h"

struct fz_opts {
	uint64_t runs;           /* executions in all, the corpus's included; 0: no bound */
	uint64_t max_total_time; /* seconds; 0: no bound */
	size_t max_len;
	uint32_t batch;          /* inputs per request to the worker, 1..IPC_FUZZ_BATCH_MAX */
	uint32_t workers;        /* batches in flight, one per worker of the pool (0: 1) */
	uint64_t seed;
	const struct fz_dict *dict;     /* NULL: none */
	const char *artifact_prefix;   /* findings go to <prefix><kind>-<sha1> */
	char *const *dirs;             /* corpus directories; new inputs go to the first */
	size_t ndirs;
	int merge;                     /* -merge=1: load the directories, add to the first, stop */
	const char *const *modules;    /* the target and its libraries (NULL-terminated):
					* the files a finding's stack is symbolized in */
	FILE *out;                     /* stats and findings lines */
};

struct fz_report {
	uint64_t execs;
	uint64_t findings;      /* all, duplicates included */
	uint64_t unique;        /* distinct status+detail */
	uint64_t timeouts_only; /* every finding was a timeout: 1 */
	uint64_t merged;        /* inputs of the other directories added to the first */
};

/* Fuzzes until -runs or -max_total_time. 0 when it ran to the end (with or
 * without findings: see rep), -1 with err when it could not go on (the
 * target does not start, a file cannot be written). */
int fz_run(struct pool *p, struct event_base *base, const struct fz_opts *o, struct fz_report *rep, char *err,
	   size_t errlen);

#endif
