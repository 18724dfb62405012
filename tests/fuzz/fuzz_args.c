/* libFuzzer target: the per-request arguments decoder (ipc/ipc_args.c) and
 * ipc_decode's flagged requests, on arbitrary bytes. They must never read
 * out of bounds; a block accepted must decode to at most IPC_ARGS_MAX pairs
 * within their bounds, with no NUL inside and no key twice, and encode
 * back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_args.h"
#include "ipc_codec.h"

static struct ipc_args a;

static void check_block(const uint8_t *p, size_t len)
{
	size_t span = ipc_args_span(p, len);
	struct ipc_kv kv[IPC_ARGS_MAX];
	uint8_t back[IPC_ARGS_WIRE_MAX];

	if (span > len || span > IPC_ARGS_WIRE_MAX || (span && span < IPC_ARGS_HDR))
		abort();
	if (ipc_args_decode(p, len, &a) == 0 && span != len)
		abort();
	if (!span || ipc_args_decode(p, span, &a) < 0) {
		if (span)
			abort(); /* span and decode must agree */
		return;
	}
	if (a.n > IPC_ARGS_MAX)
		abort();
	for (uint32_t i = 0; i < a.n; i++) {
		size_t kl = strlen(a.kv[i].key), vl = strlen(a.kv[i].val);

		if (kl < 1 || kl > IPC_ARG_KEY_MAX || vl > IPC_ARG_VAL_MAX)
			abort();
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(a.kv[i].key, a.kv[j].key) == 0)
				abort();
		kv[i] = (struct ipc_kv){ a.kv[i].key, kl, a.kv[i].val, vl };
	}
	if (ipc_args_encode(back, sizeof(back), kv, a.n) != span || memcmp(back, p, span) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ipc_expect ex = { .dir = IPC_S2W, .state = ST_IDLE };
	struct ipc_msg m;

	check_block(data, size);
	if (ipc_decode(data, size, NULL, 0, &ex, &m) == IPC_OK) {
		if (m.args_len + m.len + IPC_HDR_LEN != size || (m.args && m.args_len < IPC_ARGS_HDR))
			abort();
		if (m.args)
			check_block(m.args, m.args_len);
		if (m.type == IPC_W_REQUESTS && (m.flags & IPC_F_ARGS)) {
			struct ipc_rec_it it = { m.payload, m.len };
			const uint8_t *d, *args;
			uint64_t id;
			uint32_t n, alen;

			while (ipc_rec_next(&it, &id, &d, &n)) {
				ipc_rec_args(&d, &n, &args, &alen);
				if (alen < IPC_ARGS_HDR || args + alen != d || d + n > m.payload + m.len)
					abort();
				check_block(args, alen);
			}
		}
	}
	return 0;
}
