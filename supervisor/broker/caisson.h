/* libcaisson: run untrusted plugins (or programs) in sandboxed worker pools from a C
 * service. pkg-config name: caisson. The only header an embedder needs.
 *
 * Thread model. A pool lives on one libevent event_base, and the thread
 * that created the pool must be the one that runs that base. From that
 * thread every function may be called. From ANY thread, caisson_submit()
 * and caisson_cancel() are safe: they hand the work to the base's thread
 * through a locked inbox and an eventfd, and return at once. Callbacks
 * always run on the base's thread, from the event loop, never from inside
 * caisson_submit(). caisson_pool_stats() and caisson_pool_free() belong to
 * the base's thread. The synchronous API (caisson_sync_*) owns a private
 * base, run by a thread of its own (the pool keeps working between calls:
 * spares, idle retirement, reaping), and serialises its calls with a
 * mutex, so it may be shared by threads.
 *
 * Guarantees. Every accepted submission gets exactly one callback, whatever
 * its worker does (dies, hangs, answers twice, floods, sends garbage); the
 * pool never crashes or leaks because of a worker, and when the process
 * dies (even by SIGKILL) every worker dies with it. */
#ifndef CAISSON_H
#define CAISSON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

/* Result statuses; every request ends with exactly one. */
enum caisson_status {
	CAISSON_OK,
	CAISSON_PLUGIN_ERROR,   /* the plugin returned non-zero; error = its message */
	CAISSON_CRASHED,        /* the worker died; signal says how */
	CAISSON_VIOLATION,      /* a forbidden syscall; detail = name(args) */
	CAISSON_TIMEOUT,        /* wall-time limit */
	CAISSON_CPU_LIMIT,
	CAISSON_MEMORY_LIMIT,
	CAISSON_OUTPUT_LIMIT,
	CAISSON_INPUT_TOO_LARGE, /* refused before anything was sent */
	CAISSON_PROTOCOL_ERROR, /* the worker broke the protocol and was killed */
	CAISSON_SPAWN_FAILED,   /* no worker could be started (or the pool failed) */
	CAISSON_OVERLOADED,     /* queue full: refused at once */
	CAISSON_CANCELLED,
};

const char *caisson_status_name(enum caisson_status s);

/* Valid only during the callback: copy what you keep. */
struct caisson_result {
	uint64_t id;                 /* as returned by caisson_submit */
	enum caisson_status status;
	const uint8_t *output;       /* OK only */
	size_t output_len;
	const char *detail;          /* failure detail, or the plugin's error text */
	int signal;                  /* CRASHED: the signal, else 0 */
	pid_t worker;                /* host pid of the worker, 0 if none ran it */
	uint64_t latency_us;         /* submit to completion */
};

typedef void (*caisson_callback)(const struct caisson_result *r, void *arg);

struct caisson_pool_config {
	const char *profile;            /* path of the profile (.ini) */
	const char *plugin;             /* path of the plugin (.so); NULL for an exec pool */
	const char *const *plugin_args; /* extra caisson_plugin_init args, NULL-terminated, or NULL */
	unsigned max_workers;           /* 0: the profile's [pool] max_workers */
};

struct caisson_stats {
	unsigned spawning, idle, busy, dying; /* workers by state */
	unsigned queued;
	uint64_t submitted, completed, spawned, spawn_failed, recycled;
	uint64_t by_status[CAISSON_CANCELLED + 1];
	uint64_t p50_us, p99_us; /* latency over the last 1024 completions */
	int failed;              /* breaker open: submissions fail at once */
	char failed_reason[256];
	char last_spawn_error[256];   /* the latest failed spawn's reason, even with the breaker closed */
	char memory_enforcement[384]; /* "cgroup v1 DIR", "cgroup v2 DIR" or "rlimits only (why)" */
	uint64_t piped;               /* requests sent behind another in a busy worker ([pool] pipeline) */
	/* Host limits (a pids or memory cgroup, RLIMIT_NOFILE, RLIMIT_NPROC):
	 * spawns that met one back off and never open the breaker while the
	 * pool has workers; requests queue for those. */
	uint64_t spawn_attempts;      /* spawns begun */
	uint64_t limit_failures;      /* spawns failed at a host limit */
	uint64_t backoffs;            /* backoff waits elapsed: after a failure, each spawn waits one out */
	char limit[256];              /* the limit met last, in words with its number ("" if none) */
	char nofile[128];             /* what the process did with its soft RLIMIT_NOFILE at start */
};

typedef struct caisson_pool caisson_pool;

/* Loads and lints the profile, resolves the plugin's libraries, starts the
 * pool's zygote and pre-spawns [pool] min_workers. NULL with a one-line
 * message in err on failure. */
caisson_pool *caisson_pool_new(struct event_base *base, const struct caisson_pool_config *cfg, char *err,
			       size_t errlen);
/* An exec pool (since 0.3.0): workers that each run the program argv[0]
 * (an absolute path to a dynamically linked ELF, not set-id) with
 * argv[1..] (NULL-terminated; placeholders {in}, {out}, {{, }} as for
 * caisson exec) once, on one request: the input is its stdin, its stdout
 * the answer, exit 0 OK, exit N PLUGIN_ERROR "exit N: <last stderr
 * line>". cfg->plugin and cfg->plugin_args must be NULL. One request per
 * worker, a spare pre-spawned. A new entry point rather than a field of
 * struct caisson_pool_config, so that a caller built against 0.2.0 (which
 * passes the shorter struct) is never read past its end. */
caisson_pool *caisson_exec_pool_new(struct event_base *base, const struct caisson_pool_config *cfg,
				    const char *const *argv, char *err, size_t errlen);
/* Queues a copy of in. Returns the request id (> 0), or 0 only when out of
 * memory (no callback then). Any thread. */
uint64_t caisson_submit(caisson_pool *p, const void *in, size_t len, caisson_callback cb, void *arg);
/* The same without the copy: in stays the caller's and must stay valid and
 * unchanged until the callback (a retry after a worker's death reads it
 * again). Saves one copy of a large input. Any thread. */
uint64_t caisson_submit_borrowed(caisson_pool *p, const void *in, size_t len, caisson_callback cb, void *arg);
/* Cancels a pending request (its callback reports CANCELLED; a running
 * worker is killed). Any thread; asynchronous; unknown ids are ignored. */
void caisson_cancel(caisson_pool *p, uint64_t id);
void caisson_pool_stats(caisson_pool *p, struct caisson_stats *st);
/* Completes every pending request with CANCELLED (callbacks run inside),
 * stops every worker and frees the pool. */
void caisson_pool_free(caisson_pool *p);

/* Synchronous wrapper: a pool on a private event_base, run by a thread
 * that caisson_sync_new starts and caisson_sync_free joins. */
typedef struct caisson_sync caisson_sync;

struct caisson_sync_result {
	enum caisson_status status;
	uint8_t *output; /* malloc'd; free() it */
	size_t output_len;
	char detail[512];
	int signal;
};

caisson_sync *caisson_sync_new(const struct caisson_pool_config *cfg, char *err, size_t errlen);
/* The synchronous wrapper around caisson_exec_pool_new. */
caisson_sync *caisson_exec_sync_new(const struct caisson_pool_config *cfg, const char *const *argv, char *err,
				    size_t errlen);
/* Blocks until the request completes; returns its status. */
enum caisson_status caisson_sync_call(caisson_sync *s, const void *in, size_t len, struct caisson_sync_result *out);
void caisson_sync_free(caisson_sync *s);

#ifdef __cplusplus
}
#endif

#endif
