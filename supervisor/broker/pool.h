/* The broker: a pool of sandboxed workers of one profile and plugin, on the
 * caller's libevent event_base. Requests queue (bounded), go to idle
 * workers, and every one of them completes exactly once with one status,
 * whatever its worker does. Workers are recycled after requests_per_worker
 * requests; with 1, a spare is pre-spawned so a fresh worker is ready when
 * the next request comes. Spawn failures back off exponentially and, past
 * the failure threshold, open a breaker: the pool fails requests at once
 * with the reason until a trial spawn succeeds. A failure at a host limit
 * (hostlim.h) only backs off while the pool has workers: requests queue
 * for them.
 * Single-threaded: every function runs on the base's thread (caisson.h adds
 * the cross-thread entry points). Runs in the supervisor; never exits. */
#ifndef CAISSON_POOL_H
#define CAISSON_POOL_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc_config.h"
#include "status.h"

struct policy;

struct pool_limits {
	uint64_t wall_ms, cpu_ms, memory_bytes, output_bytes, input_bytes;
	char profile[64]; /* the profile's name, for log lines ("" if it has none) */
};

struct pool_sizing {
	uint32_t min_workers, max_workers, queue, requests_per_worker, failure_threshold;
	uint32_t pipeline; /* requests a worker holds at once (0 or 1: one) */
	bool no_spare;     /* no spare started beside the busy workers (a pool
			    * for one request: a one-shot caisson exec) */
	uint64_t idle_ms;
};

/* What a request ended with. out/out_len and the strings stay valid only
 * during the completion callback. */
struct pool_result {
	uint64_t id;
	enum cs_status status;
	const uint8_t *out;
	size_t out_len;
	const char *detail;      /* failure detail, or the plugin's error text */
	int signal;              /* CRASHED: the signal; 0 otherwise */
	pid_t pid;               /* the worker that served it; 0 if none */
	uint64_t latency_us;     /* submit to completion */
	uint8_t **own;           /* the callback may keep the output: take *own
				  * (malloc'd) and set it NULL */
	const uint8_t *cov;      /* a fuzz target's pool: the worker's coverage
				  * region as it answered, or as it was when the
				  * request failed in the worker
				  * (ipc_cov.h layout, cov_len bytes, the counter
				  * count already clamped to them); else NULL */
	size_t cov_len;
	const char *log;         /* a request its worker died on: the last bytes
				  * (at most 4 KiB) of the worker's stderr,
				  * newlines kept and every other byte but
				  * printable ASCII escaped as \xNN (wlog.h),
				  * NUL-terminated; NULL otherwise */
	size_t log_len;
};

typedef void (*pool_cb)(const struct pool_result *res, void *arg);

#define POOL_STATES(X) X(spawning) X(idle) X(busy) X(dying)

struct pool_stats {
	uint32_t spawning, idle, busy, dying; /* workers by state */
	uint32_t queued;
	uint64_t submitted, completed, spawned, spawn_failed, recycled;
	uint64_t by_status[CS_CANCELLED + 1]; /* completions by status */
	uint64_t p50_us, p99_us;              /* over the last 1024 completions */
	bool failed;                          /* breaker open */
	char failed_reason[256];
	char last_spawn_error[256];           /* the latest spawn failure, "" if none */
	char memory_enforcement[384];         /* "cgroup v1 DIR", or "rlimits only (why)" */
	uint64_t piped;                       /* requests sent behind another in a busy worker */
	uint64_t idle_cpu_kills;              /* workers killed for running with no request */
	char last_idle_kill[256];             /* the latest such kill, "" if none */
	uint64_t spawn_attempts;              /* spawns begun (each asks the zygote, or fails before) */
	uint64_t limit_failures;              /* spawns failed at a host limit (backed off, breaker untouched) */
	uint64_t backoffs;                    /* backoff waits that elapsed */
	char limit[256];                      /* the host limit met last, in words ("" if none) */
	char nofile[128];                     /* what the process did with its soft RLIMIT_NOFILE */
};

struct pool;
struct zyg_launched;

struct pool *pool_new(struct event_base *base, const struct policy *pol, const struct pool_limits *lim,
		      const struct pool_sizing *sz, const struct wk_config *cfg, char *err, size_t errlen);
/* The same, taking over a zygote launched ahead (zyg_launch; *pre is
 * emptied, also on failure): a one-shot command starts it before it parses
 * the profile, so that the zygote's exec overlaps that work. */
struct pool *pool_new_launched(struct event_base *base, const struct policy *pol, const struct pool_limits *lim,
			       const struct pool_sizing *sz, const struct wk_config *cfg, struct zyg_launched *pre,
			       char *err, size_t errlen);
/* Queues a copy of in; returns the request id (> 0), or 0 when out of
 * memory (no callback then). The callback runs later, on the base, never
 * from inside pool_submit. */
uint64_t pool_submit(struct pool *p, const void *in, size_t len, pool_cb cb, void *arg);
/* The same in two halves, for callers on other threads: pool_req_new (any
 * thread; copies in unless it exceeds input_max; NULL when out of memory)
 * and pool_req_enqueue (the base's thread; takes ownership). borrow: in is
 * not copied; the caller keeps it valid and unchanged until the callback
 * (a caller that blocks until then, like the synchronous wrappers). */
struct preq;
struct preq *pool_req_new(uint64_t id, const void *in, size_t len, size_t input_max, bool borrow, pool_cb cb,
			  void *arg);
void pool_req_enqueue(struct pool *p, struct preq *r);
void pool_req_free(struct preq *r); /* one never enqueued */
uint64_t pool_input_max(const struct pool *p);
/* Cancels a request that has not completed: CANCELLED, its worker (if it
 * had one) killed. Returns 0, or -1 if no such pending request. */
int pool_cancel(struct pool *p, uint64_t id);
void pool_stats(const struct pool *p, struct pool_stats *st);
/* Copies the workers' log pipes (bounded) to stderr, line by line, every
 * control or non-ASCII byte escaped and each line prefixed with the
 * worker's slot and pid (wlog.h). */
void pool_set_verbose(struct pool *p, int verbose);
/* The configuration the pool's workers actually get: the caller's, with
 * RLIMIT_CPU covering requests_per_worker requests and RLIMIT_AS widened
 * for a cgroup's backstop and the bulk regions (for attestation). */
const struct wk_config *pool_worker_config(const struct pool *p);
/* Test hook: called when a fresh worker is sealed with its root emptied. */
void pool_on_ready(struct pool *p, void (*fn)(void *arg, pid_t pid), void *arg);
/* Completes every pending request with CANCELLED, kills every worker, has
 * the zygote reap them and reaps it, removes the pool's cgroups and frees
 * the pool: on return no process of the pool is left, not even a zombie.
 * Callbacks run from inside pool_free. */
void pool_free(struct pool *p);

/* What every live pool of this process has done so far (pool_all_totals). */
struct pool_totals {
	uint64_t completed, running, queued;
	uint32_t workers; /* live: starting, idle or busy */
};
void pool_all_totals(struct pool_totals *t);
/* For a single-threaded program about to exit on a signal: frees every
 * live pool of the process as pool_free does (every process reaped, every
 * cgroup removed), but runs no callback: nobody is left to read them. */
void pool_abandon_all(void);

#endif
