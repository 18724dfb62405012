/* The single-shot face of the broker: one request at a time, each in a
 * fresh worker (requests_per_worker 1, a spare pre-spawned while the
 * current one works). For tools and tests that want a blocking call on
 * their own event_base; services use pool.h or caisson.h. Runs in the
 * supervisor. Errors: -1 with a message in err; never exits. */
#ifndef CAISSON_SV_H
#define CAISSON_SV_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc_config.h"
#include "pool.h"
#include "status.h"

struct policy;

#define sv_limits pool_limits

struct cs_result {
	enum cs_status status;
	uint8_t *out; /* malloc'd, out_len bytes (at most the output limit) */
	size_t out_len;
	char detail[512];
	pid_t pid; /* the worker that served it, 0 if none started */
};

struct sv {
	struct event_base *base;
	struct pool *pool;
	int verbose;
	/* Test hook: called once a worker is sealed with its root emptied. */
	void (*on_ready)(void *arg, pid_t pid);
	void *on_ready_arg;
};

int sv_init(struct sv *s, struct event_base *base, const struct policy *pol,
	    const struct sv_limits *lim, const struct wk_config *cfg, char *err, size_t errlen);
/* Runs one request in a fresh worker; always fills res (caller frees res->out). */
void sv_run(struct sv *s, const uint8_t *in, size_t len, struct cs_result *res);
void sv_close(struct sv *s);

#endif
