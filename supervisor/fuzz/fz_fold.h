/* How caisson fuzz folds findings: the key of one is its status and its
 * detail with what changes from run to run taken out (addresses, which
 * ASLR moves; a limit's measured peak or time), so that one bug is one
 * artifact however often it is hit. A crash whose worker left a stack
 * (fz_stack.h) is keyed by its stack hash instead: two bugs that die of
 * the same signal stay two findings. Pure; runs in the supervisor. */
#ifndef CAISSON_FZ_FOLD_H
#define CAISSON_FZ_FOLD_H

#include <stddef.h>

#include "broker/status.h"

/* Writes the key (NUL-terminated, truncated to len) into out; hash: the
 * stack hash, or NULL / "" when there is none. */
void fz_fold_key(enum cs_status st, const char *detail, const char *hash, char *out, size_t len);
/* The finding's kind (crash, timeout, oom, violation) by the worker's
 * status; NULL when the input ran to its end. A worker that broke the
 * protocol or its output cap counts as a crash (the target scribbled on
 * the runtime). */
const char *fz_fold_kind(enum cs_status st);

#endif
