/* The coverage region of a fuzz worker (Z_SPAWN_FUZZ): one sealed memfd per
 * worker, written by the worker (hostile: the supervisor clamps every count
 * it reads here) and read by the supervisor after each answered input.
 * Shared memory on one host: fields are in the host's byte order.
 * Layout, all offsets fixed:
 *   0   u32 counters in use (the target's 8-bit inline counters, copied in
 *       after a batch, those of its last input run, all modules one after
 *       the other)
 *   4   u32 the index in its batch (ipc_proto.h) of the input the worker is
 *       running or ran last: written before each call
 *   8   u64 mask of the comparison slots written during the last batch
 *   64  IPC_COV_CMPS comparison slots (ipc_cov_cmp): operand pairs seen by
 *       the comparison hooks, a slot per call site (hash of its pc)
 *   IPC_COV_COUNTERS  the counters, up to the region's end. */
#ifndef CAISSON_IPC_COV_H
#define CAISSON_IPC_COV_H

#include <stdint.h>

#include "ipc_proto.h"

#define IPC_COV_CMPS 64u
#define IPC_COV_CMP_BYTES 32u /* operand bytes kept per side (memcmp and strcmp prefixes) */
#define IPC_COV_NCOUNTERS_OFF 0u
#define IPC_COV_CURRENT_OFF 4u
#define IPC_COV_MASK_OFF 8u
#define IPC_COV_CMP_OFF 64u
#define IPC_COV_COUNTERS 8192u
#define IPC_COV_MIN (IPC_COV_COUNTERS + 4096u)
/* What the supervisor makes: 1 MiB of counters, 8-bit each (libpng and
 * zlib together have ~25k edges). */
#define IPC_COV_SIZE (IPC_COV_COUNTERS + (1u << 20))

/* One comparison that came out unequal: la bytes of operand a and lb of b
 * (integers: both 1, 2, 4 or 8, in host order; memory and strings: their
 * first bytes, up to IPC_COV_CMP_BYTES). Both values count as hostile. */
enum { IPC_COV_INT = 1, IPC_COV_MEM = 2 };
struct ipc_cov_cmp {
	uint8_t kind, la, lb, pad[5];
	uint8_t a[IPC_COV_CMP_BYTES], b[IPC_COV_CMP_BYTES];
};

/* libFuzzer's eight hit-count buckets: a counter's feature is its index
 * and the bucket of its value (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+).
 * The worker's "new to me" and the supervisor's corpus use the same. */
static inline unsigned ipc_cov_bucket(uint8_t v)
{
	if (v <= 3)
		return v - 1u;
	if (v < 8)
		return 3;
	if (v < 16)
		return 4;
	if (v < 32)
		return 5;
	return v < 128 ? 6 : 7;
}

_Static_assert(IPC_COV_CMP_OFF + IPC_COV_CMPS * sizeof(struct ipc_cov_cmp) <= IPC_COV_COUNTERS,
	       "comparison slots overlap the counters");
_Static_assert(IPC_COV_SIZE <= IPC_COV_MAX, "coverage region past the protocol's bound");

#endif
