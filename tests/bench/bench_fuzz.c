/* Figure 10, caisson fuzz's throughput: executions per second of
 * `caisson fuzz` (one persistent sandboxed worker, supervisor and worker
 * pinned to one core) on the planted-bug harness with its bugs compiled
 * out (samples/fuzz_planted.c -DFUZZ_PLANTED_SAFE), beside libFuzzer
 * in-process on the same harness, same core, same -runs and -seed: the
 * floor. Figure 10a: the same on the png plugin built with ASan
 * (samples/png.c, -fsanitize=address,fuzzer-no-link; libFuzzer's binary
 * the same source with tests/bench/png_libfuzzer.c), from the same two
 * seed PNGs in a fresh corpus directory each run. Each round runs both,
 * interleaved; exec/s = runs / wall time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

static void fuzz_time(const struct bench_cmd *cmd, struct bench_samples *s, uint64_t runs, int record,
		      char *why, size_t whylen)
{
	double us = bench_cmd_time_us(cmd);

	if (us <= 0) {
		snprintf(why, whylen, "a timed run failed: %.400s", cmd->line);
		return;
	}
	if (record)
		bench_add(s, (double)runs / (us / 1e6));
}

static void bench_fig_fuzz_planted(struct bench_ctx *c)
{
	struct bench_samples s[2] = { { 0 } }; /* caisson fuzz, libFuzzer */
	struct bench_cmd cf, lf;
	char caisson[512], profile[512], target[512], lfbin[512], art[64], runs[32], why[600] = "";
	uint64_t n = c->quick ? 2000 : 200000;
	int rounds = bench_iters(c, 5);
	struct bench_row *r;

	snprintf(caisson, sizeof(caisson), "%s/caisson", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/default.ini", c->src);
	snprintf(target, sizeof(target), "%s/tests/bench_fuzz_planted.so", c->build);
	snprintf(lfbin, sizeof(lfbin), "%s/tests/bench_fuzz_planted_libfuzzer", c->build);
	snprintf(art, sizeof(art), "-artifact_prefix=/tmp/caisson-bench-fuzz-%d-", (int)getpid());
	snprintf(runs, sizeof(runs), "-runs=%llu", (unsigned long long)n);
	bench_cmd_init(&cf, (const char *const[]){ "taskset", "-c", "0", caisson, "fuzz", "-p", profile, target,
						   runs, "-seed=1", art, NULL });
	bench_cmd_init(&lf, (const char *const[]){ "taskset", "-c", "0", lfbin, runs, "-seed=1", art, NULL });
	for (int i = -1; i < rounds && !why[0]; i++) { /* one warm-up round */
		fuzz_time(&cf, &s[0], n, i >= 0, why, sizeof(why));
		fuzz_time(&lf, &s[1], n, i >= 0, why, sizeof(why));
	}
	r = bench_row_new(c, "10", "caisson fuzz exec/s, planted target, 1 worker, 1 core", "exec/s");
	if (!r)
		goto out;
	r->higher_better = true;
	bench_row_samples(r, &s[0]);
	bench_row_floor(r, "libFuzzer in-process, same harness, core, -runs, -seed", bench_pct(&s[1], 0.5));
	snprintf(r->target, sizeof(r->target), ">= 100000 exec/s");
	r->met = r->p50 >= 100000;
	snprintf(r->note, sizeof(r->note), "%.150s%.150s; ratio to libFuzzer %.3f", why, why[0] ? "" : cf.line,
		 r->p50 / r->floor_p50);
out:
	bench_samples_free(&s[0]);
	bench_samples_free(&s[1]);
}

/* dir emptied and seeded with the two sample PNGs; -1 on failure. */
static int png_corpus(const struct bench_ctx *c, const char *dir)
{
	char sh[1600];

	snprintf(sh, sizeof(sh), "rm -rf '%s' && mkdir -p '%s' && cp '%s/samples/data/gray-16.png' "
		 "'%s/samples/data/logo-rgba.png' '%s/'", dir, dir, c->src, c->src, dir);
	return system(sh) == 0 ? 0 : -1;
}

static void bench_fig_fuzz_png(struct bench_ctx *c)
{
	struct bench_samples s[2] = { { 0 } }; /* caisson fuzz, libFuzzer */
	struct bench_cmd cf, lf;
	char caisson[512], profile[512], target[512], lfbin[512], art[64], runs[32], why[600] = "";
	char cdir[64], ldir[64], sh[160];
	uint64_t n = c->quick ? 200 : 200000;
	int rounds = bench_iters(c, 3);
	struct bench_row *r;

	snprintf(caisson, sizeof(caisson), "%s/caisson", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/png.ini", c->src);
	snprintf(target, sizeof(target), "%s/samples/fuzz_png_asan.so", c->build);
	snprintf(lfbin, sizeof(lfbin), "%s/tests/bench_png_asan_libfuzzer", c->build);
	snprintf(art, sizeof(art), "-artifact_prefix=/tmp/caisson-bench-fuzzpng-%d-", (int)getpid());
	snprintf(runs, sizeof(runs), "-runs=%llu", (unsigned long long)n);
	snprintf(cdir, sizeof(cdir), "/tmp/caisson-bench-fuzzpng-%d-c", (int)getpid());
	snprintf(ldir, sizeof(ldir), "/tmp/caisson-bench-fuzzpng-%d-l", (int)getpid());
	bench_cmd_init(&cf, (const char *const[]){ "taskset", "-c", "0", caisson, "fuzz", "-p", profile, target,
						   runs, "-seed=1", art, cdir, NULL });
	bench_cmd_init(&lf, (const char *const[]){ "taskset", "-c", "0", lfbin, runs, "-seed=1", art, ldir, NULL });
	for (int i = -1; i < rounds && !why[0]; i++) { /* one warm-up round */
		if (png_corpus(c, cdir) < 0 || png_corpus(c, ldir) < 0) {
			snprintf(why, sizeof(why), "cannot seed the corpus directories under /tmp");
			break;
		}
		fuzz_time(&cf, &s[0], n, i >= 0, why, sizeof(why));
		fuzz_time(&lf, &s[1], n, i >= 0, why, sizeof(why));
	}
	snprintf(sh, sizeof(sh), "rm -rf '%s' '%s'", cdir, ldir);
	if (system(sh) != 0)
		snprintf(why, sizeof(why), "cannot remove %s", cdir);
	r = bench_row_new(c, "10a", "caisson fuzz exec/s, png plugin with ASan, 1 worker, 1 core", "exec/s");
	if (!r)
		goto out;
	r->higher_better = true;
	bench_row_samples(r, &s[0]);
	bench_row_floor(r, "libFuzzer in-process, same plugin and flags, core, corpus, -runs, -seed",
			bench_pct(&s[1], 0.5));
	snprintf(r->target, sizeof(r->target), ">= 0.5x libFuzzer");
	r->met = r->p50 >= 0.5 * r->floor_p50;
	snprintf(r->note, sizeof(r->note), "%.150s%.150s; ratio to libFuzzer %.3f", why, why[0] ? "" : cf.line,
		 r->p50 / r->floor_p50);
out:
	bench_samples_free(&s[0]);
	bench_samples_free(&s[1]);
}

void bench_fig_fuzz(struct bench_ctx *c)
{
	bench_fig_fuzz_planted(c);
	bench_fig_fuzz_png(c);
}
