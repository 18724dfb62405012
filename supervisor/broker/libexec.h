/* Where caisson's helpers are (caisson-zygote, caisson-probes.so), for the
 * caisson program and for libcaisson embedded in a service. Runs in the
 * supervisor, as its user; reads the environment and the file system only.
 * Every place looked at, in order:
 *   1. relative to where this code is installed: the caisson program's
 *      directory/../libexec/caisson (the path from bindir to libexecdir
 *      computed at configure time), or for libcaisson the directory of the
 *      shared object (dladdr)/../libexec/caisson (from libdir);
 *   2. that directory itself (a build tree, where helpers sit beside it);
 *   3. $CAISSON_LIBEXECDIR, when set;
 *   4. the configured libexec directory (CAISSON_LIBEXECDIR at build time). */
#ifndef CAISSON_LIBEXEC_H
#define CAISSON_LIBEXEC_H

#include <stddef.h>

/* Finds helper NAME, accessible with MODE (X_OK, R_OK), and writes its path
 * to out. -1 when it is nowhere: err then holds the one-line message
 * "NAME not found in A, B, $CAISSON_LIBEXECDIR (not set) or D". */
int libexec_find(const char *name, int mode, char *out, size_t len, char *err, size_t errlen);

#endif
