/* The lint of a profile's [filesystem] data and scratch against the host:
 * each data path must be canonical (no symbolic link on the way), a
 * directory or regular file the invoking user can read, not one of the
 * host's top-level trees whole, and neither at, beneath nor above a place
 * of secrets or host state (/proc, /home, /etc/shadow, /var/lib, ...);
 * data paths must not nest with each other or with bind_ro. scratch must
 * not exceed [limits] memory. Runs in the supervisor (stat, realpath,
 * access). Returns 0, or -1 with "FILE:LINE: message" in err. */
#ifndef CAISSON_LINT_DATA_H
#define CAISSON_LINT_DATA_H

#include <stddef.h>

struct profile;

int lint_data(const struct profile *p, const char *file, char *err, size_t errlen);

#endif
