/* Cold-spawn benchmark: for each iteration, one request in a fresh worker
 * of a profile (the way `caisson run` works today). Reports p50/p99 of
 * request → worker READY and root emptied (a fully locked, sealed worker)
 * and of the whole request. Usage: bench_spawn PROFILE PLUGIN.so [N]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "profile.h"
#include "setup.h"
#include "sv.h"

static double t_ready;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void on_ready(void *arg, pid_t pid)
{
	(void)arg;
	(void)pid;
	t_ready = now_us();
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%-34s p50 %8.0f us   p99 %8.0f us   (n=%d)\n", what, v[n / 2], v[(n * 99) / 100], n);
}

int main(int argc, char **argv)
{
	static struct wk_config cfg;
	static const uint8_t msg[64] = "caisson";
	struct profile prof;
	struct policy pol;
	struct sv_limits lim;
	struct sv s;
	struct cs_result r;
	struct event_base *base;
	char err[512];
	int n = argc > 3 ? atoi(argv[3]) : 300;
	double *ready, *total;

	if (argc < 3 || n < 2) {
		fprintf(stderr, "usage: bench_spawn PROFILE PLUGIN.so [N>=2]\n");
		return 2;
	}
	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (profile_load(argv[1], &prof, err, sizeof(err)) < 0 || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, argv[2], NULL, 0, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_spawn: %s\n", err);
		return 1;
	}
	setup_limits(&prof, &lim);
	base = event_base_new();
	if (!base || sv_init(&s, base, &pol, &lim, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_spawn: %s\n", base ? err : "event_base_new failed");
		return 1;
	}
	s.on_ready = on_ready;
	ready = calloc((size_t)n, sizeof(double));
	total = calloc((size_t)n, sizeof(double));
	if (!ready || !total)
		return 1;
	for (int i = -10; i < n; i++) { /* 10 warm-up rounds */
		double t0 = now_us();

		sv_run(&s, msg, sizeof(msg), &r);
		if (r.status != CS_OK) {
			fprintf(stderr, "bench_spawn: %s %s\n", cs_status_name(r.status), r.detail);
			return 1;
		}
		free(r.out);
		if (i >= 0) {
			ready[i] = t_ready - t0;
			total[i] = now_us() - t0;
		}
	}
	report("cold spawn (request -> sealed)", ready, n);
	report("fresh worker, 64-byte request", total, n);
	sv_close(&s);
	event_base_free(base);
	policy_free(&pol);
	profile_free(&prof);
	free(ready);
	free(total);
	return 0;
}
