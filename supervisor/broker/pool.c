/* The broker; see pool.h. Runs in the supervisor on the caller's event_base.
 * This half: requests (queue, completion, delivery), spawning, the breaker,
 * dispatch and the public calls; pool_worker.c runs each worker. A request
 * that loses its worker completes only once the zygote has reaped that
 * worker, so a status never races the death that explains it. */
#include "pool_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bufcache.h"
#include "hostlim.h"
#include "policy/policy.h"
#include "policy/profile.h"

#define POOL_BACKOFF_MIN_MS 10u
#define POOL_BACKOFF_MAX_MS 5000u
#define POOL_MAX_SLOTS 16384u /* host identities per process: SETUP_MAX_SLOTS */
#define POOL_PIDS_MAX 8u /* per worker cgroup: fork is refused by seccomp; this is depth */
/* Spawns in flight per pool. The control socket to the zygote is blocking
 * both ways: unbounded, our Z_SPAWNs could fill it while the zygote blocks
 * sending us Z_SPAWNED, each waiting for the other (seen at ~280 spawns). */
#define POOL_SPAWN_INFLIGHT 16u

/* Host uid slots are per process: two pools never share a worker identity. */
static uint8_t pool_slots[POOL_MAX_SLOTS];
/* Every live pool, for a program that must end them all at once (a
 * signal: pool_abandon_all). Pools may be made on any thread. */
static TAILQ_HEAD(, pool) pool_live = TAILQ_HEAD_INITIALIZER(pool_live);
static pthread_mutex_t pool_live_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t pool_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- completion ------------------------------------------------------ */

/* Detaches a decided request from its worker and queues its callback.
 * Callbacks run only from pool_deliver, at the top of the event loop, so a
 * callback may submit or cancel without re-entering the pool's internals. */
void pool_complete(struct preq *r)
{
	struct pool *p = r->p;

	if (r->w) {
		r->pid = r->w->pid;
		r->w->req = NULL;
		r->w = NULL;
	}
	TAILQ_INSERT_TAIL(&p->done, r, link);
	event_active(p->ev_deliver, EV_TIMEOUT, 0);
}

void pool_set(struct preq *r, enum cs_status st, int sig, const char *fmt, va_list ap)
{
	if (r->decided)
		return;
	r->decided = true;
	r->status = st;
	r->signal = sig;
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
}

/* Completes a request that never reached a worker. */
static void pool_reject(struct pool *p, struct preq *r, enum cs_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pool_reject(struct pool *p, struct preq *r, enum cs_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pool_set(r, st, 0, fmt, ap);
	va_end(ap);
	pool_complete(r);
}

/* The only place a request ends: one callback, then it is freed. */
static void pool_deliver(struct pool *p)
{
	struct preq *r;

	while ((r = TAILQ_FIRST(&p->done))) {
		struct pool_result res = {
			.id = r->id,
			.status = r->status,
			.out = r->status == CS_OK ? r->out : NULL,
			.out_len = r->status == CS_OK ? r->out_len : 0,
			.detail = r->detail,
			.signal = r->signal,
			.pid = r->pid,
			.latency_us = pool_now_us() - r->t0_us,
			.own = &r->out,
			.cov = r->cov,
			.cov_len = r->cov_len,
			.log = r->log,
			.log_len = r->log_len,
		};

		TAILQ_REMOVE(&p->done, r, link);
		p->st.completed++;
		p->st.by_status[r->status]++;
		p->lat[p->nlat++ % POOL_LAT_RING] = res.latency_us;
		if (!p->silent)
			r->cb(&res, r->arg);
		pool_req_free(r);
	}
}

/* Callbacks that submit (a caller keeping its work flowing) only queue
 * their requests; they are handed out together after the last callback,
 * so a worker gets them in one wake-up rather than one each. */
static void pool_deliver_event(evutil_socket_t fd, short what, void *arg)
{
	struct pool *p = arg;

	p->delivering = true;
	pool_deliver(p);
	p->delivering = false;
	if (!TAILQ_EMPTY(&p->queue))
		pool_dispatch(p);
}

/* A worker's slot is free again. Its cgroup directories, with their
 * limits, are kept for the next spawn while there is room (creating a
 * memory cgroup costs more than a third of a spawn), with the OOM count
 * the next worker starts from when this one was reaped (off any spawn's
 * path); otherwise removed and the slot's host identity given back. */
void pool_release_slot(struct pool *p, uint32_t slot, bool cg_ready, bool reaped)
{
	if (p->cg.ver != CG_NONE && cg_ready && p->ncg_keep < POOL_CG_KEEP && p->ncg_keep <= p->sz.max_workers) {
		p->cg_keep_oom[p->ncg_keep] = reaped ? cg_worker_oom_kills(&p->cg, slot) : -1;
		p->cg_keep[p->ncg_keep++] = slot;
	} else {
		cg_worker_remove(&p->cg, slot);
		pool_slots[slot] = 0;
	}
}

static void pool_open_breaker(struct pool *p, const char *why, const char *which);

/* Workers that serve, or will: idle, busy, or on their way (a spawn asked
 * before the failure may still succeed). */
static uint32_t pool_serving(const struct pool *p)
{
	const struct pworker *w;
	uint32_t n = 0;

	TAILQ_FOREACH(w, &p->workers, link)
		n += w->st != PW_DYING;
	return n;
}

static const char *const pool_fail_which[] = {
	[PF_ARRIVAL] = "every worker dies on arrival: the plugin or profile is broken",
	[PF_INIT] = "the plugin's init fails",
	[PF_SUPERVISOR] = "the supervisor cannot start workers",
};

/* A host limit: named in stats (and on stderr with -v, once an episode),
 * backed off like any failure, but the breaker stays closed while some
 * worker serves: requests queue for those. With none, the pool cannot
 * serve at all and says why at once. */
static void pool_note_limit(struct pool *p, const char *why, int err)
{
	hl_name(err, pool_fds_per_worker(p), p->st.limit, sizeof(p->st.limit));
	p->st.limit_failures++;
	if (p->verbose && !p->limit_logged) {
		fprintf(stderr, "caisson: pool %s: spawn failed at a host limit: %s (%s); %u workers serve, retrying with backoff\n",
			p->lim.profile[0] ? p->lim.profile : "-", p->st.limit, why, pool_serving(p));
		p->limit_logged = true;
	}
	if (!pool_serving(p) && p->consecutive_failures >= p->sz.failure_threshold)
		pool_open_breaker(p, why, p->st.limit);
}

/* A spawn failed, counted for the backoff at once (a worker lost while
 * starting: when it is decided against, not when it is reaped), so that
 * no replacement starts before the backoff. */
void pool_spawn_failing(struct pool *p)
{
	p->consecutive_failures++;
	p->fail_mark = p->next_id;
}

void pool_note_spawn_failure(struct pool *p, const char *why, enum pool_fail kind, int err)
{
	pool_spawn_failing(p);
	pool_judge_failure(p, why, kind, err);
}

void pool_judge_failure(struct pool *p, const char *why, enum pool_fail kind, int err)
{
	snprintf(p->st.last_spawn_error, sizeof(p->st.last_spawn_error), "%.255s", why);
	if (err && hl_resource_errno(err)) {
		pool_note_limit(p, why, err);
		return;
	}
	if (++p->broken_failures >= p->sz.failure_threshold)
		pool_open_breaker(p, why, pool_fail_which[kind]);
}

/* A worker is ready. Only one whose spawn was asked after the last
 * failure shows the cause gone (those in flight then prove nothing);
 * after a host limit the backoff then halves rather than ends, so that a
 * pool at its limit does not burst into it again with every success. */
void pool_spawn_ok(struct pool *p, uint64_t spawn_id)
{
	if (spawn_id <= p->fail_mark)
		return;
	p->consecutive_failures = p->broken_failures ? 0 : p->consecutive_failures / 2;
	p->broken_failures = 0;
	p->limit_logged = p->consecutive_failures != 0 && p->limit_logged;
	p->st.failed = false;
	p->st.failed_reason[0] = '\0';
}

/* ---- spawning, breaker, dispatch ------------------------------------- */

static void pool_lost(void *arg, const char *why)
{
	struct pool *p = arg;
	struct pworker *w;
	uint32_t failures = p->consecutive_failures;

	/* Every worker died with the zygote (PDEATHSIG): no exit will come.
	 * Their requests did nothing wrong: each goes back to the head of the
	 * queue, once (a request whose worker takes the zygote down with it
	 * twice completes CRASHED). The zygote restarts with the next spawn,
	 * after the backoff; this counts as one spawn failure. */
	p->zyg_up = false;
	while ((w = TAILQ_FIRST(&p->workers))) {
		w->exited = true;
		if (w->req && !w->req->retried)
			pw_requeue(w, true);
		pw_decide(w, w->st == PW_BUSY ? CS_CRASHED : CS_SPAWN_FAILED, 0, "%s", why);
		w->spawn_failed = false;
		pw_finalize(w);
	}
	p->consecutive_failures = failures; /* one failure, not one per worker starting */
	zyg_stop(&p->zyg);
	pool_note_spawn_failure(p, why, PF_SUPERVISOR, 0);
	pool_dispatch(p);
}

static const struct zyg_ops pool_zyg_ops = {
	pool_spawned, pool_spawn_failed, pool_exited, pool_root_cleared, pool_lost, pool_spawned_lost,
};

static int pool_start_zygote(struct pool *p, char *err, size_t errlen)
{
	int rc = zyg_start(&p->zyg, p->base, p->cfg, &pool_zyg_ops, p, p->pre, err, errlen);

	p->pre = NULL; /* taken, or ended with the failed start */
	if (rc < 0)
		return -1;
	p->zyg_up = true;
	return 0;
}

static void pool_open_breaker(struct pool *p, const char *why, const char *which)
{
	struct preq *r;

	if (!p->st.failed) {
		/* The suffix whole, which names the cause; the failure's own
		 * text as far as it fits before it. */
		char tail[sizeof(p->st.failed_reason)];
		size_t n, w;

		snprintf(tail, sizeof(tail), " (pool failed after %u consecutive spawn failures: %.160s)",
			 p->broken_failures >= p->sz.failure_threshold ? p->broken_failures : p->consecutive_failures,
			 which);
		n = strlen(tail);
		w = strnlen(why, sizeof(p->st.failed_reason) - 1 - n);
		memcpy(p->st.failed_reason, why, w);
		memcpy(p->st.failed_reason + w, tail, n + 1);
	}
	p->st.failed = true;
	while ((r = TAILQ_FIRST(&p->queue))) {
		TAILQ_REMOVE(&p->queue, r, link);
		p->nqueued--;
		pool_reject(p, r, CS_SPAWN_FAILED, "%s", p->st.failed_reason);
	}
}

static uint64_t pool_backoff_ms(const struct pool *p)
{
	uint64_t ms = POOL_BACKOFF_MIN_MS;

	for (uint32_t i = 1; i < p->consecutive_failures && ms < POOL_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < POOL_BACKOFF_MAX_MS ? ms : POOL_BACKOFF_MAX_MS;
}

/* Waits out the backoff before the next spawn (pool_backoff_done). */
static void pool_arm_backoff(struct pool *p)
{
	if (p->backoff_pending)
		return;
	p->backoff_pending = true;
	p->backoff_elapsed = false;
	pw_arm(p->ev_backoff, pool_backoff_ms(p));
}

static void pool_backoff_done(evutil_socket_t fd, short what, void *arg)
{
	struct pool *p = arg;

	p->backoff_pending = false;
	p->backoff_elapsed = true;
	p->st.backoffs++;
	pool_dispatch(p);
}

/* A slot for a new worker: one whose cgroup was kept (*kept set, *oom its
 * OOM count), else a fresh one. A kept slot whose last worker was reaped
 * is empty (the worker was pid 1 of its namespace and could not fork, and
 * its host identity was no one else's); any other is checked for leftover
 * processes first (reading cgroup.procs builds a pid list: ~15 us each). */
static uint32_t pool_take_slot(struct pool *p, bool *kept, long long *oom)
{
	while (p->ncg_keep) {
		uint32_t slot = p->cg_keep[--p->ncg_keep];
		*oom = p->cg_keep_oom[p->ncg_keep];
		if (*oom >= 0 || cg_worker_empty(&p->cg, slot)) {
			*kept = true;
			return slot;
		}
		cg_worker_remove(&p->cg, slot);
		pool_slots[slot] = 0;
	}
	*kept = false;
	for (uint32_t i = 0; i < POOL_MAX_SLOTS; i++)
		if (!pool_slots[i]) {
			pool_slots[i] = 1;
			return i;
		}
	return UINT32_MAX;
}

static int pool_spawn(struct pool *p)
{
	struct pworker *w;
	char err[256];
	uint32_t slot;
	long long oom = -1;
	bool kept;

	p->st.spawn_attempts++;
	if (!p->zyg_up && pool_start_zygote(p, err, sizeof(err)) < 0) {
		pool_note_spawn_failure(p, err, PF_SUPERVISOR, errno);
		return -1;
	}
	slot = pool_take_slot(p, &kept, &oom);
	if (slot == UINT32_MAX || !(w = calloc(1, sizeof(*w)))) {
		if (slot != UINT32_MAX)
			pool_slots[slot] = 0;
		pool_note_spawn_failure(p, slot == UINT32_MAX ? "no free worker identity" : "out of memory",
					PF_SUPERVISOR, slot == UINT32_MAX ? 0 : ENOMEM);
		return -1;
	}
	w->p = p;
	w->slot = slot;
	TAILQ_INIT(&w->piped);
	w->pidfd = w->ipc = w->notify = w->log = -1;
	w->rg = PREGIONS_NONE;
	nfx_worker_init(&w->xw);
	w->st = PW_SPAWNING;
	w->spawn_id = ++p->next_id;
	TAILQ_INSERT_TAIL(&p->workers, w, link);
	if (p->cg.ver != CG_NONE) {
		if (!kept && cg_worker_create(&p->cg, slot, p->lim.memory_bytes, POOL_PIDS_MAX, err, sizeof(err)) < 0) {
			pw_fail(w, PF_SUPERVISOR, errno);
			pw_decide(w, CS_SPAWN_FAILED, 0, "%s", err);
			pw_finalize(w);
			return -1;
		}
		w->cg_ready = true;
		w->oom_base = kept && oom >= 0 ? oom : cg_worker_oom_kills(&p->cg, slot);
	}
	if (pw_make_regions(w) < 0) {
		pw_fail(w, PF_SUPERVISOR, errno);
		pw_decide(w, CS_SPAWN_FAILED, 0, "bulk regions: %s%s", strerror(errno), w->fail_text);
		pw_finalize(w);
		return -1;
	}
	w->timer = evtimer_new(p->base, pw_timer, w);
	w->cpu_timer = evtimer_new(p->base, pw_cpu_timer, w);
	if (!w->timer || !w->cpu_timer ||
	    zyg_spawn(&p->zyg, slot, w->spawn_id,
		      p->shm_in_size ? (int[]){ w->rg.in_ro, w->rg.out_fd, w->rg.cov_fd } : NULL, p->shm_in_size,
		      p->shm_out_size, p->shm_cov_size) < 0) {
		pw_fail(w, PF_SUPERVISOR, errno);
		pw_decide(w, CS_SPAWN_FAILED, 0, "ask zygote for a worker: %s%s", strerror(errno), w->fail_text);
		pw_finalize(w);
		return -1;
	}
	/* The zygote holds its own copies for the child now. */
	pw_regions_mapped(p, &w->rg);
	/* From the second spawn on: a pool that has spawned once may never
	 * spawn again (a one-shot command), the spare would be waste. */
	if (p->shm_in_size && !p->spare.in && p->nspawns++ > 0)
		pw_arm(p->ev_spare, POOL_SPARE_MS);
	cg_sweep_stale_once();
	pw_arm(w->timer, p->lim.wall_ms > POOL_SPAWN_MIN_MS ? p->lim.wall_ms : POOL_SPAWN_MIN_MS);
	return 0;
}

/* The next worker's bulk regions, made ahead once no spawn is in flight:
 * a pair costs ~70 us here (two memfds, their mappings, a read-only
 * open), which the next spawn's request then does not wait for. Not
 * sooner: the supervisor's CPU is then often the one that the zygote, or
 * a loading worker waiting on a notification, would run on. Without a
 * pair (this failed), a spawn makes its own. */
static void pool_spare_due(evutil_socket_t fd, short what, void *arg)
{
	struct pool *p = arg;
	struct pworker *w;

	TAILQ_FOREACH(w, &p->workers, link)
		if (PW_STARTING(w->st)) {
			pw_arm(p->ev_spare, POOL_SPARE_MS);
			return;
		}
	if (!p->spare.in)
		pw_regions_new(p, &p->spare);
}

/* Matches waiting requests with idle workers, then spawns what is missing:
 * one worker per waiting request up to max_workers, min_workers always,
 * and a spare beyond the busy ones when requests_per_worker is 1 or a
 * worker nears its last request. While spawns
 * fail, new spawns wait out an exponential backoff; with the breaker open,
 * one trial spawn at a time. */
void pool_dispatch(struct pool *p)
{
	struct pworker *w;
	uint32_t live = 0, ready = 0, spawning = 0, want, cap;
	bool spare = p->sz.requests_per_worker == 1 && !p->sz.no_spare;

	TAILQ_FOREACH(w, &p->workers, link)
		if (w->st == PW_IDLE && !TAILQ_EMPTY(&p->queue))
			pw_assign(w, TAILQ_FIRST(&p->queue));
	if (p->sz.pipeline > 1)
		pool_pipe(p);
	TAILQ_FOREACH(w, &p->workers, link) {
		/* In the last quarter of its requests, a worker's successor
		 * starts, so that recycling does not put a spawn on the path of
		 * the request after its last one. */
		bool expiring = p->sz.requests_per_worker > 1 && (w->st == PW_IDLE || w->st == PW_BUSY) &&
				w->served + 1 + p->sz.requests_per_worker / 4 >= p->sz.requests_per_worker;
		live += w->st != PW_DYING;
		ready += w->st == PW_IDLE && !expiring;
		spawning += PW_STARTING(w->st);
		spare |= expiring;
	}
	/* Idle or starting workers the queue (and the spare) needs; the spare
	 * may exceed max_workers by one, its predecessor being on the way out. */
	want = p->nqueued + spare;
	cap = p->sz.max_workers + spare;
	if (p->st.failed && want == 0)
		want = 1; /* the trial spawn that can close the breaker */
	while ((ready + spawning < want || live < p->sz.min_workers) && live < cap &&
	       spawning < POOL_SPAWN_INFLIGHT) {
		if (p->consecutive_failures) {
			/* Failing: one spawn at a time, each after a backoff. */
			if (spawning || p->backoff_pending)
				return;
			if (!p->backoff_elapsed) {
				pool_arm_backoff(p);
				return;
			}
			p->backoff_elapsed = false;
			/* A spawn that fails before it reaches the zygote has no
			 * event to come back on: the backoff timer is it. */
			if (pool_spawn(p) < 0)
				pool_arm_backoff(p);
			return;
		}
		if (pool_spawn(p) < 0) {
			pool_arm_backoff(p);
			return;
		}
		spawning++;
		live++;
	}
}

/* ---- public ---------------------------------------------------------- */

/* An exec pool: its tool process is single-use (and a scratch directory
 * must not carry one request's files into the next), so one request per
 * worker, none pipelined; with one request per worker the pool keeps a
 * spare pre-spawned (pool_dispatch), so that a request pays its tool's
 * start, not the sandbox's. The listener's rules
 * for its workers need the resolved set and command line (notify_exec.h). */
static int pool_exec_init(struct pool *p, char *err, size_t errlen)
{
	p->sz.requests_per_worker = 1;
	p->sz.pipeline = 1;
	p->nfx = malloc(sizeof(*p->nfx));
	if (!p->nfx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (nfx_pool_init(p->nfx, p->cfg, err, errlen) < 0) {
		free(p->nfx);
		p->nfx = NULL;
		return -1;
	}
	return 0;
}

static void pool_exec_free(struct pool *p)
{
	if (p->nfx)
		nfx_pool_free(p->nfx);
	free(p->nfx);
	p->nfx = NULL;
}

struct pool *pool_new(struct event_base *base, const struct policy *pol, const struct pool_limits *lim,
		      const struct pool_sizing *sz, const struct wk_config *cfg, char *err, size_t errlen)
{
	return pool_new_launched(base, pol, lim, sz, cfg, NULL, err, errlen);
}

struct pool *pool_new_launched(struct event_base *base, const struct policy *pol, const struct pool_limits *lim,
			       const struct pool_sizing *sz, const struct wk_config *cfg, struct zyg_launched *pre,
			       char *err, size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));

	/* calloc: pages of the copy's unused tail are never touched. */
	if (!p || !(p->cfg = calloc(1, sizeof(*cfg)))) {
		free(p);
		if (pre)
			zyg_launched_drop(pre);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->pre = pre;
	p->base = base;
	p->pol = pol;
	p->spare = PREGIONS_NONE;
	p->lim = *lim;
	p->sz = *sz;
	if (p->sz.max_workers == 0)
		p->sz.max_workers = 1;
	if (p->sz.requests_per_worker == 0)
		p->sz.requests_per_worker = 1;
	if (p->sz.failure_threshold == 0)
		p->sz.failure_threshold = 1;
	if (p->sz.pipeline == 0)
		p->sz.pipeline = 1;
	if (p->sz.pipeline > PROFILE_PIPELINE_MAX)
		p->sz.pipeline = PROFILE_PIPELINE_MAX;
	/* Each worker holds HL_FDS_PER_WORKER descriptors here: as servers
	 * do, the first pool lifts the soft limit to the hard one. */
	hl_nofile_raise_once();
	wk_config_copy(p->cfg, cfg);
	if (p->cfg->exec && pool_exec_init(p, err, errlen) < 0)
		goto fail;
	/* RLIMIT_CPU is per process: a worker serving several requests gets
	 * their summed budget as a backstop; each request's own budget is
	 * enforced here (pw_cpu_timer). */
	if (p->sz.requests_per_worker > 1) {
		uint64_t total = p->cfg->cpu_ms * p->sz.requests_per_worker;
		p->cfg->cpu_ms = total / p->sz.requests_per_worker == p->cfg->cpu_ms && total < 86400000u
					 ? total : 86400000u;
	}
	/* Memory is enforced by a per-worker cgroup where the host gives us
	 * one; RLIMIT_AS then only backstops huge reservations. Without one,
	 * RLIMIT_AS is the limit. */
	/* A flat layout only for a pool of one worker (a one-shot run asks
	 * for it): workers sharing a directory would share its limits. */
	if (p->sz.max_workers != 1)
		p->cfg->cgroup_flat = 0;
	cg_setup(&p->cg, p->cfg->cgroup_flat);
	if (p->cg.ver != CG_NONE) {
		p->cfg->ncgroups = 0;
		for (unsigned i = 0; i < WK_MAX_CGROUPS; i++)
			if (p->cg.dirs[i][0])
				snprintf(p->cfg->cgroups[p->cfg->ncgroups++], WK_PATH_MAX, "%s", p->cg.dirs[i]);
		p->cfg->memory_bytes = p->cfg->memory_bytes < (UINT64_C(1) << 40) ? p->cfg->memory_bytes * 4
										 : p->cfg->memory_bytes;
	}
	/* Bulk regions when a request or an answer can outgrow one message:
	 * the output region holds the cap plus the byte that shows an
	 * overflow. Their mappings count against RLIMIT_AS; the address
	 * space grows by their size, the memory limit does not shrink. */
	if (wk_config_bulk_regions(p->cfg)) {
		size_t pg = (size_t)sysconf(_SC_PAGESIZE);
		p->shm_in_size = ((size_t)p->lim.input_bytes + pg - 1) / pg * pg;
		p->shm_out_size = ((size_t)p->lim.output_bytes + 1 + pg - 1) / pg * pg;
		p->shm_cov_size = (size_t)p->cfg->cov_bytes;
		p->cfg->memory_bytes += p->shm_in_size + p->shm_out_size + p->shm_cov_size;
	}
	TAILQ_INIT(&p->workers);
	TAILQ_INIT(&p->queue);
	TAILQ_INIT(&p->done);
	p->ev_deliver = event_new(base, -1, 0, pool_deliver_event, p);
	p->ev_backoff = evtimer_new(base, pool_backoff_done, p);
	p->ev_spare = evtimer_new(base, pool_spare_due, p);
	if (!p->ev_deliver || !p->ev_backoff || !p->ev_spare) {
		snprintf(err, errlen, "pool events: %s", strerror(errno));
		goto fail;
	}
	if (pool_start_zygote(p, err, errlen) < 0)
		goto fail;
	pthread_mutex_lock(&pool_live_mu);
	TAILQ_INSERT_TAIL(&pool_live, p, all);
	pthread_mutex_unlock(&pool_live_mu);
	pool_dispatch(p);
	return p;
fail:
	if (p->pre)
		zyg_launched_drop(p->pre);
	if (p->ev_deliver)
		event_free(p->ev_deliver);
	if (p->ev_backoff)
		event_free(p->ev_backoff);
	if (p->ev_spare)
		event_free(p->ev_spare);
	cg_teardown(&p->cg);
	pool_exec_free(p);
	free(p->cfg);
	free(p);
	return NULL;
}

struct preq *pool_req_new(uint64_t id, const void *in, size_t len, size_t input_max, bool borrow, pool_cb cb,
			  void *arg)
{
	struct preq *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (borrow) {
		r->in = (uint8_t *)in;
		r->borrowed = true;
	} else if (len <= input_max) {
		/* An oversized input is refused without being copied. */
		r->in = bc_get(len, &r->in_cap);
		if (!r->in) {
			free(r);
			return NULL;
		}
		memcpy(r->in, in, len);
	}
	r->id = id;
	r->t0_us = pool_now_us();
	r->cb = cb;
	r->arg = arg;
	r->len = len;
	return r;
}

void pool_req_free(struct preq *r)
{
	if (!r->borrowed)
		bc_put(r->in, r->in_cap);
	bc_put(r->out, r->out_cap);
	free(r->cov);
	free(r->log);
	free(r);
}

void pool_req_enqueue(struct pool *p, struct preq *r)
{
	r->p = p;
	p->st.submitted++;
	if (r->len > p->lim.input_bytes) {
		pool_reject(p, r, CS_INPUT_TOO_LARGE, "%zu bytes > limit %llu", r->len,
			    (unsigned long long)p->lim.input_bytes);
		return;
	}
	if (p->st.failed) {
		pool_reject(p, r, CS_SPAWN_FAILED, "%s", p->st.failed_reason);
		return;
	}
	if (p->nqueued >= p->sz.queue + p->sz.max_workers) {
		pool_reject(p, r, CS_OVERLOADED, "queue full (%u waiting)", p->nqueued);
		return;
	}
	TAILQ_INSERT_TAIL(&p->queue, r, link);
	p->nqueued++;
	if (!p->delivering)
		pool_dispatch(p);
}

uint64_t pool_submit(struct pool *p, const void *in, size_t len, pool_cb cb, void *arg)
{
	struct preq *r = pool_req_new(p->next_id + 1, in, len, p->lim.input_bytes, false, cb, arg);

	if (!r)
		return 0;
	p->next_id++;
	pool_req_enqueue(p, r);
	return r->id;
}

uint64_t pool_input_max(const struct pool *p)
{
	return p->lim.input_bytes;
}

int pool_cancel(struct pool *p, uint64_t id)
{
	struct preq *r;
	struct pworker *w;

	TAILQ_FOREACH(r, &p->queue, link)
		if (r->id == id) {
			TAILQ_REMOVE(&p->queue, r, link);
			p->nqueued--;
			pool_reject(p, r, CS_CANCELLED, "cancelled while queued");
			return 0;
		}
	TAILQ_FOREACH(w, &p->workers, link) {
		if (w->req && w->req->id == id && !w->req->decided) {
			pw_decide(w, CS_CANCELLED, 0, "cancelled while running in worker %d", (int)w->pid);
			return 0;
		}
		if ((r = pw_cancel_piped(w, id))) {
			pool_reject(p, r, CS_CANCELLED, "cancelled while queued in worker %d", (int)w->pid);
			if (!p->delivering)
				pool_dispatch(p); /* the others, requeued */
			return 0;
		}
	}
	return -1;
}

static int pool_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void pool_stats(const struct pool *p, struct pool_stats *st)
{
	static uint64_t sorted[POOL_LAT_RING];
	size_t n = p->nlat < POOL_LAT_RING ? (size_t)p->nlat : POOL_LAT_RING;
	const struct pworker *w;

	*st = p->st;
	st->spawning = st->idle = st->busy = st->dying = 0;
	TAILQ_FOREACH(w, &p->workers, link) {
		st->spawning += PW_STARTING(w->st);
		st->idle += w->st == PW_IDLE;
		st->busy += w->st == PW_BUSY;
		st->dying += w->st == PW_DYING;
	}
	st->queued = p->nqueued;
	snprintf(st->nofile, sizeof(st->nofile), "RLIMIT_NOFILE: %s", hl_nofile_raise_once());
	snprintf(st->memory_enforcement, sizeof(st->memory_enforcement), "%s%s%.300s%s", cg_name(&p->cg),
		 p->cg.ver == CG_NONE ? " (" : " ", p->cg.ver == CG_NONE ? p->cg.why : p->cg.dirs[0],
		 p->cg.ver == CG_NONE ? ")" : "");
	if (n) {
		memcpy(sorted, p->lat, n * sizeof(sorted[0]));
		qsort(sorted, n, sizeof(sorted[0]), pool_cmp_u64);
		st->p50_us = sorted[n / 2];
		st->p99_us = sorted[(n * 99) / 100];
	}
}

void pool_set_verbose(struct pool *p, int verbose)
{
	p->verbose = verbose;
}

const struct wk_config *pool_worker_config(const struct pool *p)
{
	return p->cfg;
}

void pool_on_ready(struct pool *p, void (*fn)(void *arg, pid_t pid), void *arg)
{
	p->on_ready = fn;
	p->on_ready_arg = arg;
}

void pool_free(struct pool *p)
{
	struct preq *r;
	struct pworker *w;

	if (!p)
		return;
	pthread_mutex_lock(&pool_live_mu);
	TAILQ_REMOVE(&pool_live, p, all);
	pthread_mutex_unlock(&pool_live_mu);
	/* Every worker is killed here; the zygote reaps them as it ends
	 * (zyg_stop), and their requests end here, not on a reap that will no
	 * longer be reported. Those pipelined behind another go back to the
	 * queue first, and end with it. */
	while ((w = TAILQ_FIRST(&p->workers))) {
		w->exited = true;
		w->spawn_failed = false;
		pw_decide(w, CS_CANCELLED, 0, "pool closed");
		w->spawn_failed = false;
		pw_finalize(w);
	}
	while ((r = TAILQ_FIRST(&p->queue))) {
		TAILQ_REMOVE(&p->queue, r, link);
		p->nqueued--;
		pool_reject(p, r, CS_CANCELLED, "pool closed");
	}
	pool_deliver(p);
	if (p->zyg_up)
		zyg_stop(&p->zyg);
	cg_teardown(&p->cg);
	pw_regions_free(p, &p->spare);
	while (p->ncg_keep)
		pool_slots[p->cg_keep[--p->ncg_keep]] = 0;
	event_free(p->ev_deliver);
	event_free(p->ev_backoff);
	event_free(p->ev_spare);
	pool_exec_free(p);
	free(p->cfg);
	free(p);
}

void pool_all_totals(struct pool_totals *t)
{
	struct pool_stats st;
	struct pool *p;

	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&pool_live_mu);
	TAILQ_FOREACH(p, &pool_live, all) {
		pool_stats(p, &st);
		t->completed += st.completed;
		t->running += st.submitted - st.completed - st.queued;
		t->queued += st.queued;
		t->workers += st.spawning + st.idle + st.busy;
	}
	pthread_mutex_unlock(&pool_live_mu);
}

void pool_abandon_all(void)
{
	struct pool *p;

	for (;;) {
		pthread_mutex_lock(&pool_live_mu);
		p = TAILQ_FIRST(&pool_live);
		pthread_mutex_unlock(&pool_live_mu);
		if (!p)
			return;
		p->silent = true;
		pool_free(p);
	}
}
