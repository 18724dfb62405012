/* Figure 10b, time to find: seconds from start until `caisson fuzz`
 * reports the planted heap overflow of samples/fuzz_heap.c (built with
 * ASan; its "==caisson fuzz== CRASHED" line on stderr; the fuzzer is then
 * killed, as it would go on), beside libFuzzer in-process on the same
 * source and flags (-fsanitize=address,fuzzer) until it exits at the
 * crash; both from an empty corpus, with CMP-guided mutation, pinned to
 * one core, for seeds 1-5. The figure is the median over the seeds. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define FIND_LIMIT_S 300.0

/* Runs cmd until needle appears in a line of its stderr (or it exits, when
 * needle is NULL: libFuzzer stops at its first crash); seconds, or -1
 * when it never found (the limit passed, or it ended without the line). */
static double find_time(const struct bench_cmd *cmd, const char *needle)
{
	char buf[65536];
	size_t got = 0;
	int p[2], status;
	double t0 = bench_now_us(), t = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = bench_cmd_start_err(cmd, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		ssize_t n;
		if ((bench_now_us() - t0) / 1e6 > FIND_LIMIT_S || poll(&pfd, 1, 1000) < 0)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!needle)
				t = (bench_now_us() - t0) / 1e6;
			break;
		}
		got += (size_t)n;
		buf[got] = '\0';
		if (needle && strstr(buf, needle)) {
			t = (bench_now_us() - t0) / 1e6;
			break;
		}
		if (got > sizeof(buf) / 2) { /* keep the tail: a line may span reads */
			memmove(buf, buf + got - 1024, 1024);
			got = 1024;
		}
	}
	close(p[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* libFuzzer exits 1 on a crash; a clean exit found nothing. */
	if (!needle && t >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) != 0))
		t = -1;
	return t;
}

void bench_fig_fuzz_find(struct bench_ctx *c)
{
	struct bench_samples s[2] = { { 0 } }; /* caisson fuzz, libFuzzer */
	char caisson[512], profile[512], target[512], lfbin[512], art[64], seed[32], why[200] = "";
	int nseeds = c->quick ? 1 : 5;
	struct bench_row *r;

	snprintf(caisson, sizeof(caisson), "%s/caisson", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/default.ini", c->src);
	snprintf(target, sizeof(target), "%s/samples/fuzz_heap_asan.so", c->build);
	snprintf(lfbin, sizeof(lfbin), "%s/tests/bench_heap_asan_libfuzzer", c->build);
	snprintf(art, sizeof(art), "-artifact_prefix=/tmp/caisson-bench-find-%d-", (int)getpid());
	for (int i = 1; i <= nseeds && !why[0]; i++) {
		struct bench_cmd cf, lf;
		double tc, tl;
		snprintf(seed, sizeof(seed), "-seed=%d", i);
		bench_cmd_init(&cf, (const char *const[]){ "taskset", "-c", "0", caisson, "fuzz", "-p", profile,
							   target, "-runs=100000000", seed, art, NULL });
		bench_cmd_init(&lf, (const char *const[]){ "taskset", "-c", "0", lfbin, "-runs=100000000", seed, art,
							   NULL });
		tc = find_time(&cf, "==caisson fuzz== CRASHED");
		tl = find_time(&lf, NULL);
		if (tc < 0 || tl < 0)
			snprintf(why, sizeof(why), "%s did not find the overflow within %.0f s (%s); ",
				 tc < 0 ? "caisson fuzz" : "libFuzzer", FIND_LIMIT_S, seed);
		bench_add(&s[0], tc);
		bench_add(&s[1], tl);
	}
	if (system("rm -f /tmp/caisson-bench-find-*") != 0)
		snprintf(why, sizeof(why), "cannot remove the artifacts; ");
	r = bench_row_new(c, "10b", "time to find the planted heap overflow (ASan), median of seeds 1-5", "s");
	if (!r)
		goto out;
	bench_row_samples(r, &s[0]);
	bench_row_floor(r, "libFuzzer in-process, same source and flags, seeds 1-5", bench_pct(&s[1], 0.5));
	snprintf(r->target, sizeof(r->target), "<= 2x libFuzzer's median");
	r->met = !why[0] && r->p50 <= 2 * r->floor_p50;
	snprintf(r->note, sizeof(r->note), "%sper seed caisson/libFuzzer s: %.2f/%.2f %.2f/%.2f %.2f/%.2f %.2f/%.2f "
		 "%.2f/%.2f; ratio %.3f", why, s[0].n > 0 ? s[0].v[0] : NAN, s[1].n > 0 ? s[1].v[0] : NAN,
		 s[0].n > 1 ? s[0].v[1] : NAN, s[1].n > 1 ? s[1].v[1] : NAN, s[0].n > 2 ? s[0].v[2] : NAN,
		 s[1].n > 2 ? s[1].v[2] : NAN, s[0].n > 3 ? s[0].v[3] : NAN, s[1].n > 3 ? s[1].v[3] : NAN,
		 s[0].n > 4 ? s[0].v[4] : NAN, s[1].n > 4 ? s[1].v[4] : NAN, r->p50 / r->floor_p50);
out:
	bench_samples_free(&s[0]);
	bench_samples_free(&s[1]);
}
