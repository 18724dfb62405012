/* Figure 9, one-shot CLI: `caisson run` of one input through echo.so,
 * the whole process from posix_spawn to its reaping (profile parse, filter
 * compile, zygote, cgroups, one worker, the answer, every process reaped
 * and every directory removed). Peer: bwrap launching a static true (the
 * same minimal sandbox as the other figures' bwrap peer), start to exit.
 * Floor: the bare static true, start to exit. Interleaved per iteration. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

void bench_fig_oneshot(struct bench_ctx *c)
{
	struct bench_row *r = bench_row_new(c, "9", "one-shot CLI: caisson run of one input, start to exit", "us");
	char exe[512], profile[512], plugin[512], input[] = "/tmp/caisson-bench-oneshot.XXXXXX", truth[512];
	struct bench_samples cs = { 0 }, fl = { 0 }, bw = { 0 };
	struct bench_cmd run, bwrap, bare;
	int n = bench_iters(c, 100), fd;

	snprintf(r->target, sizeof(r->target), "<= 1.0x bwrap (static true)");
	snprintf(exe, sizeof(exe), "%s/caisson", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/echo.ini", c->src);
	snprintf(plugin, sizeof(plugin), "%s/samples/echo.so", c->build);
	snprintf(truth, sizeof(truth), "%s/tests/bench/true_static", c->build);
	fd = mkstemp(input);
	if (fd < 0 || write(fd, "caisson one-shot\n", 17) != 17) {
		snprintf(r->note, sizeof(r->note), "cannot write the input");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	bench_cmd_init(&run, (const char *const[]){ exe, "run", "-p", profile, plugin, input, NULL });
	bench_bwrap_cmd(&bwrap, (const char *const[]){ "--ro-bind", truth, "/true", NULL },
			(const char *const[]){ "/true", NULL });
	bench_cmd_init(&bare, (const char *const[]){ truth, NULL });
	bench_cmd_check(&run);
	bench_cmd_check(&bwrap);
	bench_cmd_check(&bare);
	for (int i = -5; i < n; i++) { /* 5 warm-up rounds */
		bench_cmd_sample(&run, &cs, i >= 0);
		bench_cmd_sample(&bwrap, &bw, i >= 0);
		bench_cmd_sample(&bare, &fl, i >= 0);
	}
	unlink(input);
	bench_row_samples(r, &cs);
	bench_row_floor(r, "static true, posix_spawn to reaped", bench_pct(&fl, 0.5));
	bench_row_peer(r, "bwrap", &bwrap, bwrap.unavailable[0] ? NULL : &bw);
	r->met = !isnan(r->p50) && !isnan(r->peers[0].p50) && r->p50 <= r->peers[0].p50;
	snprintf(r->note, sizeof(r->note), "caisson: %.250s%s%.60s", run.line, run.unavailable[0] ? " -- failed: " : "",
		 run.unavailable);
	bench_samples_free(&cs);
	bench_samples_free(&fl);
	bench_samples_free(&bw);
}
