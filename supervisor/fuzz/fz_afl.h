/* `caisson afl`: a fuzz target's sandboxed worker under AFL++'s afl-fuzz
 * (its forkserver protocol on descriptors 198/199 and its shared-memory
 * bitmap, __AFL_SHM_ID), so that people who run AFL++ get caisson's
 * sandbox under their engine. One persistent worker (a pool of one)
 * runs each test case; the worker's pid is the "child" afl-fuzz watches.
 * Runs in the supervisor, started by afl-fuzz. */
#ifndef CAISSON_FZ_AFL_H
#define CAISSON_FZ_AFL_H

#include <event2/event.h>
#include <stddef.h>

#include "broker/pool.h"

struct fz_afl_opts {
	const char *input; /* the test case file (afl-fuzz's @@), NULL: standard input */
	size_t max_len;    /* longest test case read */
};

/* Serves afl-fuzz until it closes the control pipe: 0. Without a
 * forkserver (descriptor 198 not open), runs the input once: 0, with
 * *once its status as waitpid would give it (0, or the signal number).
 * -1 with err when it cannot go on. */
int fz_afl_run(struct pool *p, struct event_base *base, const struct fz_afl_opts *o, int *once, char *err,
	       size_t errlen);

#endif
