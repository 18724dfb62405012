/* Figure 1, cold spawn: request -> a fully locked worker ready to serve.
 * caisson: a pool with no worker at all when each request arrives (one
 * worker at most, never pre-spawned, retired 1 ms after its answer; the
 * bench waits until it is gone), timed from the request to the pool's
 * ready hook (worker sealed, root emptied). Floor: bench_probe's clone3
 * sandbox, request to ready byte. Peers: bwrap and firejail running
 * /bin/true, start to exit. Interleaved per iteration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "policy/policy.h"
#include "broker/pool.h"
#include "policy/profile_load.h"
#include "broker/setup.h"

static double spawn_ready_us;

static void spawn_on_ready(void *arg, pid_t pid)
{
	(void)arg;
	(void)pid;
	spawn_ready_us = bench_now_us();
}

struct spawn_pool {
	struct wk_config cfg;
	struct profile prof;
	struct policy pol;
	struct pool *pool;
	struct event_base *base;
	int done;
	enum cs_status status;
	char detail[256];
};

static int spawn_open(const struct bench_ctx *c, struct spawn_pool *x, char *err, size_t errlen)
{
	/* Not sv.h's single-shot pool: with requests_per_worker = 1 it
	 * pre-spawns the next worker while one serves, which is not a cold
	 * spawn. Here nothing is spawned before a request comes. */
	const struct pool_sizing sz = {
		.min_workers = 0, .max_workers = 1, .queue = 1, .requests_per_worker = 1000000,
		.failure_threshold = 5, .idle_ms = 1,
	};
	char profile[512], plugin[512];
	struct pool_limits lim;

	snprintf(profile, sizeof(profile), "%s/profiles/echo.ini", c->src);
	snprintf(plugin, sizeof(plugin), "%s/samples/echo.so", c->build);
	if (profile_load(profile, &x->prof, err, errlen) < 0 || policy_build(&x->prof, &x->pol, err, errlen) < 0 ||
	    setup_worker_config(&x->prof, &x->pol, plugin, NULL, 0, &x->cfg, err, errlen) < 0)
		return -1;
	setup_limits(&x->prof, &lim);
	x->base = event_base_new();
	x->pool = x->base ? pool_new(x->base, &x->pol, &lim, &sz, &x->cfg, err, errlen) : NULL;
	if (!x->pool)
		return -1;
	pool_on_ready(x->pool, spawn_on_ready, NULL);
	return 0;
}

static void spawn_done(const struct pool_result *r, void *arg)
{
	struct spawn_pool *x = arg;

	x->done = 1;
	x->status = r->status;
	snprintf(x->detail, sizeof(x->detail), "%s", r->detail);
}

/* Runs the loop until the pool has no worker left (the last one retired
 * and reaped); -1 after 5 s. */
static int spawn_await_empty(struct spawn_pool *x)
{
	struct timeval tick = { 0, 1000 };
	struct pool_stats st;
	double t0 = bench_now_us();

	for (;;) {
		pool_stats(x->pool, &st);
		if (st.spawning + st.idle + st.busy + st.dying == 0)
			return 0;
		if (bench_now_us() - t0 > 5e6)
			return -1;
		event_base_loopexit(x->base, &tick);
		event_base_loop(x->base, 0);
	}
}

/* One request on an empty pool: request -> sealed, in us; -1 on failure. */
static double spawn_one(struct spawn_pool *x)
{
	static const uint8_t msg[64] = "caisson";
	double t0;

	if (spawn_await_empty(x) < 0) {
		fprintf(stderr, "caisson_bench: cold spawn: the last worker did not retire\n");
		return -1;
	}
	spawn_ready_us = NAN;
	x->done = 0;
	t0 = bench_now_us();
	if (!pool_submit(x->pool, msg, sizeof(msg), spawn_done, x))
		return -1;
	while (!x->done)
		if (event_base_loop(x->base, EVLOOP_ONCE) < 0)
			return -1;
	if (x->status != CS_OK) {
		fprintf(stderr, "caisson_bench: cold spawn: %s %s\n", cs_status_name(x->status), x->detail);
		return -1;
	}
	return spawn_ready_us - t0;
}

void bench_fig_spawn(struct bench_ctx *c)
{
	static const char *const prog[] = { "/bin/true", NULL };
	static struct spawn_pool x;
	struct bench_row *r = bench_row_new(c, "1", "cold spawn: request -> locked worker ready", "us");
	struct bench_samples cs = { 0 }, fl = { 0 }, bw = { 0 }, fj = { 0 };
	struct bench_cmd bwrap, firejail;
	struct bench_probe probe;
	char err[512];
	int n = bench_iters(c, 100);
	double best;

	snprintf(r->target, sizeof(r->target), "<= 1.25x floor and <= 1/4 of bwrap");
	bench_bwrap_cmd(&bwrap, NULL, prog);
	bench_firejail_cmd(&firejail, prog);
	bench_cmd_check(&bwrap);
	bench_cmd_check(&firejail);
	if (spawn_open(c, &x, err, sizeof(err)) < 0 || bench_probe_start(c, &probe) < 0) {
		snprintf(r->note, sizeof(r->note), "setup failed: %.300s", err);
		return;
	}
	for (int i = -5; i < n; i++) { /* 5 warm-up rounds */
		double a = spawn_one(&x), b = bench_probe_spawn_us(&probe);

		if (i >= 0 && a >= 0)
			bench_add(&cs, a);
		if (i >= 0 && b >= 0)
			bench_add(&fl, b);
		bench_cmd_sample(&bwrap, &bw, i >= 0);
		bench_cmd_sample(&firejail, &fj, i >= 0);
	}
	bench_row_samples(r, &cs);
	bench_row_floor(r, "clone3 probe: 7 namespaces, uid map, pivot_root, filter, ready byte",
			bench_pct(&fl, 0.5));
	bench_row_peer(r, "bwrap", &bwrap, bwrap.unavailable[0] ? NULL : &bw);
	bench_row_peer(r, "firejail", &firejail, firejail.unavailable[0] ? NULL : &fj);
	best = r->peers[0].p50;
	r->met = r->p50 <= 1.25 * r->floor_p50 && !isnan(best) && r->p50 <= best / 4;
	snprintf(r->note, sizeof(r->note), "probe: %.300s; peers timed start to exit", probe.line);
	bench_probe_stop(&probe);
	pool_free(x.pool);
	event_base_free(x.base);
	policy_free(&x.pol);
	profile_free(&x.prof);
	bench_samples_free(&cs);
	bench_samples_free(&fl);
	bench_samples_free(&bw);
	bench_samples_free(&fj);
}
