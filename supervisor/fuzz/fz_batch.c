/* caisson fuzz's batches; see fz_batch.h. Pure; runs in the supervisor. */
#include "fz_batch.h"

#include <stdlib.h>
#include <string.h>

#include "ipc/wire.h"

static size_t fz_batch_data(size_t max_len)
{
	return max_len > FZ_BATCH_DATA ? max_len : FZ_BATCH_DATA;
}

size_t fz_batch_bytes(uint32_t max, size_t max_len)
{
	size_t data = (size_t)max * max_len;

	if (max_len && data / max_len != max)
		data = SIZE_MAX;
	if (data > fz_batch_data(max_len))
		data = fz_batch_data(max_len);
	return IPC_FUZZ_BATCH_HDR + (size_t)max * IPC_FUZZ_BATCH_REC + data;
}

int fz_batch_init(struct fz_batch *b, uint32_t max, size_t max_len)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->cap = fz_batch_bytes(max, max_len);
	if (!(b->buf = malloc(b->cap)))
		return -1;
	fz_batch_clear(b);
	return 0;
}

void fz_batch_free(struct fz_batch *b)
{
	free(b->buf);
	b->buf = NULL;
}

void fz_batch_clear(struct fz_batch *b)
{
	b->n = 0;
	b->len = IPC_FUZZ_BATCH_HDR;
	wire_put32(b->buf, 0);
}

bool fz_batch_room(const struct fz_batch *b, size_t len)
{
	return b->n < b->max && b->cap - b->len >= IPC_FUZZ_BATCH_REC && len <= b->cap - b->len - IPC_FUZZ_BATCH_REC;
}

uint8_t *fz_batch_slot(struct fz_batch *b)
{
	return b->buf + b->len + IPC_FUZZ_BATCH_REC;
}

void fz_batch_commit(struct fz_batch *b, size_t len)
{
	wire_put32(b->buf + b->len, (uint32_t)len);
	b->off[b->n] = b->len + IPC_FUZZ_BATCH_REC;
	b->lens[b->n] = (uint32_t)len;
	b->len += IPC_FUZZ_BATCH_REC + len;
	b->n++;
	wire_put32(b->buf, b->n);
}

void fz_batch_drop(struct fz_batch *b, uint32_t k)
{
	size_t from, shift;

	if (k >= b->n) {
		fz_batch_clear(b);
		return;
	}
	from = b->off[k] - IPC_FUZZ_BATCH_REC;
	shift = from - IPC_FUZZ_BATCH_HDR;
	memmove(b->buf + IPC_FUZZ_BATCH_HDR, b->buf + from, b->len - from);
	for (uint32_t j = k; j < b->n; j++) {
		b->off[j - k] = b->off[j] - shift;
		b->lens[j - k] = b->lens[j];
	}
	b->n -= k;
	b->len -= shift;
	wire_put32(b->buf, b->n);
}
