/* libFuzzer target: the IPC decoder and the config decoder on arbitrary
 * bytes, in every direction and state. They must never read out of bounds
 * and must keep their invariants on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_codec.h"
#include "ipc_config.h"

static struct wk_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[IPC_MAX_FDS] = { 100, 101, 102, 103 };
	struct ipc_msg m;

	if (size < 2)
		return 0;
	for (unsigned dir = IPC_S2W; dir <= IPC_C2Z; dir++) {
		for (unsigned st = 1; st <= ST_BUSY; st <<= 1) {
			struct ipc_expect ex = { .dir = dir, .state = st, .match_id = data[0] & 1, .id = data[1] };
			unsigned nfds = data[0] >> 1 & 7;
			if (nfds > IPC_MAX_FDS)
				nfds = IPC_MAX_FDS;
			if (ipc_decode(data + 2, size - 2, fds, nfds, &ex, &m) == IPC_OK) {
				if (m.args_len + m.len != size - 2 - IPC_HDR_LEN || m.nfds != nfds)
					abort();
				if (m.type == IPC_W_DONE && strlen(m.u.done.text.s) > IPC_TEXT_MAX)
					abort();
				if ((m.type == IPC_W_OK || m.type == IPC_W_REQUESTS) && m.len > IPC_INLINE_MAX)
					abort();
				if (m.type == IPC_W_REQUESTS) {
					/* The records tile the payload exactly, each inside it. */
					struct ipc_rec_it it = { m.payload, m.len };
					const uint8_t *d;
					uint64_t id;
					uint32_t n, count = 0;
					while (ipc_rec_next(&it, &id, &d, &n)) {
						if (d < m.payload || d + n > m.payload + m.len)
							abort();
						count++;
					}
					if (it.left != 0 || count == 0)
						abort();
				}
			}
		}
	}
	{
		/* A fuzz batch: accepted ones tile the bytes with their count. */
		struct ipc_batch_it it;
		const uint8_t *d;
		uint32_t n, count = ipc_batch_open(&it, data, size), seen = 0;
		while (ipc_batch_next(&it, &d, &n)) {
			if (d < data || d + n > data + size)
				abort();
			seen++;
		}
		if (seen != count || it.left != 0 || count > IPC_FUZZ_BATCH_MAX)
			abort();
	}
	if (wk_config_decode(data, size, &cfg) == 0 &&
	    (cfg.ninsns == 0 || cfg.ninsns > WK_MAX_INSNS || cfg.prefault_bytes > WK_PREFAULT_MAX))
		abort();
	return 0;
}
