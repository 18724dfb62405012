/* caisson fuzz -minimize_crash=1: shrinks the input of one finding while
 * it reproduces the same finding (status and folded detail, fz_fold.h),
 * and writes the result as <prefix>minimized-from-<sha1 of the input>.
 * Runs in the supervisor on the caller's event_base and pool; prints
 * libFuzzer-style lines to o->out. */
#ifndef CAISSON_FZ_MINIMIZE_H
#define CAISSON_FZ_MINIMIZE_H

#include <event2/event.h>
#include <stddef.h>

#include "broker/pool.h"
#include "fz_engine.h"

/* o->runs bounds the tries (0: none; each try is one run). 0 when the
 * result is written; -1 with err when the input does not reproduce a
 * finding or the run could not go on. */
int fz_minimize(struct pool *p, struct event_base *base, const struct fz_opts *o, const char *path, char *err,
		size_t errlen);

#endif
