/* [pool] pipeline (see pool_int.h): requests sent to a busy worker behind
 * the one it runs, as W_REQUESTS records, and what happens to them when
 * the worker goes. Part of the broker's worker half; pool.c calls
 * pool_pipe from its dispatch. */
#include "pool_int.h"

#include <stdlib.h>
#include <sys/uio.h>

#include "ipc/ipc_io.h"
#include "policy/profile.h"

_Static_assert(PROFILE_PIPELINE_MAX <= IPC_BATCH_MAX, "a worker's staged requests go in one system call");

/* [pool] pipeline: whether r may be sent to w behind the request in hand.
 * Only inline requests (with their arguments, if any), answered inline (the regions hold one request's
 * bytes, still in use), within the depth and the worker's remaining
 * requests_per_worker. */
static bool pw_can_pipe(const struct pworker *w, const struct preq *r)
{
	const struct pool_sizing *sz = &w->p->sz;

	/* With its arguments block: alone in a message, a record always fits
	 * (ipc_send_requests starts a new one when the next does not). */
	return w->st == PW_BUSY && !w->pipe_full && r->len + r->args_len <= IPC_INLINE_MAX - IPC_REC_HDR &&
	       1 + w->npiped < sz->pipeline && w->served + 2 + w->npiped <= sz->requests_per_worker;
}

/* Takes r, the head of the pool's queue, to go behind the request in
 * hand; pw_send_staged sends what a dispatch staged, as W_REQUESTS
 * records: one message, or a few, in one system call. */
static void pw_stage(struct pworker *w, struct preq *r)
{
	struct pool *p = w->p;

	TAILQ_REMOVE(&p->queue, r, link);
	p->nqueued--;
	TAILQ_INSERT_TAIL(&w->piped, r, link);
	w->npiped++;
	w->nstaged++;
	r->w = w;
	r->piped = true;
}

/* Takes r out of the requests behind the one in hand. */
static void pw_take_piped(struct pworker *w, struct preq *r)
{
	TAILQ_REMOVE(&w->piped, r, link);
	w->npiped--;
}

/* The same, and r is no longer w's. */
static void pw_drop_piped(struct pworker *w, struct preq *r)
{
	pw_take_piped(w, r);
	r->w = NULL;
	r->piped = false;
}

/* The last request behind the one in hand goes back to the head of the
 * pool's queue. */
static void pw_unpipe_last(struct pworker *w)
{
	struct preq *r = TAILQ_LAST(&w->piped, preq_list);

	pw_drop_piped(w, r);
	TAILQ_INSERT_HEAD(&w->p->queue, r, link);
	w->p->nqueued++;
}

/* Sends the staged requests (the last nstaged piped ones). Those that do
 * not go (its socket is full, or it is gone: its end of stream and exit
 * will tell) return to the head of the queue, in order, and w takes no
 * more until it answers. */
static void pw_send_staged(struct pworker *w)
{
	uint64_t ids[IPC_BATCH_MAX];
	struct iovec iov[IPC_BATCH_MAX], args[IPC_BATCH_MAX];
	bool any = false;
	struct preq *r = TAILQ_LAST(&w->piped, preq_list);
	unsigned n = w->nstaged;
	int sent;

	/* staged < pipeline <= PROFILE_PIPELINE_MAX = IPC_BATCH_MAX */
	if (n == 0 || n > IPC_BATCH_MAX)
		abort();
	for (unsigned i = n; i-- > 0; r = TAILQ_PREV(r, preq_list, link)) {
		ids[i] = r->id;
		iov[i] = (struct iovec){ r->in, r->len };
		args[i] = (struct iovec){ r->args, r->args_len };
		any |= r->args != NULL;
	}
	w->nstaged = 0;
	sent = ipc_send_requests(w->ipc, ids, iov, any ? args : NULL, n);
	if (sent < 0)
		sent = 0;
	w->p->st.piped += (unsigned)sent;
	if ((unsigned)sent < n)
		w->pipe_full = true;
	/* The unsent ones are the last. */
	for (unsigned i = (unsigned)sent; i < n; i++)
		pw_unpipe_last(w);
}

/* The requests behind the one in hand go back to the head of the pool's
 * queue, in order, without spending their one retry: as far as we know
 * the worker never began them. */
void pw_unpipe(struct pworker *w)
{
	while (w->npiped)
		pw_unpipe_last(w);
}

/* The first request behind the one in hand, taken out of the list to
 * become the one in hand (still w's, still piped: answered inline); NULL
 * if there is none. */
struct preq *pw_next_piped(struct pworker *w)
{
	struct preq *r = TAILQ_FIRST(&w->piped);

	if (r)
		pw_take_piped(w, r);
	return r;
}

/* Cancels a request queued behind the one in hand and returns it (NULL
 * if w holds no such request). The worker would still run it, so the
 * worker goes; the request in hand and the others return to the queue,
 * none of it their fault. */
struct preq *pw_cancel_piped(struct pworker *w, uint64_t id)
{
	struct preq *r;

	TAILQ_FOREACH(r, &w->piped, link)
		if (r->id == id)
			break;
	if (!r)
		return NULL;
	pw_drop_piped(w, r);
	pw_requeue(w, false);
	pw_decide(w, CS_CANCELLED, 0, "request %llu queued in it was cancelled", (unsigned long long)id);
	return r;
}

/* [pool] pipeline: with no idle worker left, busy workers take waiting
 * requests behind the one in hand, the least loaded first, up to the
 * depth, in queue order (a head that cannot be piped waits for a worker);
 * then each worker gets its share in one system call, and one wake-up. */
void pool_pipe(struct pool *p)
{
	struct pworker *w;

	for (uint32_t depth = 1; depth < p->sz.pipeline && !TAILQ_EMPTY(&p->queue); depth++)
		TAILQ_FOREACH(w, &p->workers, link) {
			struct preq *r = TAILQ_FIRST(&p->queue);

			if (r && w->npiped < depth && pw_can_pipe(w, r))
				pw_stage(w, r);
		}
	TAILQ_FOREACH(w, &p->workers, link)
		if (w->nstaged)
			pw_send_staged(w);
}
