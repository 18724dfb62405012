/* Per-request arguments on the wire; see ipc_args.h. Pure code, run by the
 * supervisor (encoding) and by the worker (decoding, after ipc_decode has
 * checked the block with ipc_args_span: the two share one walk). */
#include "ipc_args.h"

#include <string.h>

#include "wire.h"

/* Walks the records of a block body (len bytes at p), copying each pair
 * into out when it is set. The count, or -1 when malformed. */
static int ipc_args_walk(const uint8_t *p, size_t len, struct ipc_args *out)
{
	const uint8_t *keys[IPC_ARGS_MAX];
	size_t klens[IPC_ARGS_MAX];
	unsigned n = 0;

	while (len) {
		size_t kl, vl;

		if (n == IPC_ARGS_MAX || len < IPC_ARG_REC)
			return -1;
		kl = p[0];
		vl = wire_get16(p + 1);
		if (kl < 1 || kl > IPC_ARG_KEY_MAX || vl > IPC_ARG_VAL_MAX || kl + vl > len - IPC_ARG_REC)
			return -1;
		p += IPC_ARG_REC;
		len -= IPC_ARG_REC;
		if (memchr(p, 0, kl + vl))
			return -1;
		for (unsigned i = 0; i < n; i++)
			if (klens[i] == kl && memcmp(keys[i], p, kl) == 0)
				return -1;
		keys[n] = p;
		klens[n] = kl;
		if (out) {
			memcpy(out->kv[n].key, p, kl);
			out->kv[n].key[kl] = '\0';
			memcpy(out->kv[n].val, p + kl, vl);
			out->kv[n].val[vl] = '\0';
		}
		p += kl + vl;
		len -= kl + vl;
		n++;
	}
	return (int)n;
}

size_t ipc_args_span(const uint8_t *p, size_t len)
{
	size_t b;

	if (len < IPC_ARGS_HDR)
		return 0;
	b = wire_get16(p);
	if (b > IPC_ARGS_WIRE_MAX - IPC_ARGS_HDR || b > len - IPC_ARGS_HDR)
		return 0;
	return ipc_args_walk(p + IPC_ARGS_HDR, b, NULL) < 0 ? 0 : IPC_ARGS_HDR + b;
}

int ipc_args_decode(const uint8_t *p, size_t len, struct ipc_args *out)
{
	int n;
	size_t span = ipc_args_span(p, len);

	out->n = 0;
	if (span == 0 || span != len)
		return -1;
	n = ipc_args_walk(p + IPC_ARGS_HDR, len - IPC_ARGS_HDR, out);
	if (n < 0)
		return -1;
	out->n = (uint32_t)n;
	return 0;
}

size_t ipc_args_encode(uint8_t *dst, size_t cap, const struct ipc_kv *kv, size_t n)
{
	size_t off = IPC_ARGS_HDR;

	if (n > IPC_ARGS_MAX || cap < IPC_ARGS_HDR)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t kl = kv[i].klen, vl = kv[i].vlen;

		if (kl < 1 || kl > IPC_ARG_KEY_MAX || vl > IPC_ARG_VAL_MAX || IPC_ARG_REC + kl + vl > cap - off)
			return 0;
		dst[off] = (uint8_t)kl;
		wire_put16(dst + off + 1, (uint16_t)vl);
		memcpy(dst + off + IPC_ARG_REC, kv[i].key, kl);
		memcpy(dst + off + IPC_ARG_REC + kl, kv[i].val, vl);
		off += IPC_ARG_REC + kl + vl;
	}
	wire_put16(dst, (uint16_t)(off - IPC_ARGS_HDR));
	/* The same rules the worker's decoder applies (NUL, a key twice). */
	return ipc_args_span(dst, off) == off ? off : 0;
}
