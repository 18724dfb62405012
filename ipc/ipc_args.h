/* Per-request arguments on the wire (since protocol version 11): the
 * bounded key=value set a request may carry (IPC_F_ARGS in ipc_proto.h).
 * Pure code, no syscalls, no globals; runs in the supervisor (encoding the
 * pairs it has checked against the profile) and in the worker (decoding).
 * Block: u16 B, then B bytes of records (u8 key length 1..IPC_ARG_KEY_MAX,
 * u16 value length 0..IPC_ARG_VAL_MAX, key, value), at most IPC_ARGS_MAX of
 * them, tiling B exactly; no NUL in a key or value; no key twice. */
#ifndef CAISSON_IPC_ARGS_H
#define CAISSON_IPC_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_proto.h"

/* One pair as the supervisor holds it: lengths explicit, bytes not
 * NUL-terminated (a value from a query string may hold a NUL: the checks
 * refuse it). */
struct ipc_kv {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};

/* A decoded block: NUL-terminated copies, in wire order. */
struct ipc_args {
	uint32_t n;
	struct {
		char key[IPC_ARG_KEY_MAX + 1];
		char val[IPC_ARG_VAL_MAX + 1];
	} kv[IPC_ARGS_MAX];
};

/* The length of the well-formed block that begins at p (at most len bytes
 * of it are readable): IPC_ARGS_HDR + B; 0 when none does (a bound, a NUL,
 * a key twice, records not tiling B). */
size_t ipc_args_span(const uint8_t *p, size_t len);
/* Decodes the block of exactly len bytes at p into out; 0, or -1 when it
 * is not one well-formed block. */
int ipc_args_decode(const uint8_t *p, size_t len, struct ipc_args *out);
/* Writes n pairs as a block into dst (cap bytes); returns its length, or 0
 * when a pair breaks a rule above or the block does not fit. n = 0 writes
 * the empty block (IPC_ARGS_HDR bytes). */
size_t ipc_args_encode(uint8_t *dst, size_t cap, const struct ipc_kv *kv, size_t n);

#endif
