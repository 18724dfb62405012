/* Single-shot requests over a pool; see sv.h. */
#include "sv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sv_call {
	struct cs_result *res;
	int done;
};

static void sv_ready(void *arg, pid_t pid)
{
	struct sv *s = arg;

	if (s->on_ready)
		s->on_ready(s->on_ready_arg, pid);
}

int sv_init(struct sv *s, struct event_base *base, const struct policy *pol,
	    const struct sv_limits *lim, const struct wk_config *cfg, char *err, size_t errlen)
{
	/* A fresh worker per request; the breaker stays out of the way of a
	 * caller that runs one hostile input after another. */
	const struct pool_sizing sz = {
		.min_workers = 0, .max_workers = 1, .queue = 0, .requests_per_worker = 1,
		.failure_threshold = 5, .idle_ms = 0,
	};

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->pool = pool_new(base, pol, lim, &sz, cfg, err, errlen);
	if (!s->pool)
		return -1;
	pool_on_ready(s->pool, sv_ready, s);
	return 0;
}

static void sv_done(const struct pool_result *r, void *arg)
{
	struct sv_call *c = arg;

	c->res->status = r->status;
	c->res->pid = r->pid;
	snprintf(c->res->detail, sizeof(c->res->detail), "%s", r->detail);
	if (r->out_len) {
		c->res->out = *r->own;
		c->res->out_len = r->out_len;
		*r->own = NULL;
	}
	c->done = 1;
}

void sv_run(struct sv *s, const uint8_t *in, size_t len, struct cs_result *res)
{
	struct sv_call c = { res, 0 };

	memset(res, 0, sizeof(*res));
	if (!pool_submit(s->pool, in, len, sv_done, &c)) {
		res->status = CS_OVERLOADED;
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return;
	}
	while (!c.done)
		if (event_base_loop(s->base, EVLOOP_ONCE) < 0)
			break;
	if (!c.done) {
		res->status = CS_SPAWN_FAILED;
		snprintf(res->detail, sizeof(res->detail), "event loop failed");
	}
	if (s->verbose && res->status != CS_OK)
		fprintf(stderr, "caisson: worker %d: %s %s\n", (int)res->pid, cs_status_name(res->status),
			res->detail);
}

void sv_close(struct sv *s)
{
	pool_free(s->pool);
	s->pool = NULL;
}
