/* libcaisson's public API (caisson.h) over the broker (pool.h). Runs in the
 * embedding process. Owns what a pool needs to outlive its creation call
 * (profile, compiled policy, worker configuration) and the cross-thread
 * inbox: other threads append submissions and cancellations under a mutex
 * and poke an eventfd; the base's thread drains them in order. */
#include "caisson.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "policy/policy.h"
#include "pool.h"
#include "policy/profile_load.h"
#include "setup.h"

#define LIB_SAME(n) _Static_assert((int)CS_##n == (int)CAISSON_##n, "status " #n " differs");
CS_STATUSES(LIB_SAME)
#undef LIB_SAME

struct lib_op {
	struct preq *req; /* a submission, or NULL for a cancellation of id */
	uint64_t id;
};

struct lib_req {
	caisson_callback cb;
	void *arg;
};

struct caisson_pool {
	struct event_base *base;
	struct pool *pool;
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg;
	pthread_t owner;
	_Atomic uint64_t next_id;
	size_t input_max;
	/* The inbox. */
	pthread_mutex_t mu;
	struct lib_op *ops;
	size_t nops, cap;
	int efd;
	struct event *ev_inbox;
};

const char *caisson_status_name(enum caisson_status s)
{
	return cs_status_name((enum cs_status)s);
}

static void lib_done(const struct pool_result *r, void *arg)
{
	struct lib_req *lr = arg;
	struct caisson_result res = {
		.id = r->id,
		.status = (enum caisson_status)r->status,
		.output = r->out,
		.output_len = r->out_len,
		.detail = r->detail,
		.signal = r->signal,
		.worker = r->pid,
		.latency_us = r->latency_us,
	};
	caisson_callback cb = lr->cb;
	void *cb_arg = lr->arg;

	free(lr);
	cb(&res, cb_arg);
}

static void lib_inbox(evutil_socket_t fd, short what, void *arg)
{
	struct caisson_pool *p = arg;
	struct lib_op *ops;
	size_t n;
	uint64_t v;

	if (read(p->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&p->mu);
	ops = p->ops;
	n = p->nops;
	p->ops = NULL;
	p->nops = p->cap = 0;
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < n; i++) {
		if (ops[i].req)
			pool_req_enqueue(p->pool, ops[i].req);
		else
			pool_cancel(p->pool, ops[i].id);
	}
	free(ops);
}

/* Appends to the inbox from a foreign thread; -1 when out of memory. */
static int lib_post(struct caisson_pool *p, struct preq *req, uint64_t id)
{
	uint64_t one = 1;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	if (p->nops == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct lib_op *o = realloc(p->ops, cap * sizeof(*o));
		if (!o)
			rc = -1;
		else {
			p->ops = o;
			p->cap = cap;
		}
	}
	if (rc == 0)
		p->ops[p->nops++] = (struct lib_op){ req, id };
	pthread_mutex_unlock(&p->mu);
	if (rc == 0 && write(p->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		rc = 0; /* the counter is saturated: a wake-up is pending anyway */
	return rc;
}

/* A plugin pool (argv NULL) or an exec pool (argv: the tool and its
 * ARGS template; exactly one of c->plugin and argv). */
static caisson_pool *lib_pool_new(struct event_base *base, const struct caisson_pool_config *c,
				  const char *const *argv, char *err, size_t errlen)
{
	struct caisson_pool *p = calloc(1, sizeof(*p));
	struct pool_limits lim;
	struct pool_sizing sz;
	char *args[WK_MAX_ARGS];
	size_t nargs = 0;

	if (!p || !(p->cfg = calloc(1, sizeof(*p->cfg)))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base = base;
	p->owner = pthread_self();
	p->efd = -1;
	pthread_mutex_init(&p->mu, NULL);
	atomic_init(&p->next_id, 0);
	while (c->plugin_args && c->plugin_args[nargs] && nargs < WK_MAX_ARGS) {
		args[nargs] = (char *)c->plugin_args[nargs];
		nargs++;
	}
	if (c->plugin_args && c->plugin_args[nargs]) {
		snprintf(err, errlen, "more than %u plugin arguments", WK_MAX_ARGS);
		goto fail;
	}
	if (!argv == !c->plugin || (argv && c->plugin_args)) {
		snprintf(err, errlen, "%s", argv ? "an exec pool takes no plugin and no plugin_args"
						 : "a plugin pool needs a plugin");
		goto fail;
	}
	if (profile_load(c->profile, &p->prof, err, errlen) < 0 || policy_build(&p->prof, &p->pol, err, errlen) < 0 ||
	    (argv ? setup_exec_config(&p->prof, &p->pol, argv, p->cfg, err, errlen)
		  : setup_worker_config(&p->prof, &p->pol, c->plugin, args, nargs, p->cfg, err, errlen)) < 0)
		goto fail;
	setup_limits(&p->prof, &lim);
	setup_sizing(&p->prof, &sz);
	if (c->max_workers)
		sz.max_workers = c->max_workers;
	if (sz.min_workers > sz.max_workers)
		sz.min_workers = sz.max_workers;
	p->input_max = (size_t)lim.input_bytes;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->ev_inbox = p->efd >= 0 ? event_new(base, p->efd, EV_READ | EV_PERSIST, lib_inbox, p) : NULL;
	if (!p->ev_inbox || event_add(p->ev_inbox, NULL) < 0) {
		snprintf(err, errlen, "inbox: %s", strerror(errno));
		goto fail;
	}
	p->pool = pool_new(base, &p->pol, &lim, &sz, p->cfg, err, errlen);
	if (!p->pool)
		goto fail;
	return p;
fail:
	caisson_pool_free(p);
	return NULL;
}

caisson_pool *caisson_pool_new(struct event_base *base, const struct caisson_pool_config *c, char *err,
			       size_t errlen)
{
	return lib_pool_new(base, c, NULL, err, errlen);
}

caisson_pool *caisson_exec_pool_new(struct event_base *base, const struct caisson_pool_config *c,
				    const char *const *argv, char *err, size_t errlen)
{
	if (!argv || !argv[0]) {
		snprintf(err, errlen, "an exec pool needs argv: the tool and its arguments");
		return NULL;
	}
	return lib_pool_new(base, c, argv, err, errlen);
}

static uint64_t lib_submit(caisson_pool *p, const void *in, size_t len, bool borrow, pool_cb cb, void *arg)
{
	uint64_t id = atomic_fetch_add(&p->next_id, 1) + 1;
	struct preq *r = pool_req_new(id, in, len, p->input_max, borrow, cb, arg);

	if (!r)
		return 0;
	if (pthread_equal(pthread_self(), p->owner)) {
		pool_req_enqueue(p->pool, r);
		return id;
	}
	if (lib_post(p, r, id) < 0) {
		pool_req_free(r);
		return 0;
	}
	return id;
}

static uint64_t lib_submit_cb(caisson_pool *p, const void *in, size_t len, bool borrow, caisson_callback cb,
			      void *arg)
{
	struct lib_req *lr = malloc(sizeof(*lr));
	uint64_t id;

	if (!lr)
		return 0;
	lr->cb = cb;
	lr->arg = arg;
	id = lib_submit(p, in, len, borrow, lib_done, lr);
	if (!id)
		free(lr);
	return id;
}

uint64_t caisson_submit(caisson_pool *p, const void *in, size_t len, caisson_callback cb, void *arg)
{
	return lib_submit_cb(p, in, len, false, cb, arg);
}

uint64_t caisson_submit_borrowed(caisson_pool *p, const void *in, size_t len, caisson_callback cb, void *arg)
{
	return lib_submit_cb(p, in, len, true, cb, arg);
}

void caisson_cancel(caisson_pool *p, uint64_t id)
{
	if (pthread_equal(pthread_self(), p->owner))
		pool_cancel(p->pool, id);
	else
		lib_post(p, NULL, id);
}

void caisson_pool_stats(caisson_pool *p, struct caisson_stats *st)
{
	struct pool_stats s;

	pool_stats(p->pool, &s);
	memset(st, 0, sizeof(*st));
	st->spawning = s.spawning;
	st->idle = s.idle;
	st->busy = s.busy;
	st->dying = s.dying;
	st->queued = s.queued;
	st->submitted = s.submitted;
	st->completed = s.completed;
	st->spawned = s.spawned;
	st->spawn_failed = s.spawn_failed;
	st->recycled = s.recycled;
	memcpy(st->by_status, s.by_status, sizeof(st->by_status));
	st->p50_us = s.p50_us;
	st->p99_us = s.p99_us;
	st->piped = s.piped;
	st->failed = s.failed;
	snprintf(st->failed_reason, sizeof(st->failed_reason), "%s", s.failed_reason);
	snprintf(st->last_spawn_error, sizeof(st->last_spawn_error), "%s", s.last_spawn_error);
	snprintf(st->memory_enforcement, sizeof(st->memory_enforcement), "%s", s.memory_enforcement);
	st->spawn_attempts = s.spawn_attempts;
	st->limit_failures = s.limit_failures;
	st->backoffs = s.backoffs;
	snprintf(st->limit, sizeof(st->limit), "%s", s.limit);
	snprintf(st->nofile, sizeof(st->nofile), "%s", s.nofile);
}

void caisson_pool_free(caisson_pool *p)
{
	if (!p)
		return;
	/* Submissions still in the inbox reach the pool first, so that they
	 * too complete (CANCELLED) exactly once. */
	if (p->pool && p->ev_inbox)
		lib_inbox(p->efd, EV_READ, p);
	pool_free(p->pool);
	if (p->ev_inbox)
		event_free(p->ev_inbox);
	if (p->efd >= 0)
		close(p->efd);
	free(p->ops);
	pthread_mutex_destroy(&p->mu);
	policy_free(&p->pol);
	profile_free(&p->prof);
	free(p->cfg);
	free(p);
}

/* ---- synchronous wrapper --------------------------------------------- */

/* A pool on a private base, run by a thread of its own, so that between
 * calls the pool keeps working: it pre-spawns (and pre-faults) the spare of
 * a fresh-worker-per-request profile, retires idle workers and reaps dead
 * ones. Callers submit through the pool's cross-thread inbox and wait on a
 * condition variable; calls are serialised by mu. */
struct caisson_sync {
	pthread_t thread;
	struct event_base *base;
	caisson_pool *pool;
	int stop_fd; /* eventfd: caisson_sync_free asks the loop to end */
	struct event *ev_stop;
	pthread_mutex_t mu;      /* one call at a time */
	pthread_mutex_t wait_mu; /* guards state and every lib_call's done */
	pthread_cond_t wait_cv;
	int state; /* 0 starting, 1 running, -1 failed to start or loop ended */
	/* Start-up: the loop thread builds the pool (its owner must be the
	 * thread that runs the base) and reports here. */
	const struct caisson_pool_config *cfg;
	const char *const *argv; /* an exec pool's tool and arguments, else NULL */
	char *err;
	size_t errlen;
};

/* Heap-allocated: a call that gives up on a dead loop returns while its
 * request is still pending; the CANCELLED callback that caisson_sync_free
 * brings frees it then. */
struct lib_call {
	caisson_sync *s;
	struct caisson_sync_result res;
	bool done, abandoned;
};

static void lib_sync_stop(evutil_socket_t fd, short what, void *arg)
{
	caisson_sync *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
}

static void lib_sync_set_state(caisson_sync *s, int state)
{
	pthread_mutex_lock(&s->wait_mu);
	s->state = state;
	pthread_cond_broadcast(&s->wait_cv);
	pthread_mutex_unlock(&s->wait_mu);
}

/* The loop thread. It ends when caisson_sync_free asks (or if the loop
 * fails), and frees the pool before it does: the kernel sends a child its
 * parent-death signal when the thread that started it exits, and the
 * zygote must outlive its pool to reap the workers (zyg_stop). */
static void *lib_sync_loop(void *arg)
{
	caisson_sync *s = arg;

	s->base = event_base_new();
	s->pool = !s->base ? NULL
		  : s->argv ? caisson_exec_pool_new(s->base, s->cfg, s->argv, s->err, s->errlen)
			    : caisson_pool_new(s->base, s->cfg, s->err, s->errlen);
	s->ev_stop = s->pool ? event_new(s->base, s->stop_fd, EV_READ, lib_sync_stop, s) : NULL;
	if (!s->ev_stop || event_add(s->ev_stop, NULL) < 0) {
		if (!s->base)
			snprintf(s->err, s->errlen, "out of memory");
		else if (s->pool)
			snprintf(s->err, s->errlen, "sync loop: %s", strerror(errno));
		caisson_pool_free(s->pool);
		s->pool = NULL;
		lib_sync_set_state(s, -1);
		return NULL;
	}
	lib_sync_set_state(s, 1);
	event_base_loop(s->base, EVLOOP_NO_EXIT_ON_EMPTY);
	/* Pending calls complete CANCELLED here, on the loop's thread. */
	caisson_pool_free(s->pool);
	s->pool = NULL;
	lib_sync_set_state(s, -1);
	return NULL;
}

static caisson_sync *lib_sync_new(const struct caisson_pool_config *cfg, const char *const *argv, char *err,
				  size_t errlen)
{
	struct caisson_sync *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->wait_mu, NULL);
	pthread_cond_init(&s->wait_cv, NULL);
	s->cfg = cfg;
	s->argv = argv;
	s->err = err;
	s->errlen = errlen;
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0 || (errno = pthread_create(&s->thread, NULL, lib_sync_loop, s)) != 0) {
		snprintf(err, errlen, "sync loop thread: %s", strerror(errno));
		if (s->stop_fd >= 0)
			close(s->stop_fd);
		pthread_cond_destroy(&s->wait_cv);
		pthread_mutex_destroy(&s->wait_mu);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&s->wait_mu);
	while (s->state == 0)
		pthread_cond_wait(&s->wait_cv, &s->wait_mu);
	pthread_mutex_unlock(&s->wait_mu);
	s->cfg = NULL;
	s->argv = NULL;
	s->err = NULL;
	if (s->state < 0) {
		caisson_sync_free(s);
		return NULL;
	}
	return s;
}

caisson_sync *caisson_sync_new(const struct caisson_pool_config *cfg, char *err, size_t errlen)
{
	return lib_sync_new(cfg, NULL, err, errlen);
}

caisson_sync *caisson_exec_sync_new(const struct caisson_pool_config *cfg, const char *const *argv, char *err,
				    size_t errlen)
{
	return lib_sync_new(cfg, argv, err, errlen);
}

/* On the loop thread (or in caisson_sync_free). The caller waits in
 * caisson_sync_call: the pool reads its input in place (borrowed) and
 * hands its output buffer over, no copy either way. */
static void lib_sync_done(const struct pool_result *r, void *arg)
{
	struct lib_call *c = arg;
	caisson_sync *s = c->s;
	struct caisson_sync_result *o = &c->res;

	pthread_mutex_lock(&s->wait_mu);
	if (c->abandoned) {
		pthread_mutex_unlock(&s->wait_mu);
		free(c);
		return;
	}
	o->status = (enum caisson_status)r->status;
	o->signal = r->signal;
	snprintf(o->detail, sizeof(o->detail), "%s", r->detail ? r->detail : "");
	if (r->out_len) {
		o->output = *r->own;
		o->output_len = r->out_len;
		*r->own = NULL;
	}
	c->done = true;
	pthread_cond_broadcast(&s->wait_cv);
	pthread_mutex_unlock(&s->wait_mu);
}

static enum caisson_status lib_sync_fail(struct caisson_sync_result *out, enum caisson_status st,
					 const char *detail)
{
	out->status = st;
	snprintf(out->detail, sizeof(out->detail), "%s", detail);
	return st;
}

enum caisson_status caisson_sync_call(caisson_sync *s, const void *in, size_t len, struct caisson_sync_result *out)
{
	struct lib_call *c = calloc(1, sizeof(*c));
	bool done;

	memset(out, 0, sizeof(*out));
	if (!c)
		return lib_sync_fail(out, CAISSON_OVERLOADED, "out of memory");
	c->s = s;
	pthread_mutex_lock(&s->mu);
	/* From another thread than the loop's: through the pool's inbox. */
	if (!lib_submit(s->pool, in, len, true, lib_sync_done, c)) {
		pthread_mutex_unlock(&s->mu);
		free(c);
		return lib_sync_fail(out, CAISSON_OVERLOADED, "out of memory");
	}
	pthread_mutex_lock(&s->wait_mu);
	while (!c->done && s->state > 0)
		pthread_cond_wait(&s->wait_cv, &s->wait_mu);
	done = c->done;
	/* The loop is gone with the request pending: the input is borrowed,
	 * but no one runs the pool any more, and caisson_sync_free's pool_free
	 * completes it (and frees c) without reading it. */
	c->abandoned = !done;
	pthread_mutex_unlock(&s->wait_mu);
	pthread_mutex_unlock(&s->mu);
	if (!done)
		return lib_sync_fail(out, CAISSON_SPAWN_FAILED, "event loop failed");
	*out = c->res;
	free(c);
	return out->status;
}

void caisson_sync_free(caisson_sync *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (write(s->stop_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort(); /* cannot stop the loop: better than a thread left running */
	pthread_join(s->thread, NULL);
	if (s->ev_stop)
		event_free(s->ev_stop);
	if (s->base)
		event_base_free(s->base);
	close(s->stop_fd);
	pthread_cond_destroy(&s->wait_cv);
	pthread_mutex_destroy(&s->wait_mu);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
