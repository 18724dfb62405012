/* The coverage region of a fuzz worker (Z_SPAWN_FUZZ): one sealed memfd per
 * worker, written by the worker (hostile: the supervisor clamps every count
 * it reads here) and read by the supervisor after each answered input.
 * Shared memory on one host: fields are in the host's byte order.
 * Layout, all offsets fixed:
 *   0   u32 counters in use (the target's 8-bit inline counters, copied in
 *       after each input, all modules one after the other)
 *   8   u64 mask of the comparison slots written during the last input
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

_Static_assert(IPC_COV_CMP_OFF + IPC_COV_CMPS * sizeof(struct ipc_cov_cmp) <= IPC_COV_COUNTERS,
	       "comparison slots overlap the counters");
_Static_assert(IPC_COV_SIZE <= IPC_COV_MAX, "coverage region past the protocol's bound");

#endif
