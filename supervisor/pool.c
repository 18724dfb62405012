/* The broker; see pool.h. Runs in the supervisor on the caller's event_base.
 * Everything a worker sends passes ipc_decode() first; anything malformed,
 * unexpected or out of state kills it with PROTOCOL_ERROR. A request that
 * loses its worker completes only once the zygote has reaped that worker,
 * so a status never races the death that explains it. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bufcache.h"
#include "cgroup.h"
#include "ipc_io.h"
#include "notify.h"
#include "policy.h"
#include "sysfmt.h"
#include "wire.h"
#include "zyg.h"

#define POOL_LOG_MAX (64u * 1024u)
#define POOL_SPAWN_MIN_MS 2000u
#define POOL_BACKOFF_MIN_MS 10u
#define POOL_BACKOFF_MAX_MS 5000u
#define POOL_LAT_RING 1024u
#define POOL_MAX_SLOTS 4096u
#define POOL_PIDS_MAX 8u /* per worker cgroup: fork is refused by seccomp; this is depth */
#define POOL_CG_KEEP 64u /* per pool: empty worker cgroups kept for the next spawn */
/* Spawns in flight per pool. The control socket to the zygote is blocking
 * both ways: unbounded, our Z_SPAWNs could fill it while the zygote blocks
 * sending us Z_SPAWNED, each waiting for the other (seen at ~280 spawns). */
#define POOL_SPAWN_INFLIGHT 16u

enum pw_state { PW_SPAWNING, PW_CLEARING, PW_IDLE, PW_BUSY, PW_DYING };

struct preq {
	TAILQ_ENTRY(preq) link; /* on queue (waiting) or done (to deliver) */
	struct pool *p;
	uint64_t id, t0_us;
	uint8_t *in;
	size_t len, in_cap;
	bool borrowed; /* in is the caller's, valid until the callback */
	pool_cb cb;
	void *arg;
	struct pworker *w;
	pid_t pid;
	bool decided, retried;
	enum cs_status status;
	int signal;
	char detail[512];
	uint8_t *out;
	size_t out_len, out_cap;
};

struct pworker {
	TAILQ_ENTRY(pworker) link;
	struct pool *p;
	uint64_t spawn_id;
	uint32_t slot;
	pid_t pid;
	int pidfd, ipc, notify, log;
	struct event *ev_ipc, *ev_notify, *ev_log, *timer, *cpu_timer;
	enum pw_state st;
	bool started, exited, killed, spawn_failed, cg_ready;
	uint32_t served;
	uint64_t prev_id;     /* the request it answered last */
	size_t logged;
	uint64_t cpu_base_ns; /* worker CPU time when its request was sent;
			       * UINT64_MAX: not read (see pw_assign) */
	long long oom_base;   /* its cgroup's OOM kill count when it started */
	char why[512];        /* why it was killed with no request (logs) */
	/* Bulk regions (W_SHM), NULL and -1 when the pool has none: each
	 * mapped here, and its memfd kept for the worker's last request. */
	uint8_t *shm_in;
	const uint8_t *shm_out;
	int shm_in_fd, shm_out_fd;
	int shm_in_ro; /* the worker's read-only open of the input region, until sent */
	struct preq *req;
};

TAILQ_HEAD(preq_list, preq);
TAILQ_HEAD(pworker_list, pworker);

struct pool {
	struct event_base *base;
	struct zyg zyg;
	bool zyg_up;
	struct cg cg;
	const struct policy *pol;
	struct wk_config *cfg;
	struct pool_limits lim;
	struct pool_sizing sz;
	size_t shm_in_size, shm_out_size; /* 0: the limits fit inline, no regions */
	/* Slots (still reserved) whose cgroup directories, with their limits,
	 * outlived their last worker: creating a memory cgroup costs more
	 * than a third of a spawn, so the next worker reuses one. */
	uint32_t cg_keep[POOL_CG_KEEP];
	uint32_t ncg_keep;
	/* Every worker message is read into this one buffer and handled
	 * before the next read (payloads are copied out): a worker costs the
	 * supervisor no receive buffer of its own. */
	uint8_t rx[IPC_HDR_LEN + IPC_INLINE_MAX];
	struct pworker_list workers;
	struct preq_list queue, done;
	uint32_t nqueued;
	struct event *ev_deliver, *ev_backoff;
	uint64_t next_id;
	uint32_t consecutive_failures;
	bool backoff_pending, backoff_elapsed;
	struct pool_stats st;
	uint64_t lat[POOL_LAT_RING];
	uint64_t nlat;
	void (*on_ready)(void *arg, pid_t pid);
	void *on_ready_arg;
	int verbose;
};

/* Host uid slots are per process: two pools never share a worker identity. */
static uint8_t pool_slots[POOL_MAX_SLOTS];

static uint64_t pool_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void pool_dispatch(struct pool *p);

/* ---- completion ------------------------------------------------------ */

/* Detaches a decided request from its worker and queues its callback.
 * Callbacks run only from pool_deliver, at the top of the event loop, so a
 * callback may submit or cancel without re-entering the pool's internals. */
static void pool_complete(struct preq *r)
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

static void pool_set(struct preq *r, enum cs_status st, int sig, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void pool_set(struct preq *r, enum cs_status st, int sig, const char *fmt, va_list ap)
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
static void pool_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct pool *p = arg;
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
		};

		TAILQ_REMOVE(&p->done, r, link);
		p->st.completed++;
		p->st.by_status[r->status]++;
		p->lat[p->nlat++ % POOL_LAT_RING] = res.latency_us;
		r->cb(&res, r->arg);
		pool_req_free(r);
	}
}

/* ---- workers --------------------------------------------------------- */

static void pw_kill(struct pworker *w)
{
	if (w->pidfd >= 0 && !w->killed)
		syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	w->killed = true;
}

static void pw_free(struct pworker *w)
{
	struct event *evs[] = { w->ev_ipc, w->ev_notify, w->ev_log, w->timer, w->cpu_timer };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	for (int *fd = (int[]){ w->pidfd, w->ipc, w->notify, w->log, w->shm_in_fd, w->shm_out_fd, w->shm_in_ro, -2 };
	     *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	if (w->shm_in)
		munmap(w->shm_in, w->p->shm_in_size);
	if (w->shm_out)
		munmap((void *)w->shm_out, w->p->shm_out_size);
	if (w->p->cg.ver != CG_NONE && w->cg_ready && w->p->ncg_keep < POOL_CG_KEEP &&
	    w->p->ncg_keep <= w->p->sz.max_workers) {
		w->p->cg_keep[w->p->ncg_keep++] = w->slot;
	} else {
		cg_worker_remove(&w->p->cg, w->slot);
		pool_slots[w->slot] = 0;
	}
	TAILQ_REMOVE(&w->p->workers, w, link);
	free(w);
}

static void pool_note_spawn_failure(struct pool *p, const char *why);

/* The worker is done for: stop listening and kill it. Its request (the
 * first decision wins) completes when pw_finalize sees it reaped. */
static void pw_decide(struct pworker *w, enum cs_status st, int sig, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pw_decide(struct pworker *w, enum cs_status st, int sig, const char *fmt, ...)
{
	va_list ap;

	if (w->st == PW_DYING)
		return;
	va_start(ap, fmt);
	if (w->req)
		pool_set(w->req, st, sig, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	if (w->st == PW_SPAWNING || w->st == PW_CLEARING) {
		/* Kept for the requests the breaker fails: say what happened
		 * when it was not a plain spawn failure (a violation at load). */
		if (st != CS_SPAWN_FAILED) {
			char d[sizeof(w->why)];
			snprintf(d, sizeof(d), "%s", w->why);
			snprintf(w->why, sizeof(w->why), "%s %.400s while loading", cs_status_name(st), d);
		}
		w->spawn_failed = true;
		w->p->st.spawn_failed++;
	}
	w->st = PW_DYING;
	if (w->ev_ipc)
		event_del(w->ev_ipc);
	if (w->ev_notify)
		event_del(w->ev_notify);
	if (w->timer)
		event_del(w->timer);
	if (w->cpu_timer)
		event_del(w->cpu_timer);
	pw_kill(w);
}

/* Frees a dying worker once it is reaped (or never started), completing
 * its request. Called only at the end of top-level event handlers. */
static void pw_finalize(struct pworker *w)
{
	struct pool *p = w->p;
	char why[512];
	bool failed = w->spawn_failed;

	if (w->st != PW_DYING || (w->started && !w->exited))
		return;
	snprintf(why, sizeof(why), "%s", w->why);
	if (w->req)
		pool_complete(w->req);
	pw_free(w);
	if (failed)
		pool_note_spawn_failure(p, why);
}

static void pw_arm(struct event *ev, uint64_t ms)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(ev, &tv);
}

/* The worker's CPU clock, read in one system call: glibc's
 * clock_getcpuclockid() spends a second one (clock_getres) checking it.
 * The kernel's encoding of a process CPU clock (CPUCLOCK_SCHED); the pid
 * stays ours until the zygote reaps the worker. */
static uint64_t pw_cpu_ns(const struct pworker *w)
{
	clockid_t c = (clockid_t)((~(unsigned)w->pid) << 3 | 2u);
	struct timespec ts;

	if (clock_gettime(c, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether the worker's request in hand is its last. The regions' pages
 * are then moved with pwrite/pread, not through our mappings: touching a
 * page of a mapping for the first time costs a fault (11-14 us on a VM),
 * which only pays back over the requests that follow. A fresh worker per
 * request (requests_per_worker = 1) so never faults us a page. */
static bool pw_last_request(const struct pworker *w)
{
	return w->served + 1 >= w->p->sz.requests_per_worker;
}

/* pwrite/pread of a whole region range; shmem moves it all at once, the
 * loop only covers signals. -1 with errno, EIO for an unexpected end. */
static int pw_region_io(int fd, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(fd, b + done, len - done, (off_t)done)
				  : pread(fd, b + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int pw_send_request(struct pworker *w)
{
	struct preq *r = w->req;
	uint8_t b[8];

	if (r->len <= IPC_INLINE_MAX)
		return ipc_send(w->ipc, IPC_W_REQUEST, r->id, r->in, (uint32_t)r->len, NULL, 0);
	/* r->len <= input cap <= the region's size (pool_req_new checked). */
	if (!pw_last_request(w))
		memcpy(w->shm_in, r->in, r->len);
	else if (pw_region_io(w->shm_in_fd, r->in, r->len, true) < 0)
		return -1;
	wire_put64(b, r->len);
	return ipc_send(w->ipc, IPC_W_REQUEST_SHM, r->id, b, 8, NULL, 0);
}

/* One sealed memfd of the given size, mapped here with prot (never
 * touched until a request needs it). */
static void *pw_region(const char *name, size_t size, int prot, int *fd)
{
	void *map;

	*fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*fd < 0)
		return NULL;
	map = ftruncate(*fd, (off_t)size) == 0 ? mmap(NULL, size, prot, MAP_SHARED, *fd, 0) : MAP_FAILED;
	if (map != MAP_FAILED && fcntl(*fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
		/* Not into children of an embedding process that forks. */
		madvise(map, size, MADV_DONTFORK);
		return map;
	}
	if (map != MAP_FAILED)
		munmap(map, size);
	close(*fd);
	*fd = -1;
	return NULL;
}

/* The bulk regions of a worker, made when its spawn is asked for (beside
 * the zygote's clone, off the path of a cold spawn) and sent first thing
 * once it is up, before it loads the plugin: large requests are written
 * into the input region and large answers read from the output region, so
 * no request costs a memfd, a descriptor pass or a fresh page. Both are
 * sealed against shrinking (a truncated mapping would fault the
 * supervisor) and growing. The worker gets the input region through a
 * read-only open of it: it cannot map it writable, mprotect it writable,
 * write it or add seals (F_SEAL_FUTURE_WRITE would do the same to the
 * worker but also refuse our own pwrite). The worker maps both and closes
 * the descriptors. */
static int pw_make_regions(struct pworker *w)
{
	struct pool *p = w->p;
	char path[64];

	if (!p->shm_in_size)
		return 0;
	w->shm_in = pw_region("caisson-in", p->shm_in_size, PROT_READ | PROT_WRITE, &w->shm_in_fd);
	w->shm_out = w->shm_in ? pw_region("caisson-out", p->shm_out_size, PROT_READ, &w->shm_out_fd) : NULL;
	if (!w->shm_out)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->shm_in_fd);
	w->shm_in_ro = open(path, O_RDONLY | O_CLOEXEC);
	return w->shm_in_ro < 0 ? -1 : 0;
}

static int pw_send_regions(struct pworker *w)
{
	struct pool *p = w->p;
	uint8_t b[16];
	int rc;

	if (!p->shm_in_size)
		return 0;
	wire_put64(b, p->shm_in_size);
	wire_put64(b + 8, p->shm_out_size);
	rc = ipc_send(w->ipc, IPC_W_SHM, 0, b, 16, (int[]){ w->shm_in_ro, w->shm_out_fd }, 2);
	close(w->shm_in_ro);
	w->shm_in_ro = -1;
	return rc;
}

/* Hands a waiting request to an idle worker. */
static void pw_assign(struct pworker *w, struct preq *r)
{
	struct pool *p = w->p;

	TAILQ_REMOVE(&p->queue, r, link);
	p->nqueued--;
	evtimer_del(w->timer);
	w->req = r;
	r->w = w;
	w->st = PW_BUSY;
	/* A worker has one thread (seccomp refuses clone), so it cannot use
	 * more CPU than wall time: with cpu_time >= wall_time the wall timer
	 * always fires first and the CPU clock is not read (a system call
	 * per request). */
	w->cpu_base_ns = p->lim.cpu_ms < p->lim.wall_ms ? pw_cpu_ns(w) : UINT64_MAX;
	if (pw_send_request(w) < 0) {
		pw_decide(w, CS_CRASHED, 0, "worker gone before its request: %s", strerror(errno));
		return;
	}
	pw_arm(w->timer, p->lim.wall_ms);
	if (w->cpu_base_ns != UINT64_MAX)
		pw_arm(w->cpu_timer, p->lim.cpu_ms);
}

static void pw_idle(struct pworker *w)
{
	struct pool *p = w->p;

	w->st = PW_IDLE;
	if (p->sz.idle_ms)
		pw_arm(w->timer, p->sz.idle_ms);
}

/* Room for the next len bytes of the answer, or NULL once the worker has
 * been decided against. The answer is always copied: the worker can still
 * write the output region, so nothing handed to a callback may point into it. */
static uint8_t *pw_output_room(struct pworker *w, size_t len)
{
	struct preq *r = w->req;
	uint8_t *o;

	if (len > w->p->lim.output_bytes - r->out_len) {
		pw_decide(w, CS_OUTPUT_LIMIT, 0, "output exceeded %llu bytes",
			  (unsigned long long)w->p->lim.output_bytes);
		return NULL;
	}
	if (r->out_len + len > r->out_cap) {
		/* Doubling, capped at the limit: a worker sending its answer in
		 * many small chunks must not make us copy it quadratically. */
		size_t cap = r->out_cap ? r->out_cap : len;
		while (cap < r->out_len + len)
			cap *= 2;
		if (cap > w->p->lim.output_bytes)
			cap = (size_t)w->p->lim.output_bytes;
		o = r->out ? realloc(r->out, cap) : bc_get(cap, &cap);
		if (!o) {
			pw_decide(w, CS_OUTPUT_LIMIT, 0, "supervisor out of memory for output");
			return NULL;
		}
		r->out = o;
		r->out_cap = cap;
	}
	return r->out + r->out_len;
}

/* The answer's bytes in the output region (size already bounded by it). */
static void pw_take_region(struct pworker *w, size_t len)
{
	uint8_t *o = pw_output_room(w, len);

	if (!o)
		return;
	if (!pw_last_request(w))
		memcpy(o, w->shm_out, len);
	else if (pw_region_io(w->shm_out_fd, o, len, false) < 0) {
		pw_decide(w, CS_PROTOCOL_ERROR, 0, "reading the output region: %s", strerror(errno));
		return;
	}
	w->req->out_len += len;
}

/* Appends an inline piece of the answer; false once the worker is decided against. */
static bool pw_take_inline(struct pworker *w, const uint8_t *data, size_t len)
{
	uint8_t *o;

	if (!len)
		return true; /* W_OK of an empty answer, or one in the output region */
	o = pw_output_room(w, len);
	if (!o)
		return false;
	memcpy(o, data, len);
	w->req->out_len += len;
	return true;
}

/* The request in hand finished: rc 0 is OK, anything else PLUGIN_ERROR
 * with the plugin's text. */
static void pw_done(struct pworker *w, int32_t rc, const char *text)
{
	struct pool *p = w->p;
	struct preq *r = w->req;

	evtimer_del(w->timer);
	evtimer_del(w->cpu_timer);
	r->decided = true;
	r->status = rc == 0 ? CS_OK : CS_PLUGIN_ERROR;
	snprintf(r->detail, sizeof(r->detail), "%s", rc == 0 ? "" : text[0] ? text : "plugin failed");
	w->prev_id = r->id;
	pool_complete(r);
	if (++w->served >= p->sz.requests_per_worker) {
		p->st.recycled++;
		pw_decide(w, CS_OK, 0, "recycled after %u requests", w->served);
	} else {
		pw_idle(w);
	}
}

static void pw_on_message(struct pworker *w, const struct ipc_msg *m)
{
	struct pool *p = w->p;

	switch (m->type) {
	case IPC_W_READY:
		/* Sealed from here on; usable once the zygote emptied its root. */
		w->st = PW_CLEARING;
		if (zyg_clear_root(&p->zyg, w->spawn_id, w->pidfd) < 0)
			pw_decide(w, CS_SPAWN_FAILED, 0, "%s: ask zygote: %s", ipc_step_name(IPC_STEP_CLEAR_ROOT),
				  strerror(errno));
		break;
	case IPC_W_INIT_FAILED:
		pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s", ipc_step_name(m->u.fail.step), m->u.fail.text.s);
		break;
	case IPC_W_OUTPUT:
		pw_take_inline(w, m->payload, m->len);
		break;
	case IPC_W_OUTPUT_SHM:
		if (!w->shm_out || m->u.bulk.size > p->shm_out_size) {
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "%s of %llu bytes outside the output region",
				  ipc_type_name(m->type), (unsigned long long)m->u.bulk.size);
			return;
		}
		pw_take_region(w, (size_t)m->u.bulk.size);
		break;
	case IPC_W_OK:
		if (pw_take_inline(w, m->payload, m->len))
			pw_done(w, 0, "");
		break;
	case IPC_W_DONE:
		pw_done(w, m->u.done.rc, m->u.done.text.s);
		break;
	default:
		pw_decide(w, CS_PROTOCOL_ERROR, 0, "unexpected %s", ipc_type_name(m->type));
	}
}

static unsigned pw_ipc_state(const struct pworker *w)
{
	switch (w->st) {
	case PW_SPAWNING: return ST_SPAWNING;
	case PW_BUSY: return ST_BUSY;
	default: return ST_IDLE;
	}
}

/* Takes an innocent request back from a worker that is going down and
 * puts it at the head of the queue; a request is retried only once. */
static void pw_requeue(struct pworker *w)
{
	struct preq *q = w->req;

	w->req = NULL;
	q->w = NULL;
	q->retried = true;
	TAILQ_INSERT_HEAD(&w->p->queue, q, link);
	w->p->nqueued++;
}

static void pw_ipc_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pworker *w = arg;

	while (w->st != PW_DYING) {
		struct ipc_expect ex = { .dir = IPC_W2S, .state = pw_ipc_state(w), .match_id = 1,
					 .id = w->st == PW_BUSY ? w->req->id : 0 };
		int fds[IPC_MAX_FDS];
		unsigned nfds;
		size_t len;
		struct ipc_msg m;
		int r = ipc_recv(fd, w->p->rx, sizeof(w->p->rx), &len, fds, &nfds, MSG_DONTWAIT);
		int e;

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r == 0) {
			/* End of stream: the exit status will say why. */
			event_del(w->ev_ipc);
			return;
		}
		if (r < 0) {
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "bad message: %s", strerror(errno));
			return;
		}
		e = ipc_decode(w->p->rx, len, fds, nfds, &ex, &m);
		if (e == IPC_E_ID && w->st == PW_BUSY && w->prev_id && wire_get64(w->p->rx + 8) == w->prev_id &&
		    !w->req->retried) {
			/* A message for the request it already finished: the fault
			 * is that request's, answered long ago. The current one is
			 * innocent; it goes back to the head of the queue, once. */
			ipc_close_fds(fds, nfds);
			pw_requeue(w);
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "message for request %llu after it completed",
				  (unsigned long long)w->prev_id);
			return;
		}
		if (e != IPC_OK) {
			ipc_close_fds(fds, nfds);
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "%s (type %u, %zu bytes)", ipc_strerror(e),
				  len >= 6 ? (unsigned)(w->p->rx[4] | w->p->rx[5] << 8) : 0u, len);
			return;
		}
		pw_on_message(w, &m);
		/* A finished request is the end of a burst: no read ending in
		 * EAGAIN per call. Anything the worker sent after it is still
		 * read (the event is level-triggered) and judged in its state. */
		if (m.type == IPC_W_DONE || m.type == IPC_W_OK)
			return;
	}
}

/* Every worker event ends the same way: free the worker if it is gone,
 * then let the pool hand out work and spawn what is missing. */
static void pw_after_event(struct pworker *w)
{
	struct pool *p = w->p;

	pw_finalize(w);
	pool_dispatch(p);
}

static void pw_ipc_event(evutil_socket_t fd, short what, void *arg)
{
	pw_ipc_readable(fd, what, arg);
	pw_after_event(arg);
}

/* A notification from the worker's filter (notify.c judges it). A READY
 * already queued on the socket seals the worker first: a single-threaded
 * worker cannot reach a syscall after READY before the READY is readable
 * here. */
static void pw_notify(struct pworker *w, int fd)
{
	char text[400];
	int sig = 0;

	if (w->st == PW_SPAWNING)
		pw_ipc_readable(w->ipc, EV_READ, w);
	if (w->st == PW_DYING)
		return;
	switch (nf_judge(fd, w->pid, w->p->pol, w->st == PW_SPAWNING, &sig, text, sizeof(text))) {
	case NF_CONTINUED:
		break;
	case NF_GONE:
		event_del(w->ev_notify);
		break;
	case NF_BROKEN:
		event_del(w->ev_notify);
		pw_decide(w, CS_VIOLATION, 0, "%s", text);
		break;
	case NF_CRASHED:
		pw_decide(w, CS_CRASHED, sig, "%s", text);
		break;
	case NF_VIOLATION:
		pw_decide(w, CS_VIOLATION, 0, "%s", text);
		break;
	}
}

static void pw_notify_event(evutil_socket_t fd, short what, void *arg)
{
	pw_notify(arg, fd);
	pw_after_event(arg);
}

static void pw_log_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pworker *w = arg;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0 || w->logged >= POOL_LOG_MAX) {
		/* Bounded: past POOL_LOG_MAX the pipe fills and the worker's
		 * non-blocking writes fail; it never blocks the supervisor. */
		event_del(w->ev_log);
		return;
	}
	w->logged += (size_t)n;
	if (w->p->verbose)
		fprintf(stderr, "worker %d: %.*s", (int)w->pid, (int)n, buf);
}

static void pw_timeout(struct pworker *w)
{
	struct pool *p = w->p;

	switch (w->st) {
	case PW_BUSY:
		pw_decide(w, CS_TIMEOUT, 0, "wall time %llums exceeded", (unsigned long long)p->lim.wall_ms);
		break;
	case PW_IDLE:
		/* Idle past idle_timeout: retire unless needed to stay warm. */
		{
			uint32_t live = 0;
			struct pworker *o;
			TAILQ_FOREACH(o, &p->workers, link)
				live += o->st != PW_DYING;
			if (live > p->sz.min_workers && (p->sz.requests_per_worker > 1 || live > 1))
				pw_decide(w, CS_OK, 0, "idle for %llums", (unsigned long long)p->sz.idle_ms);
			else
				pw_arm(w->timer, p->sz.idle_ms);
		}
		break;
	default:
		pw_decide(w, CS_SPAWN_FAILED, 0, "worker not ready within %ums", POOL_SPAWN_MIN_MS);
	}
}

static void pw_timer(evutil_socket_t fd, short what, void *arg)
{
	pw_timeout(arg);
	pw_after_event(arg);
}

/* Per-request CPU budget: sleeps at most the remaining budget (CPU time
 * never runs faster than the wall clock), then checks the worker's CPU
 * clock. Fires within a millisecond or so of the limit. */
static void pw_cpu_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pworker *w = arg;
	uint64_t now = pw_cpu_ns(w), used_ms, limit = w->p->lim.cpu_ms;

	if (w->st != PW_BUSY)
		return;
	used_ms = now > w->cpu_base_ns ? (now - w->cpu_base_ns) / 1000000u : 0;
	if (used_ms >= limit)
		pw_decide(w, CS_CPU_LIMIT, 0, "cpu time %llums exceeded (used %llums)", (unsigned long long)limit,
			  (unsigned long long)used_ms);
	else
		pw_arm(w->cpu_timer, limit - used_ms);
	pw_after_event(w);
}

/* ---- zygote events --------------------------------------------------- */

static struct pworker *pool_find_spawn(struct pool *p, uint64_t id)
{
	struct pworker *w;

	TAILQ_FOREACH(w, &p->workers, link)
		if (w->spawn_id == id)
			return w;
	return NULL;
}

static void pool_spawned(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4])
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->started || w->st == PW_DYING) {
		/* Cancelled while spawning: the worker must not outlive us. */
		syscall(SYS_pidfd_send_signal, fds[0], SIGKILL, NULL, 0);
		ipc_close_fds(fds, 4);
		return;
	}
	w->started = true;
	w->pid = pid;
	w->pidfd = fds[0];
	w->ipc = fds[1];
	w->notify = fds[2];
	w->log = fds[3];
	p->st.spawned++;
	w->ev_ipc = event_new(p->base, w->ipc, EV_READ | EV_PERSIST, pw_ipc_event, w);
	w->ev_notify = event_new(p->base, w->notify, EV_READ | EV_PERSIST, pw_notify_event, w);
	w->ev_log = event_new(p->base, w->log, EV_READ | EV_PERSIST, pw_log_readable, w);
	if (!w->ev_ipc || !w->ev_notify || !w->ev_log || event_add(w->ev_ipc, NULL) < 0 ||
	    event_add(w->ev_notify, NULL) < 0 || event_add(w->ev_log, NULL) < 0)
		pw_decide(w, CS_SPAWN_FAILED, 0, "supervisor events: %s", strerror(errno));
	/* Its bulk regions, first thing: the worker maps them and closes the
	 * descriptors before it loads the plugin, so no plugin code ever
	 * sees them in its table and a worker that cannot map them is a
	 * failed spawn, not a request's crash. */
	else if (pw_send_regions(w) < 0)
		pw_decide(w, CS_SPAWN_FAILED, 0, "bulk regions: %s", strerror(errno));
	pw_after_event(w);
}

static void pool_open_breaker(struct pool *p, const char *why);

static void pool_spawn_failed(void *arg, uint64_t id, uint32_t step, int err, const char *text)
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->started)
		return;
	pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s: %s", ipc_step_name(step), text, strerror(err));
	pw_after_event(w);
}

static void pool_root_cleared(void *arg, uint64_t id, int err, const char *text)
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->st != PW_CLEARING)
		return;
	if (err) {
		pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s: %s", ipc_step_name(IPC_STEP_CLEAR_ROOT), text,
			  strerror(err));
		pw_after_event(w);
		return;
	}
	/* A sealed, empty-rooted worker: the pool is healthy again. */
	p->consecutive_failures = 0;
	p->st.failed = false;
	p->st.failed_reason[0] = '\0';
	if (p->on_ready)
		p->on_ready(p->on_ready_arg, w->pid);
	pw_idle(w);
	pw_after_event(w);
}

/* Classifies a worker that ended without a decided status. */
static void pw_classify(struct pworker *w, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	const struct pool_limits *l = &w->p->lim;
	bool spawning = w->st == PW_SPAWNING || w->st == PW_CLEARING;
	uint64_t base_us = w->cpu_base_ns / 1000, req_cpu_us = cpu_us > base_us ? cpu_us - base_us : 0;

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (!spawning && (sig == SIGXCPU || (sig == SIGKILL && req_cpu_us >= l->cpu_ms * 1000)))
			pw_decide(w, CS_CPU_LIMIT, 0, "cpu time %llums exceeded (used %llums)",
				  (unsigned long long)l->cpu_ms, (unsigned long long)(req_cpu_us / 1000));
		else if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGKILL) &&
			 maxrss_kb * 1024 >= l->memory_bytes / 4 * 3)
			pw_decide(w, CS_MEMORY_LIMIT, 0, "memory limit %lluM reached (peak %lluM, then SIG%s)",
				  (unsigned long long)(l->memory_bytes >> 20),
				  (unsigned long long)(maxrss_kb >> 10), sysfmt_signame(sig));
		else if (spawning)
			pw_decide(w, CS_SPAWN_FAILED, 0, "worker killed by SIG%s while loading", sysfmt_signame(sig));
		else
			pw_decide(w, CS_CRASHED, sig, "SIG%s", sysfmt_signame(sig));
	} else if (spawning) {
		pw_decide(w, CS_SPAWN_FAILED, 0, "worker exited with status %d while loading", WEXITSTATUS(status));
	} else {
		pw_decide(w, CS_CRASHED, 0, "worker exited with status %d%s", WEXITSTATUS(status),
			  w->req ? " mid-request" : "");
	}
}

static void pool_note_spawn_failure(struct pool *p, const char *why)
{
	snprintf(p->st.last_spawn_error, sizeof(p->st.last_spawn_error), "%.255s", why);
	p->consecutive_failures++;
	if (p->consecutive_failures >= p->sz.failure_threshold)
		pool_open_breaker(p, why);
}

static void pool_exited(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	struct pool *p = arg;
	struct pworker *w;

	TAILQ_FOREACH(w, &p->workers, link)
		if (w->started && w->pid == pid)
			break;
	if (!w)
		return;
	w->exited = true;
	if (w->st != PW_DYING) {
		/* Messages sent just before death still count (a DONE, an INIT_FAILED). */
		pw_ipc_readable(w->ipc, EV_READ, w);
		if (w->st != PW_DYING && w->cg_ready && cg_worker_oom_kills(&p->cg, w->slot) > w->oom_base)
			pw_decide(w, CS_MEMORY_LIMIT, 0, "memory limit %lluM reached (%s OOM kill, peak %lluM)",
				  (unsigned long long)(p->lim.memory_bytes >> 20), cg_name(&p->cg),
				  (unsigned long long)(maxrss_kb >> 10));
		if (w->st != PW_DYING)
			pw_classify(w, status, maxrss_kb, cpu_us);
	}
	pw_after_event(w);
}

/* ---- spawning, breaker, dispatch ------------------------------------- */

static void pool_lost(void *arg, const char *why)
{
	struct pool *p = arg;
	struct pworker *w;

	/* Every worker died with the zygote (PDEATHSIG): no exit will come.
	 * Their requests did nothing wrong: each goes back to the head of the
	 * queue, once (a request whose worker takes the zygote down with it
	 * twice completes CRASHED). The zygote restarts with the next spawn,
	 * after the backoff; this counts as one spawn failure. */
	p->zyg_up = false;
	while ((w = TAILQ_FIRST(&p->workers))) {
		w->exited = true;
		if (w->req && !w->req->retried)
			pw_requeue(w);
		pw_decide(w, w->st == PW_BUSY ? CS_CRASHED : CS_SPAWN_FAILED, 0, "%s", why);
		w->spawn_failed = false;
		pw_finalize(w);
	}
	zyg_stop(&p->zyg);
	pool_note_spawn_failure(p, why);
	pool_dispatch(p);
}

static const struct zyg_ops pool_zyg_ops = {
	pool_spawned, pool_spawn_failed, pool_exited, pool_root_cleared, pool_lost,
};

static int pool_start_zygote(struct pool *p, char *err, size_t errlen)
{
	if (zyg_start(&p->zyg, p->base, p->cfg, &pool_zyg_ops, p, err, errlen) < 0)
		return -1;
	p->zyg_up = true;
	return 0;
}

static void pool_open_breaker(struct pool *p, const char *why)
{
	struct preq *r;

	if (!p->st.failed)
		snprintf(p->st.failed_reason, sizeof(p->st.failed_reason),
			 "%.200s (pool failed after %u consecutive spawn failures)", why, p->consecutive_failures);
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
	pool_dispatch(p);
}

/* A slot for a new worker: one whose cgroup was kept, if it is empty
 * (*kept set), else a fresh one. */
static uint32_t pool_take_slot(struct pool *p, bool *kept)
{
	while (p->ncg_keep) {
		uint32_t slot = p->cg_keep[--p->ncg_keep];
		if (cg_worker_empty(&p->cg, slot)) {
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
	bool kept;

	if (!p->zyg_up && pool_start_zygote(p, err, sizeof(err)) < 0) {
		pool_note_spawn_failure(p, err);
		return -1;
	}
	slot = pool_take_slot(p, &kept);
	if (slot == UINT32_MAX || !(w = calloc(1, sizeof(*w)))) {
		if (slot != UINT32_MAX)
			pool_slots[slot] = 0;
		pool_note_spawn_failure(p, slot == UINT32_MAX ? "no free worker identity" : "out of memory");
		return -1;
	}
	w->p = p;
	w->slot = slot;
	w->pidfd = w->ipc = w->notify = w->log = w->shm_in_fd = w->shm_out_fd = w->shm_in_ro = -1;
	w->st = PW_SPAWNING;
	w->spawn_id = ++p->next_id;
	TAILQ_INSERT_TAIL(&p->workers, w, link);
	if (p->cg.ver != CG_NONE) {
		if (!kept && cg_worker_create(&p->cg, slot, p->lim.memory_bytes, POOL_PIDS_MAX, err, sizeof(err)) < 0) {
			pw_decide(w, CS_SPAWN_FAILED, 0, "%s", err);
			pw_finalize(w);
			return -1;
		}
		w->cg_ready = true;
		w->oom_base = cg_worker_oom_kills(&p->cg, slot);
	}
	if (pw_make_regions(w) < 0) {
		pw_decide(w, CS_SPAWN_FAILED, 0, "bulk regions: %s", strerror(errno));
		pw_finalize(w);
		return -1;
	}
	w->timer = evtimer_new(p->base, pw_timer, w);
	w->cpu_timer = evtimer_new(p->base, pw_cpu_timer, w);
	if (!w->timer || !w->cpu_timer || zyg_spawn(&p->zyg, slot, w->spawn_id) < 0) {
		pw_decide(w, CS_SPAWN_FAILED, 0, "ask zygote for a worker: %s", strerror(errno));
		pw_finalize(w);
		return -1;
	}
	pw_arm(w->timer, p->lim.wall_ms > POOL_SPAWN_MIN_MS ? p->lim.wall_ms : POOL_SPAWN_MIN_MS);
	return 0;
}

/* Matches waiting requests with idle workers, then spawns what is missing:
 * one worker per waiting request up to max_workers, min_workers always,
 * and a spare beyond the busy ones when requests_per_worker is 1 or a
 * worker nears its last request. While spawns
 * fail, new spawns wait out an exponential backoff; with the breaker open,
 * one trial spawn at a time. */
static void pool_dispatch(struct pool *p)
{
	struct pworker *w;
	uint32_t live = 0, ready = 0, spawning = 0, want, cap;
	bool spare = p->sz.requests_per_worker == 1;

	TAILQ_FOREACH(w, &p->workers, link)
		if (w->st == PW_IDLE && !TAILQ_EMPTY(&p->queue))
			pw_assign(w, TAILQ_FIRST(&p->queue));
	TAILQ_FOREACH(w, &p->workers, link) {
		/* In the last quarter of its requests, a worker's successor
		 * starts, so that recycling does not put a spawn on the path of
		 * the request after its last one. */
		bool expiring = p->sz.requests_per_worker > 1 && (w->st == PW_IDLE || w->st == PW_BUSY) &&
				w->served + 1 + p->sz.requests_per_worker / 4 >= p->sz.requests_per_worker;
		live += w->st != PW_DYING;
		ready += w->st == PW_IDLE && !expiring;
		spawning += w->st == PW_SPAWNING || w->st == PW_CLEARING;
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

struct pool *pool_new(struct event_base *base, const struct policy *pol, const struct pool_limits *lim,
		      const struct pool_sizing *sz, const struct wk_config *cfg, char *err, size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p || !(p->cfg = malloc(sizeof(*cfg)))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base = base;
	p->pol = pol;
	p->lim = *lim;
	p->sz = *sz;
	if (p->sz.max_workers == 0)
		p->sz.max_workers = 1;
	if (p->sz.requests_per_worker == 0)
		p->sz.requests_per_worker = 1;
	if (p->sz.failure_threshold == 0)
		p->sz.failure_threshold = 1;
	*p->cfg = *cfg;
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
	cg_setup(&p->cg);
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
		p->cfg->memory_bytes += p->shm_in_size + p->shm_out_size;
	}
	TAILQ_INIT(&p->workers);
	TAILQ_INIT(&p->queue);
	TAILQ_INIT(&p->done);
	p->ev_deliver = event_new(base, -1, 0, pool_deliver, p);
	p->ev_backoff = evtimer_new(base, pool_backoff_done, p);
	if (!p->ev_deliver || !p->ev_backoff) {
		snprintf(err, errlen, "pool events: %s", strerror(errno));
		goto fail;
	}
	if (pool_start_zygote(p, err, errlen) < 0)
		goto fail;
	pool_dispatch(p);
	return p;
fail:
	if (p->ev_deliver)
		event_free(p->ev_deliver);
	if (p->ev_backoff)
		event_free(p->ev_backoff);
	cg_teardown(&p->cg);
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
	TAILQ_FOREACH(w, &p->workers, link)
		if (w->req && w->req->id == id && !w->req->decided) {
			pw_decide(w, CS_CANCELLED, 0, "cancelled while running in worker %d", (int)w->pid);
			return 0;
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
		st->spawning += w->st == PW_SPAWNING || w->st == PW_CLEARING;
		st->idle += w->st == PW_IDLE;
		st->busy += w->st == PW_BUSY;
		st->dying += w->st == PW_DYING;
	}
	st->queued = p->nqueued;
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
	while ((r = TAILQ_FIRST(&p->queue))) {
		TAILQ_REMOVE(&p->queue, r, link);
		p->nqueued--;
		TAILQ_INSERT_TAIL(&p->done, r, link);
		r->decided = true;
		r->status = CS_CANCELLED;
		snprintf(r->detail, sizeof(r->detail), "pool closed");
	}
	/* Workers die with the zygote; their requests end here, not on a reap
	 * that will never be delivered. */
	while ((w = TAILQ_FIRST(&p->workers))) {
		w->exited = true;
		w->spawn_failed = false;
		pw_decide(w, CS_CANCELLED, 0, "pool closed");
		w->spawn_failed = false;
		pw_finalize(w);
	}
	pool_deliver(-1, 0, p);
	if (p->zyg_up)
		zyg_stop(&p->zyg);
	cg_teardown(&p->cg);
	while (p->ncg_keep)
		pool_slots[p->cg_keep[--p->ncg_keep]] = 0;
	event_free(p->ev_deliver);
	event_free(p->ev_backoff);
	free(p->cfg);
	free(p);
}
