/* Per-request arguments on a request (issue 15): checked against the
 * profile's [args] (policy/reqargs.h) and encoded for the wire
 * (ipc/ipc_args.h) when the request is made, on the caller's thread, so
 * that a refused one ends BAD_ARGS at enqueue, before any worker sees it.
 * Runs in the supervisor; pure apart from one allocation. */
#include "pool_int.h"

#include <stdlib.h>
#include <string.h>

#include "ipc/ipc_args.h"
#include "policy/reqargs.h"

int pool_req_args(struct preq *r, const struct reqargs_decl *d, const struct ipc_kv *kv, size_t n)
{
	uint8_t block[IPC_ARGS_WIRE_MAX];
	size_t len;

	if (n == 0)
		return 0;
	if (reqargs_check(d, kv, n, r->detail, sizeof(r->detail)) < 0) {
		r->decided = true;
		r->status = CS_BAD_ARGS;
		return 0;
	}
	len = ipc_args_encode(block, sizeof(block), kv, n);
	/* A broken invariant, not a caller's error: reqargs_check enforces
	 * every rule the wire has (count, lengths, NUL, a key once). */
	if (len == 0)
		abort();
	free(r->args);
	if (!(r->args = malloc(len)))
		return -1;
	memcpy(r->args, block, len);
	r->args_len = (uint32_t)len;
	return 0;
}

uint64_t pool_submit_args(struct pool *p, const void *in, size_t len, const struct reqargs_decl *d,
			  const struct ipc_kv *kv, size_t n, pool_cb cb, void *arg)
{
	struct preq *r = pool_req_new(p->next_id + 1, in, len, p->lim.input_bytes, false, cb, arg);

	if (!r)
		return 0;
	if (pool_req_args(r, d, kv, n) < 0) {
		pool_req_free(r);
		return 0;
	}
	p->next_id++;
	pool_req_enqueue(p, r);
	return r->id;
}
