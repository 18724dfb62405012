/* Private to the broker's two halves: pool.c (requests, spawning, the
 * breaker, dispatch, the public calls) and pool_worker.c (a worker's life
 * from spawn to reaping), with pool_pipe.c (requests queued in a busy
 * worker, [pool] pipeline) and pool_idle.c (a worker between requests).
 * Not for anything else in the supervisor. */
#ifndef CAISSON_POOL_INT_H
#define CAISSON_POOL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "cgroup.h"
#include "hostlim.h"
#include "notify_exec.h"
#include "pool.h"
#include "zyg.h"

#define POOL_LOG_MAX (64u * 1024u) /* bytes of a worker's log pipe copied, at most */
#define POOL_LOG_TAIL 4096u         /* the last bytes of it kept, for a failed request's report */
#define POOL_SPAWN_MIN_MS 2000u     /* a spawn's deadline, at least */
#define POOL_LAT_RING 1024u
#define POOL_CG_KEEP 64u /* per pool: empty worker cgroups kept for the next spawn */
#define POOL_SPARE_MS 2u /* the next worker's bulk regions: made this long after a spawn, once none is in flight */
/* An idle worker (no request in hand) may run this much CPU per idle
 * period, as measured from its first check on (pool_idle.c), and is
 * checked this often; more, and it is killed. */
#define POOL_IDLE_CPU_MS 10u
#define POOL_IDLE_CHECK_MS 100u

enum pw_state { PW_SPAWNING, PW_CLEARING, PW_IDLE, PW_BUSY, PW_DYING };
/* Why a spawn failed, for the breaker (pool_note_spawn_failure): only a
 * broken plugin or profile opens it while the pool has workers; a host
 * limit (hostlim.h) only backs off. */
enum pool_fail { PF_ARRIVAL, PF_INIT, PF_SUPERVISOR };
/* Not ready yet: locking, loading, or waiting for its root to be emptied. */
#define PW_STARTING(st) ((st) == PW_SPAWNING || (st) == PW_CLEARING)

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
	bool piped; /* sent in W_REQUESTS, behind another: its answer comes inline only */
	enum cs_status status;
	int signal;
	char detail[512];
	uint8_t *out;
	size_t out_len, out_cap;
	uint8_t *cov; /* a fuzz worker's coverage region as it answered (malloc'd) */
	size_t cov_len;
	char *log; /* failed in a worker: the tail of its log, escaped (malloc'd), log_len bytes */
	size_t log_len;
};

TAILQ_HEAD(preq_list, preq);

/* A worker's bulk regions (Z_SPAWN_SHM), NULL and -1 when the pool has
 * none: each mapped here; the memfds only until the spawn is asked for
 * (pw_regions_mapped: kept in a pool of one request per worker), then the
 * mappings alone hold them. */
struct pregions {
	uint8_t *in;
	const uint8_t *out;
	const uint8_t *cov; /* a fuzz target's coverage region (ipc_cov.h), or NULL */
	int in_fd, out_fd, cov_fd;
	int in_ro; /* the worker's read-only open of the input region, until sent */
};
#define PREGIONS_NONE                                                                           \
	((struct pregions){ .in = NULL, .out = NULL, .cov = NULL, .in_fd = -1, .out_fd = -1, .cov_fd = -1, \
			    .in_ro = -1 })

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
	enum pool_fail fail_kind; /* spawn_failed: why (PF_ARRIVAL unless set) */
	int fail_err;             /* spawn_failed: the errno, 0 if none */
	char fail_text[200];      /* " (the host limit met)" when fail_err names one, else "" */
	int host_err;             /* loading: a loader's open failed here with EMFILE/ENFILE (notify.c) */
	uint32_t served;
	uint64_t prev_id;     /* the request it answered last */
	size_t logged;
	char *logtail;        /* the last loglen bytes of its log: POOL_LOG_TAIL bytes
			       * malloc'd at its first byte (most workers never write
			       * one: 4 KiB less per worker), NULL before */
	size_t loglen;
	uint64_t cpu_base_ns; /* worker CPU time when its request was sent;
			       * UINT64_MAX: not read (see pw_assign) */
	uint64_t idle_cpu_ns; /* idle: its CPU time at the first idle check;
			       * UINT64_MAX before it (see pool_idle.c) */
	uint64_t idle_for_ms; /* idle: how long, as the idle checks count it */
	long long oom_base;   /* its cgroup's OOM kill count when it started */
	bool reaped;          /* the zygote reaped it (Z_EXITED): it is gone */
	char why[512];        /* why it was killed with no request (logs) */
	struct pregions rg;
	struct nfx_worker xw; /* an exec worker: its fork, exec and tool (notify_exec.h) */
	int tool_sig;         /* an exec worker whose tool a signal killed: that signal, else 0 */
	struct wlog *wlog;    /* -v only: its stderr line being assembled */
	struct preq *req;     /* the request in hand: the first one not yet answered */
	/* [pool] pipeline: requests already sent to it behind req, in order
	 * (W_REQUESTS records: inline both ways), not yet begun as far as the
	 * supervisor knows; the next one becomes req when req is answered. */
	struct preq_list piped;
	uint32_t npiped, nstaged; /* nstaged: the last of them, not sent yet (a dispatch's) */
	bool pipe_full; /* a pipelined send failed (socket full, or the worker gone): none until it answers */
};

TAILQ_HEAD(pworker_list, pworker);

struct pool {
	TAILQ_ENTRY(pool) all; /* every live pool of the process (pool.c) */
	struct event_base *base;
	struct zyg zyg;
	struct zyg_launched *pre; /* a zygote launched ahead, until the first start takes it */
	bool zyg_up;
	bool silent; /* pool_abandon_all: requests end without their callbacks */
	struct cg cg;
	const struct policy *pol;
	struct wk_config *cfg;
	struct nfx_pool *nfx; /* an exec pool's resolved set and command line, else NULL */
	struct pool_limits lim;
	struct pool_sizing sz;
	size_t shm_in_size, shm_out_size; /* 0: the limits fit inline, no regions */
	size_t shm_cov_size;              /* 0: not a fuzz target's pool */
	/* The next worker's bulk regions, made ahead (pool_spare_due): in == NULL
	 * when there are none. */
	struct pregions spare;
	/* Slots (still reserved) whose cgroup directories, with their limits,
	 * outlived their last worker: creating a memory cgroup costs more
	 * than a third of a spawn, so the next worker reuses one. */
	uint32_t cg_keep[POOL_CG_KEEP];
	uint32_t ncg_keep;
	/* Per kept slot, its OOM kill count, read once its worker was
	 * reaped: the next worker's oom_base, with no read on its spawn's
	 * path. -1: not reaped (the zygote was lost), so the slot is checked
	 * for leftover processes and read when taken. */
	long long cg_keep_oom[POOL_CG_KEEP];
	/* Every worker message is read into this one buffer and handled
	 * before the next read (payloads are copied out): a worker costs the
	 * supervisor no receive buffer of its own. */
	uint8_t rx[IPC_HDR_LEN + IPC_INLINE_MAX];
	struct pworker_list workers;
	struct preq_list queue, done;
	uint32_t nqueued;
	struct event *ev_deliver, *ev_backoff, *ev_spare;
	bool delivering; /* inside the callbacks: submissions wait for the dispatch after them */
	uint64_t next_id;
	uint64_t nspawns; /* spawns asked of the zygote */
	uint32_t consecutive_failures; /* any kind: the backoff */
	uint32_t broken_failures;      /* consecutive, not at a host limit: the breaker */
	uint64_t fail_mark; /* next_id at the last failure: only a spawn asked after it proves the pool healthy */
	bool limit_logged;  /* -v: this episode at a host limit was logged */
	bool backoff_pending, backoff_elapsed;
	struct pool_stats st;
	uint64_t lat[POOL_LAT_RING];
	uint64_t nlat;
	void (*on_ready)(void *arg, pid_t pid);
	void *on_ready_arg;
	int verbose;
};

/* The supervisor's descriptors per live worker of p (pw_regions_mapped). */
static inline unsigned pool_fds_per_worker(const struct pool *p)
{
	return HL_FDS_PER_WORKER + (p->shm_in_size && p->sz.requests_per_worker == 1 ? 2u : 0u);
}

/* pool.c */
/* Decides a request's status (the first decision wins). */
void pool_set(struct preq *r, enum cs_status st, int sig, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
void pool_complete(struct preq *r);
void pool_dispatch(struct pool *p);
void pool_note_spawn_failure(struct pool *p, const char *why, enum pool_fail kind, int err);
void pool_spawn_failing(struct pool *p);
void pool_judge_failure(struct pool *p, const char *why, enum pool_fail kind, int err);
void pool_spawn_ok(struct pool *p, uint64_t spawn_id);
void pool_release_slot(struct pool *p, uint32_t slot, bool cg_ready, bool reaped);

/* pool_worker.c: a worker's life */
void pw_kill(struct pworker *w);
void pw_free(struct pworker *w);
/* The worker is done for: stop listening and kill it. Its request (the
 * first decision wins) completes when pw_finalize sees it reaped. */
void pw_decide(struct pworker *w, enum cs_status st, int sig, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Before pw_decide of a failed spawn: why, for the breaker; errno kept. */
void pw_fail(struct pworker *w, enum pool_fail kind, int err);
void pw_finalize(struct pworker *w);
void pw_after_event(struct pworker *w);
void pw_arm(struct event *ev, uint64_t ms);
/* pool_regions.c: the bulk regions. */
int pw_make_regions(struct pworker *w);
void pw_regions_new(struct pool *p, struct pregions *rg);
void pw_regions_free(const struct pool *p, struct pregions *rg);
void pw_regions_mapped(const struct pool *p, struct pregions *rg);
/* Copies len bytes between buf and a region: through the mapping map, or
 * with pwrite/pread on fd when the memfd was kept (fd >= 0). 0, or -1 with
 * errno (EIO: an unexpected end). */
int pw_region_io(int fd, uint8_t *map, void *buf, size_t len, bool write);
void pw_assign(struct pworker *w, struct preq *r);
uint64_t pw_cpu_ns(const struct pworker *w);
/* pool_idle.c: an idle worker's CPU watch and idle retirement */
void pw_idle(struct pworker *w);
void pw_idle_timer(struct pworker *w);
bool pw_idle_cpu_ok(struct pworker *w);
void pw_requeue(struct pworker *w, bool counts);
/* pool_pipe.c: [pool] pipeline */
void pool_pipe(struct pool *p);
void pw_unpipe(struct pworker *w);
struct preq *pw_next_piped(struct pworker *w);
struct preq *pw_cancel_piped(struct pworker *w, uint64_t id);
void pw_timer(evutil_socket_t fd, short what, void *arg);
void pw_cpu_timer(evutil_socket_t fd, short what, void *arg);
/* The zygote's reports about one worker (struct zyg_ops). */
void pool_spawned(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4]);
void pool_spawn_failed(void *arg, uint64_t id, uint32_t step, int err, const char *text);
void pool_spawned_lost(void *arg, uint64_t id, pid_t pid, int err);
void pool_root_cleared(void *arg, uint64_t id, int err, const char *text);
void pool_exited(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us);

#endif
