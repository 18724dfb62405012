/* A small process-wide cache of large buffers for requests and answers.
 * A fresh buffer of a MiB or more comes from mmap and costs a page fault
 * per 4 KiB page on first touch (~14 us each on these VMs): more than the
 * rest of a 1 MiB call. Buffers of BC_MIN bytes or more go back here
 * instead of to free() and are handed out again, up to BC_SLOTS buffers
 * and BC_TOTAL bytes. Every byte a caller sees is written by its own
 * request first. Thread-safe (requests are built on callers' threads). */
#ifndef CAISSON_BUFCACHE_H
#define CAISSON_BUFCACHE_H

#include <stddef.h>

#define BC_MIN (128u * 1024u)
#define BC_SLOTS 8u
#define BC_TOTAL (64u * 1024u * 1024u)

/* A buffer of at least len bytes (malloc'd); *cap gets its size. NULL when
 * out of memory. */
void *bc_get(size_t len, size_t *cap);
/* Gives back a buffer of cap bytes from bc_get, or any malloc'd one; NULL
 * is ignored. */
void bc_put(void *buf, size_t cap);

#endif
