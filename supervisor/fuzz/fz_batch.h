/* A batch of fuzz inputs for one request to the worker (IPC_FUZZ_BATCH in
 * ipc_proto.h), built in place: the engine mutates each input straight
 * into the request's bytes. Bounded by a count and a byte budget, both
 * fixed when it is made, so which inputs share a batch depends on their
 * lengths alone. Pure (no I/O); runs in the supervisor. */
#ifndef CAISSON_FZ_BATCH_H
#define CAISSON_FZ_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_proto.h"

#define FZ_BATCH_DEFAULT 64u        /* inputs per batch unless -batch= says */
#define FZ_BATCH_DATA (1u << 20)    /* input bytes per batch, at least one max_len input */

struct fz_batch {
	uint8_t *buf; /* the request: count, then records */
	size_t len, cap;
	uint32_t n, max;
	size_t off[IPC_FUZZ_BATCH_MAX]; /* input j's bytes: buf + off[j], lens[j] long */
	uint32_t lens[IPC_FUZZ_BATCH_MAX];
};

/* The request size a batch of max inputs of up to max_len bytes can
 * reach: what the worker's input limit must allow. */
size_t fz_batch_bytes(uint32_t max, size_t max_len);
/* 0, or -1 when out of memory. max: 1..IPC_FUZZ_BATCH_MAX. */
int fz_batch_init(struct fz_batch *b, uint32_t max, size_t max_len);
void fz_batch_free(struct fz_batch *b);
void fz_batch_clear(struct fz_batch *b);
/* Room for one more input of up to len bytes? */
bool fz_batch_room(const struct fz_batch *b, size_t len);
/* Where the next input's bytes go (fz_batch_room first), then its length. */
uint8_t *fz_batch_slot(struct fz_batch *b);
void fz_batch_commit(struct fz_batch *b, size_t len);
/* Drops the first k inputs (all of them when k >= n), keeping the rest in
 * order. */
void fz_batch_drop(struct fz_batch *b, uint32_t k);

#endif
