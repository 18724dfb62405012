/* Figure 11, exec mode: poppler's pdftotext on a multi-page PDF
 * (samples/converters/report.pdf) under profiles/pdftotext.ini.
 *   11a  a pooled request: libcaisson's exec pool (one request per
 *        sandbox, the next one pre-spawned; before each request the bench
 *        runs the pool's loop until that spare is ready, as a service's
 *        loop runs between requests), the PDF in on stdin, the text back.
 *        Floor: the bare tool, posix_spawn to reaped. Peer: the tool under
 *        bwrap with /usr bound read-only.
 *   11b  one-shot: `caisson exec` of the one PDF, the whole process, start
 *        to exit, beside the same bwrap run.
 *   11c  memory of an idle pre-spawned exec sandbox (PSS + kernel), as
 *        figure 6 measures a plugin worker.
 * Interleaved per iteration. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"

#define EX_TOOL "/usr/bin/pdftotext"
#define EX_IDLE 16

struct ex_pool {
	struct event_base *base;
	caisson_pool *pool;
	int done, ok;
	size_t out_len;
};

static void ex_cb(const struct caisson_result *res, void *arg)
{
	struct ex_pool *p = arg;

	p->done = 1;
	p->ok = res->status == CAISSON_OK && res->output_len > 0;
	p->out_len = res->output_len;
	if (!p->ok)
		fprintf(stderr, "caisson_bench: exec: %s %s\n", caisson_status_name(res->status),
			res->detail ? res->detail : "");
}

static int ex_open(struct ex_pool *p, const char *profile, unsigned max, char *err, size_t errlen)
{
	static const char *const argv[] = { EX_TOOL, "-", "-", NULL };
	struct caisson_pool_config cfg = { .profile = profile, .max_workers = max };

	memset(p, 0, sizeof(*p));
	p->base = event_base_new();
	p->pool = p->base ? caisson_exec_pool_new(p->base, &cfg, argv, err, errlen) : NULL;
	return p->pool ? 0 : -1;
}

static void ex_close(struct ex_pool *p)
{
	if (p->pool)
		caisson_pool_free(p->pool);
	if (p->base)
		event_base_free(p->base);
	memset(p, 0, sizeof(*p));
}

/* One request once the spare is ready; its time in us, or -1. */
static double ex_call_us(struct ex_pool *p, const void *in, size_t len)
{
	double t0;

	if (bench_pool_wait_idle(p->base, p->pool, 1, 5) < 0)
		return -1;
	t0 = bench_now_us();
	p->done = p->ok = 0;
	if (!caisson_submit(p->pool, in, len, ex_cb, p))
		return -1;
	while (!p->done)
		if (event_base_loop(p->base, EVLOOP_ONCE) < 0)
			return -1;
	return p->ok ? bench_now_us() - t0 : -1;
}

static void *ex_read(const char *path, size_t *len)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size)) &&
	    read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	if (fd >= 0)
		close(fd);
	*len = buf ? (size_t)st.st_size : 0;
	return buf;
}

/* 11c: EX_IDLE idle sandboxes of a profile that pre-spawns them all (the
 * shipped profile plus [pool] min_workers, written beside the build):
 * PSS of the workers and the kernel's growth, per sandbox; -1 with err. */
static double ex_idle_kib(const struct bench_ctx *c, const char *profile, char *err, size_t errlen)
{
	char path[600];
	struct ex_pool p;
	size_t len;
	void *text;
	FILE *f;
	int ok;
	pid_t w[EX_IDLE + 8], zygote;
	long k0 = bench_kernel_kib(), pss = 0;
	double per = -1;
	int n;

	snprintf(path, sizeof(path), "%s/bench-pdftotext-idle.ini", c->build);
	text = ex_read(profile, &len);
	f = text ? fopen(path, "we") : NULL;
	ok = f && fwrite(text, 1, len, f) == len &&
	     fprintf(f, "\n[pool]\nmin_workers = %d\nmax_workers = %d\nidle_timeout = 1h\n", EX_IDLE, EX_IDLE) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	free(text);
	if (!ok) {
		snprintf(err, errlen, "cannot write %.300s", path);
		return -1;
	}
	if (ex_open(&p, path, EX_IDLE, err, errlen) < 0 || bench_pool_wait_idle(p.base, p.pool, EX_IDLE, 60) < 0) {
		if (p.pool)
			snprintf(err, errlen, "the exec pool did not reach %d idle sandboxes", EX_IDLE);
		ex_close(&p);
		unlink(path);
		return -1;
	}
	n = bench_pool_workers(w, EX_IDLE + 8, &zygote);
	for (int i = 0; i < n; i++) {
		long k = bench_pss_kib(w[i]);

		pss += k > 0 ? k : 0;
	}
	if (n == EX_IDLE)
		per = (double)(pss + bench_kernel_kib() - k0) / EX_IDLE;
	else
		snprintf(err, errlen, "found %d sandboxes under the zygote, expected %d", n, EX_IDLE);
	ex_close(&p);
	bench_wait_gone(w, n > 0 ? n : 0);
	unlink(path);
	return per;
}

void bench_fig_exec(struct bench_ctx *c)
{
	struct bench_row *a = bench_row_new(c, "11a", "exec: pdftotext of a 6-page PDF, pooled", "us");
	struct bench_row *b = bench_row_new(c, "11b", "exec: pdftotext one-shot, caisson exec start to exit", "us");
	struct bench_row *m = bench_row_new(c, "11c", "exec: memory per idle pre-spawned sandbox", "KiB");
	static const char *const in_box[] = { "pdftotext", "/in.pdf", "-", NULL };
	char exe[512], profile[512], pdf[512], err[512] = "";
	struct bench_samples pooled = { 0 }, bare = { 0 }, bw = { 0 }, one = { 0 }, idle = { 0 };
	struct bench_cmd plain, bwrap, oneshot;
	struct ex_pool p = { 0 };
	int n = bench_iters(c, 30);
	size_t len;
	void *in;

	snprintf(exe, sizeof(exe), "%s/caisson", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/pdftotext.ini", c->src);
	snprintf(pdf, sizeof(pdf), "%s/samples/converters/report.pdf", c->src);
	snprintf(a->target, sizeof(a->target), "<= 1.1x the bare tool and below bwrap");
	snprintf(b->target, sizeof(b->target), "<= 1.0x bwrap");
	snprintf(m->target, sizeof(m->target), "<= 350 KiB (as figure 6)");
	in = ex_read(pdf, &len);
	if (!in || ex_open(&p, profile, 1, err, sizeof(err)) < 0) {
		snprintf(a->note, sizeof(a->note), "not measured: %.300s", in ? err : "cannot read the PDF");
		ex_close(&p);
		free(in);
		return;
	}
	bench_cmd_init(&plain, (const char *const[]){ EX_TOOL, pdf, "-", NULL });
	bench_bwrap_cmd(&bwrap, (const char *const[]){ "--ro-bind", pdf, "/in.pdf", NULL }, in_box);
	bench_cmd_init(&oneshot, (const char *const[]){ exe, "exec", "-p", profile, "--", EX_TOOL, "-", "-", "--", pdf,
							 NULL });
	bench_cmd_check(&plain);
	bench_cmd_check(&bwrap);
	bench_cmd_check(&oneshot);
	for (int i = -3; i < n; i++) { /* 3 warm-up rounds */
		double us = ex_call_us(&p, in, len);

		if (i >= 0 && us >= 0)
			bench_add(&pooled, us);
		bench_cmd_sample(&plain, &bare, i >= 0);
		bench_cmd_sample(&bwrap, &bw, i >= 0);
		bench_cmd_sample(&oneshot, &one, i >= 0);
	}
	ex_close(&p);
	free(in);
	bench_row_samples(a, &pooled);
	bench_row_floor(a, "pdftotext on the host, posix_spawn to reaped", bench_pct(&bare, 0.5));
	bench_row_peer(a, "bwrap pdftotext", &bwrap, bwrap.unavailable[0] ? NULL : &bw);
	a->met = pooled.n > 0 && a->p50 <= 1.1 * a->floor_p50 && (isnan(a->peers[0].p50) || a->p50 < a->peers[0].p50);
	snprintf(a->note, sizeof(a->note), "caisson_exec_pool_new(profiles/pdftotext.ini, {pdftotext - -}); the PDF "
		 "(%zu bytes) on stdin, the text on stdout; %zu of %d requests answered", len, pooled.n, n);
	bench_row_samples(b, &one);
	bench_row_floor(b, "pdftotext on the host, posix_spawn to reaped", bench_pct(&bare, 0.5));
	bench_row_peer(b, "bwrap pdftotext", &bwrap, bwrap.unavailable[0] ? NULL : &bw);
	b->met = !isnan(b->p50) && !isnan(b->peers[0].p50) && b->p50 <= b->peers[0].p50;
	snprintf(b->note, sizeof(b->note), "caisson: %.250s%s%.60s", oneshot.line,
		 oneshot.unavailable[0] ? " -- failed: " : "", oneshot.unavailable);
	for (int i = 0; i < (c->quick ? 1 : 3); i++) {
		double kib = ex_idle_kib(c, profile, err, sizeof(err));

		if (kib >= 0)
			bench_add(&idle, kib);
	}
	bench_row_samples(m, &idle);
	bench_row_floor(m, "figure 6's plugin worker, same run (see row 6)", NAN);
	m->met = idle.n > 0 && m->p50 <= 350;
	snprintf(m->note, sizeof(m->note), "%d idle sandboxes of profiles/pdftotext.ini (+ [pool] min_workers), "
		 "%zu rounds%s%.300s", EX_IDLE, idle.n, err[0] ? "; " : "", err);
	bench_samples_free(&pooled);
	bench_samples_free(&bare);
	bench_samples_free(&bw);
	bench_samples_free(&one);
	bench_samples_free(&idle);
}
