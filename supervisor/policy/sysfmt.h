/* Formats a blocked syscall for a VIOLATION line, e.g.
 *   openat(AT_FDCWD, "/etc/passwd", O_RDONLY)
 * Pure: the syscall number, arch and register arguments come from the
 * kernel's seccomp notification; strings are fetched through the reader
 * callback (from the worker's memory, marked as such by the caller). */
#ifndef CAISSON_SYSFMT_H
#define CAISSON_SYSFMT_H

#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/types.h>

/* Copies at most len bytes at addr of the traced process into buf; returns
 * the number of bytes read or -1. */
typedef ssize_t (*sysfmt_reader)(void *ctx, unsigned long long addr, void *buf, size_t len);

void sysfmt_format(const struct seccomp_data *sd, sysfmt_reader rd, void *ctx, char *out, size_t outlen);
/* A signal's abbreviation ("SEGV", "ABRT"), "?" for an unknown number. */
const char *sysfmt_signame(int sig);

#endif
