/* The broker's workers (see pool_int.h): one worker's life from its
 * spawn to its reaping, on the pool's event_base. Everything a worker
 * sends passes ipc_decode() first; anything malformed, unexpected or out of
 * state kills it with PROTOCOL_ERROR. */
#include "pool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bufcache.h"
#include "hostlim.h"
#include "ipc/ipc_cov.h"
#include "ipc/ipc_io.h"
#include "notify.h"
#include "policy/profile.h"
#include "policy/sysfmt.h"
#include "ipc/wire.h"
#include "wlog.h"

/* Answers read from one worker's socket per wake-up, at most. */
#define PW_READ_BURST 64u

/* ---- workers --------------------------------------------------------- */

void pw_kill(struct pworker *w)
{
	if (w->pidfd >= 0 && !w->killed)
		syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	w->killed = true;
}

void pw_free(struct pworker *w)
{
	struct event *evs[] = { w->ev_ipc, w->ev_notify, w->ev_log, w->timer, w->cpu_timer };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	for (int *fd = (int[]){ w->pidfd, w->ipc, w->notify, w->log, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	if (w->wlog)
		wlog_flush(w->wlog, stderr);
	free(w->wlog);
	free(w->logtail);
	pw_regions_free(w->p, &w->rg);
	nfx_worker_free(&w->xw);
	pool_release_slot(w->p, w->slot, w->cg_ready, w->reaped);
	TAILQ_REMOVE(&w->p->workers, w, link);
	free(w);
}

/* The worker is done for: stop listening and kill it. Its request (the
 * first decision wins) completes when pw_finalize sees it reaped. */
static void pw_take_cov(struct pworker *w, struct preq *r);

void pw_decide(struct pworker *w, enum cs_status st, int sig, const char *fmt, ...)
{
	va_list ap;

	if (w->st == PW_DYING)
		return;
	/* A fuzz worker's region names the input of its batch it died on. */
	if (w->req && w->st == PW_BUSY && !w->req->decided)
		pw_take_cov(w, w->req);
	va_start(ap, fmt);
	if (w->req)
		pool_set(w->req, st, sig, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	pw_unpipe(w);
	if (PW_STARTING(w->st)) {
		/* Kept for the requests the breaker fails: say what happened
		 * when it was not a plain spawn failure (a violation at load). */
		if (st != CS_SPAWN_FAILED) {
			char d[sizeof(w->why)];
			snprintf(d, sizeof(d), "%s", w->why);
			snprintf(w->why, sizeof(w->why), "%s %.400s while loading", cs_status_name(st), d);
		}
		w->spawn_failed = true;
		w->p->st.spawn_failed++;
		pool_spawn_failing(w->p);
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

void pw_fail(struct pworker *w, enum pool_fail kind, int err)
{
	int saved = errno;
	char name[sizeof(w->fail_text) - 4];

	w->fail_kind = kind;
	w->fail_err = err;
	w->fail_text[0] = '\0';
	if (err && hl_resource_errno(err)) {
		hl_name(err, pool_fds_per_worker(w->p), name, sizeof(name));
		snprintf(w->fail_text, sizeof(w->fail_text), " (%s)", name);
	}
	errno = saved;
}

static void pw_log_keep(struct pworker *w, const char *buf, size_t n)
{
	if (!w->logtail && !(w->logtail = malloc(POOL_LOG_TAIL)))
		return;
	if (n >= POOL_LOG_TAIL) {
		memcpy(w->logtail, buf + n - POOL_LOG_TAIL, POOL_LOG_TAIL);
		w->loglen = POOL_LOG_TAIL;
		return;
	}
	if (w->loglen + n > POOL_LOG_TAIL) {
		size_t drop = w->loglen + n - POOL_LOG_TAIL;
		memmove(w->logtail, w->logtail + drop, w->loglen - drop);
		w->loglen -= drop;
	}
	memcpy(w->logtail + w->loglen, buf, n);
	w->loglen += n;
}

/* A worker that is gone with a request in hand: what it wrote last is in
 * its log pipe still (a sanitizer's report, an abort message), read now
 * (bounded by the pipe's capacity: the writer is dead) and its tail kept
 * with the request, escaped. No copy when out of memory. */
static void pw_log_attach(struct pworker *w, struct preq *r)
{
	char buf[4096];
	ssize_t n;
	size_t drained = 0;

	while (w->log >= 0 && drained < POOL_LOG_MAX && (n = read(w->log, buf, sizeof(buf))) > 0) {
		pw_log_keep(w, buf, (size_t)n);
		drained += (size_t)n;
	}
	/* Worker bytes: escaped (wlog.h) before anything writes them to a
	 * file or a terminal. */
	if (!w->loglen || r->log)
		return;
	r->log = wlog_escape_text((const uint8_t *)w->logtail, w->loglen, &r->log_len);
}

/* Frees a dying worker once it is reaped (or never started), completing
 * its request. Called only at the end of top-level event handlers. */
void pw_finalize(struct pworker *w)
{
	struct pool *p = w->p;
	char why[512];
	bool failed = w->spawn_failed;

	if (w->st != PW_DYING || (w->started && !w->exited))
		return;
	snprintf(why, sizeof(why), "%s", w->why);
	if (w->req)
		pw_log_attach(w, w->req);
	if (w->req)
		pool_complete(w->req);
	enum pool_fail kind = w->fail_kind;
	int err = w->fail_err;

	pw_free(w);
	if (failed)
		pool_judge_failure(p, why, kind, err);
}

void pw_arm(struct event *ev, uint64_t ms)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(ev, &tv);
}

/* The worker's CPU clock, read in one system call: glibc's
 * clock_getcpuclockid() spends a second one (clock_getres) checking it.
 * The kernel's encoding of a process CPU clock (CPUCLOCK_SCHED); the pid
 * stays ours until the zygote reaps the worker. */
static uint64_t pw_clock_ns(pid_t pid)
{
	clockid_t c = (clockid_t)((~(unsigned)pid) << 3 | 2u);
	struct timespec ts;

	if (clock_gettime(c, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An exec worker's CPU is its runner's and its tool's while the tool
 * runs (a reaped tool's time is its runner's children's, which the
 * zygote's rusage counts at the end). */
uint64_t pw_cpu_ns(const struct pworker *w)
{
	return pw_clock_ns(w->pid) + (w->xw.tool > 0 ? pw_clock_ns(w->xw.tool) : 0);
}

static int pw_send_request(struct pworker *w)
{
	struct preq *r = w->req;
	uint8_t b[8];

	if (r->len <= IPC_INLINE_MAX)
		return ipc_send(w->ipc, IPC_W_REQUEST, r->id, r->in, (uint32_t)r->len, NULL, 0);
	/* r->len <= input cap <= the region's size (pool_req_new checked). */
	if (pw_region_io(w->rg.in_fd, w->rg.in, r->in, r->len, true) < 0)
		return -1;
	wire_put64(b, r->len);
	return ipc_send(w->ipc, IPC_W_REQUEST_SHM, r->id, b, 8, NULL, 0);
}

/* The request in hand begins: its wall and CPU budgets run from now. A
 * worker has one thread (seccomp refuses clone), so it cannot use more CPU
 * than wall time: with cpu_time >= wall_time the wall timer always fires
 * first and the CPU clock is not read (a system call per request). A
 * pipelined request begins when the one before it is answered, as read
 * here: a worker that started it earlier gains at most the time we took to
 * read that answer. */
static void pw_begin(struct pworker *w)
{
	struct pool *p = w->p;

	w->cpu_base_ns = p->lim.cpu_ms < p->lim.wall_ms ? pw_cpu_ns(w) : UINT64_MAX;
	pw_arm(w->timer, p->lim.wall_ms);
	if (w->cpu_base_ns != UINT64_MAX)
		pw_arm(w->cpu_timer, p->lim.cpu_ms);
}

/* Hands a waiting request to an idle worker. Our end of its socket does
 * not block: an idle worker has read everything we sent, so a full socket
 * means it answers requests it never read, and it goes (the request is
 * not its fault). */
void pw_assign(struct pworker *w, struct preq *r)
{
	struct pool *p = w->p;

	/* A worker that ran on while it had nothing to do goes first; the
	 * request stays at the head of the queue. */
	if (!pw_idle_cpu_ok(w))
		return;
	TAILQ_REMOVE(&p->queue, r, link);
	p->nqueued--;
	evtimer_del(w->timer);
	w->req = r;
	r->w = w;
	w->st = PW_BUSY;
	pw_begin(w);
	if (pw_send_request(w) < 0) {
		if (errno == EAGAIN) {
			pw_requeue(w, false);
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "worker does not read its requests (socket full)");
		} else {
			pw_decide(w, CS_CRASHED, 0, "worker gone before its request: %s", strerror(errno));
		}
	}
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
static bool pw_take_region(struct pworker *w, size_t len)
{
	uint8_t *o = pw_output_room(w, len);

	if (!o)
		return false;
	if (pw_region_io(w->rg.out_fd, (uint8_t *)w->rg.out, o, len, false) < 0) {
		pw_decide(w, CS_PROTOCOL_ERROR, 0, "reading the output region: %s", strerror(errno));
		return false;
	}
	w->req->out_len += len;
	return true;
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

/* A fuzz target's coverage as the worker answered: the comparison slots
 * and as many counters as it says, clamped to the region (it is the
 * worker's word), copied so that the caller reads none of it live. No
 * copy when out of memory: the input then simply shows no coverage. */
static void pw_take_cov(struct pworker *w, struct preq *r)
{
	uint32_t n;

	if (!w->rg.cov || r->piped || r->cov)
		return; /* piped: the worker may be writing the next input's already */
	memcpy(&n, w->rg.cov + IPC_COV_NCOUNTERS_OFF, sizeof(n));
	if (n > w->p->shm_cov_size - IPC_COV_COUNTERS)
		n = (uint32_t)(w->p->shm_cov_size - IPC_COV_COUNTERS);
	r->cov = malloc(IPC_COV_COUNTERS + (size_t)n);
	if (!r->cov)
		return;
	memcpy(r->cov, w->rg.cov, IPC_COV_COUNTERS + (size_t)n);
	memcpy(r->cov + IPC_COV_NCOUNTERS_OFF, &n, sizeof(n));
	r->cov_len = IPC_COV_COUNTERS + (size_t)n;
}

/* An exec worker's tool was killed by sig (its runner's word, bounded to
 * a signal number): the worker is ended now, and its end is classified
 * as if the tool's signal had ended it (pool_exited), with the rusage the
 * zygote reads, which counts the reaped tool (CPU, peak memory). */
static void pw_tool_signaled(struct pworker *w, uint32_t sig)
{
	if (sig == 0 || sig > 64) {
		pw_decide(w, CS_PROTOCOL_ERROR, 0, "exec runner reported signal %u", sig);
		return;
	}
	w->tool_sig = (int)sig;
	pw_kill(w);
}

/* The request in hand finished: rc 0 is OK, anything else PLUGIN_ERROR
 * with the plugin's text (an exec worker's: "exit N: its last stderr
 * line"; a signal is pw_tool_signaled's). */
static void pw_done(struct pworker *w, int32_t rc, const char *text)
{
	struct pool *p = w->p;
	struct preq *r = w->req;

	pw_take_cov(w, r);
	evtimer_del(w->timer);
	evtimer_del(w->cpu_timer);
	if (p->cfg->exec && ((uint32_t)rc & IPC_EXEC_SIGNALED)) {
		pw_tool_signaled(w, (uint32_t)rc & ~IPC_EXEC_SIGNALED);
		return;
	}
	r->decided = true;
	r->status = rc == 0 ? CS_OK : CS_PLUGIN_ERROR;
	if (rc == 0)
		r->detail[0] = '\0';
	else
		snprintf(r->detail, sizeof(r->detail), "%s", text[0] ? text : "plugin failed");
	w->prev_id = r->id;
	pool_complete(r);
	w->pipe_full = false;
	if (++w->served >= p->sz.requests_per_worker) {
		p->st.recycled++;
		pw_decide(w, CS_OK, 0, "recycled after %u requests", w->served);
	} else if ((w->req = pw_next_piped(w))) {
		pw_begin(w);
	} else {
		pw_idle(w);
	}
}

/* A sealed, empty-rooted worker: the pool is healthy again. */
static void pw_ready(struct pworker *w)
{
	struct pool *p = w->p;

	pool_spawn_ok(p, w->spawn_id);
	if (p->on_ready)
		p->on_ready(p->on_ready_arg, w->pid);
	pw_idle(w);
}

static void pw_on_message(struct pworker *w, const struct ipc_msg *m)
{
	struct pool *p = w->p;

	switch (m->type) {
	case IPC_W_READY:
		/* Sealed from here on. Its root holds nothing unless the
		 * profile binds data: then it is usable once the zygote has
		 * emptied it. */
		if (p->cfg->nbinds == 0) {
			pw_ready(w);
			break;
		}
		w->st = PW_CLEARING;
		if (zyg_clear_root(&p->zyg, w->spawn_id, w->pidfd) < 0) {
			pw_fail(w, PF_SUPERVISOR, errno);
			pw_decide(w, CS_SPAWN_FAILED, 0, "%s: ask zygote: %s", ipc_step_name(IPC_STEP_CLEAR_ROOT),
				  strerror(errno));
		}
		break;
	case IPC_W_INIT_FAILED:
		pw_fail(w, PF_INIT, w->host_err);
		pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s%s", ipc_step_name(m->u.fail.step), m->u.fail.text.s, w->fail_text);
		break;
	case IPC_W_OUTPUT:
		pw_take_inline(w, m->payload, m->len);
		break;
	case IPC_W_OUTPUT_SHM:
	case IPC_W_OK_SHM:
		if (!w->rg.out || m->u.bulk.size > p->shm_out_size) {
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "%s of %llu bytes outside the output region",
				  ipc_type_name(m->type), (unsigned long long)m->u.bulk.size);
			return;
		}
		if (w->req->piped) {
			pw_decide(w, CS_PROTOCOL_ERROR, 0, "%s for a pipelined request (inline only)",
				  ipc_type_name(m->type));
			return;
		}
		if (pw_take_region(w, (size_t)m->u.bulk.size) && m->type == IPC_W_OK_SHM)
			pw_done(w, 0, "");
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

/* Takes the request in hand back from a worker that is going down, for
 * no fault of that request's, and puts it at the head of the queue, before
 * those piped behind it. counts: it may have run, and whatever happened
 * might still have been its doing, so this spends its one retry (a request
 * whose worker is lost twice completes with that worker's status). */
void pw_requeue(struct pworker *w, bool counts)
{
	struct preq *q = w->req;

	pw_unpipe(w);
	w->req = NULL;
	q->w = NULL;
	q->piped = false;
	q->retried |= counts;
	TAILQ_INSERT_HEAD(&w->p->queue, q, link);
	w->p->nqueued++;
}

static void pw_ipc_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pworker *w = arg;
	unsigned answers = 0;

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
		if (r == 0 || (r < 0 && errno == ECONNRESET)) {
			/* End of stream: the exit status will say why. A worker that
			 * dies with requests unread in its socket (pipelined ones)
			 * resets it instead. */
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
			pw_requeue(w, true);
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
		/* A finished request with none behind it is the end of a burst:
		 * no read ending in EAGAIN per call. Anything the worker sent
		 * after it is still read (the event is level-triggered) and
		 * judged in its state. With pipelined requests the next answer
		 * may be here already; a burst is bounded so that one worker
		 * cannot keep the loop from the others. */
		if ((m.type == IPC_W_DONE || m.type == IPC_W_OK || m.type == IPC_W_OK_SHM) &&
		    (w->st != PW_BUSY || ++answers >= PW_READ_BURST))
			return;
	}
}

/* Every worker event ends the same way: free the worker if it is gone,
 * then let the pool hand out work and spawn what is missing. */
void pw_after_event(struct pworker *w)
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
	switch (nf_judge(fd, w->pid, w->pidfd, w->p->pol, w->st == PW_SPAWNING ? w->p->cfg : NULL, w->p->nfx,
			 w->p->nfx ? &w->xw : NULL, &sig, text, sizeof(text))) {
	case NF_CONTINUED:
		break;
	case NF_HOST_LIMIT:
		/* Its load fails now, for our want of descriptors, not its fault. */
		w->host_err = sig;
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
		if (w->wlog)
			wlog_flush(w->wlog, stderr);
		return;
	}
	w->logged += (size_t)n;
	pw_log_keep(w, buf, (size_t)n);
	if (w->wlog)
		wlog_feed(w->wlog, (const uint8_t *)buf, (size_t)n, stderr);
}

static void pw_timeout(struct pworker *w)
{
	struct pool *p = w->p;

	switch (w->st) {
	case PW_BUSY:
		pw_decide(w, CS_TIMEOUT, 0, "wall time %llums exceeded", (unsigned long long)p->lim.wall_ms);
		break;
	case PW_IDLE:
		pw_idle_timer(w);
		break;
	default:
		pw_decide(w, CS_SPAWN_FAILED, 0, "worker not ready within %ums", POOL_SPAWN_MIN_MS);
	}
}

void pw_timer(evutil_socket_t fd, short what, void *arg)
{
	pw_timeout(arg);
	pw_after_event(arg);
}

/* Per-request CPU budget: sleeps at most the remaining budget (CPU time
 * never runs faster than the wall clock), then checks the worker's CPU
 * clock. Fires within a millisecond or so of the limit. */
void pw_cpu_timer(evutil_socket_t fd, short what, void *arg)
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

void pool_spawned(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4])
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
	/* -v: its stderr, escaped and prefixed line by line (wlog.h). */
	if (p->verbose && (w->wlog = malloc(sizeof(*w->wlog))))
		wlog_init(w->wlog, w->slot, pid);
	w->ev_ipc = event_new(p->base, w->ipc, EV_READ | EV_PERSIST, pw_ipc_event, w);
	w->ev_notify = event_new(p->base, w->notify, EV_READ | EV_PERSIST, pw_notify_event, w);
	w->ev_log = event_new(p->base, w->log, EV_READ | EV_PERSIST, pw_log_readable, w);
	/* Our end of its socket never blocks (see pw_assign and pw_send_staged). */
	if (fcntl(w->ipc, F_SETFL, O_NONBLOCK) < 0 || fcntl(w->log, F_SETFL, O_NONBLOCK) < 0 || !w->ev_ipc || !w->ev_notify || !w->ev_log ||
	    event_add(w->ev_ipc, NULL) < 0 || event_add(w->ev_notify, NULL) < 0 || event_add(w->ev_log, NULL) < 0) {
		pw_fail(w, PF_SUPERVISOR, errno);
		pw_decide(w, CS_SPAWN_FAILED, 0, "supervisor events: %s%s", strerror(errno), w->fail_text);
	}
	pw_after_event(w);
}

void pool_spawn_failed(void *arg, uint64_t id, uint32_t step, int err, const char *text)
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->started)
		return;
	pw_fail(w, PF_ARRIVAL, err);
	pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s: %s%s", ipc_step_name(step), text, strerror(err), w->fail_text);
	pw_after_event(w);
}

/* Spawned, but its descriptors never reached us: it is dying alone (its
 * sockets closed), and keeps its slot, identity and cgroup until the
 * zygote reports it reaped, like any worker. */
void pool_spawned_lost(void *arg, uint64_t id, pid_t pid, int err)
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->started || pid <= 0)
		return;
	w->started = true;
	w->pid = pid;
	pw_fail(w, PF_ARRIVAL, err);
	pw_decide(w, CS_SPAWN_FAILED, 0, "%s: receiving the worker's descriptors from the zygote: %s%s",
		  ipc_step_name(IPC_STEP_CLONE), strerror(err), w->fail_text);
	pw_after_event(w);
}

void pool_root_cleared(void *arg, uint64_t id, int err, const char *text)
{
	struct pool *p = arg;
	struct pworker *w = pool_find_spawn(p, id);

	if (!w || w->st != PW_CLEARING)
		return;
	if (err) {
		pw_fail(w, PF_ARRIVAL, err);
		pw_decide(w, CS_SPAWN_FAILED, 0, "%s: %s: %s%s", ipc_step_name(IPC_STEP_CLEAR_ROOT), text,
			  strerror(err), w->fail_text);
		pw_after_event(w);
		return;
	}
	pw_ready(w);
	pw_after_event(w);
}

/* Classifies a worker that ended without a decided status. */
static void pw_classify(struct pworker *w, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	const struct pool_limits *l = &w->p->lim;
	bool spawning = PW_STARTING(w->st);
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
		pw_fail(w, PF_ARRIVAL, w->host_err);
		pw_decide(w, CS_SPAWN_FAILED, 0, "worker exited with status %d while loading%s", WEXITSTATUS(status),
			  w->fail_text);
	} else {
		pw_decide(w, CS_CRASHED, 0, "worker exited with status %d%s", WEXITSTATUS(status),
			  w->req ? " mid-request" : "");
	}
}

void pool_exited(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	struct pool *p = arg;
	struct pworker *w;

	TAILQ_FOREACH(w, &p->workers, link)
		if (w->started && w->pid == pid)
			break;
	if (!w)
		return;
	w->exited = true;
	w->reaped = true;
	if (w->st != PW_DYING) {
		/* Messages sent just before death still count (a DONE, an INIT_FAILED). */
		pw_ipc_readable(w->ipc, EV_READ, w);
		if (w->st != PW_DYING && w->cg_ready && cg_worker_oom_kills(&p->cg, w->slot) > w->oom_base)
			pw_decide(w, CS_MEMORY_LIMIT, 0, "memory limit %lluM reached (%s OOM kill, peak %lluM)",
				  (unsigned long long)(p->lim.memory_bytes >> 20), cg_name(&p->cg),
				  (unsigned long long)(maxrss_kb >> 10));
		if (w->st != PW_DYING)
			pw_classify(w, w->tool_sig ? w->tool_sig : status, maxrss_kb, cpu_us);
	}
	pw_after_event(w);
}

