/* Names a finding's frames (function, file:line:column) with
 * llvm-symbolizer, run by the supervisor outside the sandbox on the
 * target's own files: the worker gets no right for it. Only frames in the
 * given modules (exact paths, NULL-terminated) are looked up. Runs in the
 * supervisor as the invoking user. */
#ifndef CAISSON_FZ_SYMBOLIZE_H
#define CAISSON_FZ_SYMBOLIZE_H

#include "fz_stack.h"

/* Fills func and where of the frames it can; 0, or -1 when no symbolizer
 * could be started (the stack stays as the worker printed it). */
int fz_symbolize(struct fz_stack *st, const char *const *modules);

#endif
