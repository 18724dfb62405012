/* Figure 5, a real converter: decode a 1024x1024 PNG with libpng.
 *   5a warm pool (png.so, profiles/png.ini) vs the same decode in-process
 *   5b one fresh worker per request (tests/bench/png-fresh.ini:
 *      requests_per_worker = 1) vs the warm pool
 * Peers: pngtopnm (netpbm) plain and under bwrap, start to exit. The
 * image is generated here, deterministically, and written beside the build
 * for the peers. Interleaved per iteration. */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"
#include "caisson.h"

#define PNG_SIDE 1024u

/* A gradient with low-amplitude noise: compresses like a photo-ish image
 * (about 3:1), not like a flat fill. */
static uint8_t *png_make(size_t *len)
{
	png_image img;
	uint8_t *px = malloc(PNG_SIDE * PNG_SIDE * 3), *out = NULL;
	png_alloc_size_t size = 0;
	uint32_t seed = 12345;

	if (!px)
		return NULL;
	for (uint32_t y = 0; y < PNG_SIDE; y++)
		for (uint32_t x = 0; x < PNG_SIDE; x++) {
			uint8_t *p = px + ((size_t)y * PNG_SIDE + x) * 3;

			seed = seed * 1103515245u + 12345u;
			p[0] = (uint8_t)(x / 4 + (seed >> 28));
			p[1] = (uint8_t)(y / 4 + ((seed >> 24) & 15));
			p[2] = (uint8_t)((x + y) / 8 + ((seed >> 20) & 15));
		}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = img.height = PNG_SIDE;
	img.format = PNG_FORMAT_RGB;
	if (png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL) && (out = malloc(size)) &&
	    !png_image_write_to_memory(&img, out, &size, 0, px, 0, NULL)) {
		free(out);
		out = NULL;
	}
	free(px);
	*len = size;
	return out;
}

/* What png.so does per request, minus writing the PPM out. */
static double png_decode_us(const uint8_t *in, size_t len)
{
	double t0 = bench_now_us();
	png_image img;
	uint8_t *px;
	int ok;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, in, len))
		return -1;
	img.format = PNG_FORMAT_RGB;
	px = malloc(PNG_IMAGE_SIZE(img));
	ok = px && png_image_finish_read(&img, NULL, px, 0, NULL);
	free(px);
	png_image_free(&img);
	return ok ? bench_now_us() - t0 : -1;
}

struct png_pool {
	struct event_base *base;
	caisson_pool *pool;
	int done, ok;
	pid_t worker;         /* the last one that answered */
	long sup_flt, wk_flt; /* minor faults over the recorded calls */
	int calls;
	double spare_ms; /* waiting for a spare, summed over spare_waits */
	int spare_waits;
};

static void png_cb(const struct caisson_result *r, void *arg)
{
	struct png_pool *p = arg;

	p->done = 1;
	p->worker = r->worker;
	/* A P6 header and 3 bytes per pixel. */
	p->ok = r->status == CAISSON_OK && r->output_len > PNG_SIDE * PNG_SIDE * 3;
	if (!p->ok)
		fprintf(stderr, "caisson_bench: png: %s %s\n", caisson_status_name(r->status),
			r->detail ? r->detail : "");
}

static int png_open(const struct bench_ctx *c, struct png_pool *p, const char *profile, char *err, size_t errlen)
{
	char prof[512], plugin[512];
	struct caisson_pool_config cfg = { .profile = prof, .plugin = plugin };

	memset(p, 0, sizeof(*p));
	snprintf(prof, sizeof(prof), "%s/%s", c->src, profile);
	snprintf(plugin, sizeof(plugin), "%s/samples/png.so", c->build);
	p->base = event_base_new();
	p->pool = p->base ? caisson_pool_new(p->base, &cfg, err, errlen) : NULL;
	return p->pool ? 0 : -1;
}

static void png_close(struct png_pool *p)
{
	caisson_pool_free(p->pool);
	if (p->base)
		event_base_free(p->base);
}

/* Runs the pool's loop until it has an idle worker, as a service's loop
 * runs between requests; returns how long that took (ms), -1 on a 5 s
 * timeout. The fresh pool pre-spawns (and pre-faults) its spare here, off
 * the measured path, which is what 5b's target asks; the bench drives each
 * pool's base only while it waits, so without this the spare would make no
 * progress between requests. */
static double png_await_spare(struct png_pool *p)
{
	double t0 = bench_now_us();

	return bench_pool_wait_idle(p->base, p->pool, 1, 5) < 0 ? -1 : (bench_now_us() - t0) / 1000;
}

/* One request, counting page faults on both sides when the worker is
 * the one that served the previous request (warm pool). */
static double png_call_us(struct png_pool *p, const uint8_t *in, size_t len)
{
	pid_t w = p->worker;
	long s0 = bench_minflt(getpid()), w0 = w ? bench_minflt(w) : -1;
	double t0 = bench_now_us();

	p->done = p->ok = 0;
	if (!caisson_submit(p->pool, in, len, png_cb, p))
		return -1;
	while (!p->done)
		if (event_base_loop(p->base, EVLOOP_ONCE) < 0)
			return -1;
	t0 = bench_now_us() - t0;
	if (w0 >= 0 && p->worker == w) {
		p->sup_flt += bench_minflt(getpid()) - s0;
		p->wk_flt += bench_minflt(w) - w0;
		p->calls++;
	}
	return p->ok ? t0 : -1;
}

static void png_add(struct bench_samples *s, double us, int record)
{
	if (record && us >= 0)
		bench_add(s, us);
}

static int png_write_file(const char *path, const uint8_t *d, size_t len)
{
	FILE *f = fopen(path, "we");
	int ok = f && fwrite(d, 1, len, f) == len;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static void png_rows(struct bench_ctx *c, struct bench_samples s[5], struct bench_cmd *plain,
		     struct bench_cmd *bwrap, size_t len, const struct png_pool *warm, const struct png_pool *fresh)
{
	struct bench_row *w = bench_row_new(c, "5a", "PNG 1024x1024 decode, warm pool", "us");
	struct bench_row *f = bench_row_new(c, "5b", "PNG 1024x1024 decode, fresh worker/request", "us");

	bench_row_samples(w, &s[1]);
	bench_row_floor(w, "in-process libpng decode (same calls as png.so)", bench_pct(&s[0], 0.5));
	bench_row_peer(w, "pngtopnm", plain, plain->unavailable[0] ? NULL : &s[3]);
	bench_row_peer(w, "bwrap pngtopnm", bwrap, bwrap->unavailable[0] ? NULL : &s[4]);
	snprintf(w->target, sizeof(w->target), "<= 1.1x in-process");
	w->met = w->p50 <= 1.1 * w->floor_p50;
	snprintf(w->note, sizeof(w->note), "png.so, profiles/png.ini, 1 worker; request = the %zu-byte PNG, "
					   "answer = 3 MiB PPM copied back; minor faults per request: supervisor %.0f, "
					   "worker %.0f; pngtopnm also writes its PNM (to /dev/null)",
		 len, warm->calls ? (double)warm->sup_flt / warm->calls : NAN,
		 warm->calls ? (double)warm->wk_flt / warm->calls : NAN);
	bench_row_samples(f, &s[2]);
	bench_row_floor(f, "the warm pool (5a), same run", w->p50);
	bench_row_peer(f, "bwrap pngtopnm", bwrap, bwrap->unavailable[0] ? NULL : &s[4]);
	snprintf(f->target, sizeof(f->target), "<= 1.5x warm");
	f->met = f->p50 <= 1.5 * f->floor_p50;
	snprintf(f->note, sizeof(f->note), "tests/bench/png-fresh.ini: requests_per_worker = 1, prefault = 4M; "
					   "before each request the bench runs the pool's loop until its spare is ready "
					   "(as a service's loop runs between requests): %.1f ms on average, after the "
					   "warm call and the peers ran",
		 fresh->spare_waits ? fresh->spare_ms / fresh->spare_waits : NAN);
}

void bench_fig_png(struct bench_ctx *c)
{
	static const char *const pngtopnm[] = { "pngtopnm", "/in.png", NULL };
	struct bench_samples s[5] = { { 0 } }; /* in-process, warm, fresh, pngtopnm, bwrap */
	struct png_pool warm = { 0 }, fresh = { 0 };
	struct bench_cmd plain, bwrap;
	char err[512];
	size_t len;
	uint8_t *in = png_make(&len);
	int n = bench_iters(c, 40);

	snprintf(c->png_path, sizeof(c->png_path), "%s/bench-1024.png", c->build);
	if (!in || png_write_file(c->png_path, in, len) < 0) {
		fprintf(stderr, "caisson_bench: cannot make %s\n", c->png_path);
		free(in);
		return;
	}
	bench_cmd_init(&plain, (const char *const[]){ "pngtopnm", c->png_path, NULL });
	bench_bwrap_cmd(&bwrap, (const char *const[]){ "--ro-bind", c->png_path, "/in.png", NULL }, pngtopnm);
	bench_cmd_check(&plain);
	bench_cmd_check(&bwrap);
	if (png_open(c, &warm, "profiles/png.ini", err, sizeof(err)) < 0 ||
	    png_open(c, &fresh, "tests/bench/png-fresh.ini", err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson_bench: png pools: %s\n", err);
		png_close(&warm);
		png_close(&fresh);
		free(in);
		return;
	}
	for (int i = -3; i < n; i++) { /* 3 warm-up rounds */
		png_add(&s[0], png_decode_us(in, len), i >= 0);
		png_add(&s[1], png_call_us(&warm, in, len), i >= 0);
		double wait = png_await_spare(&fresh);

		if (wait < 0) {
			fprintf(stderr, "caisson_bench: png: the fresh pool has no spare after 5 s\n");
			png_add(&s[2], -1, 0);
		} else {
			fresh.spare_ms += wait;
			fresh.spare_waits++;
			png_add(&s[2], png_call_us(&fresh, in, len), i >= 0);
		}
		bench_cmd_sample(&plain, &s[3], i >= 0);
		bench_cmd_sample(&bwrap, &s[4], i >= 0);
	}
	png_rows(c, s, &plain, &bwrap, len, &warm, &fresh);
	png_close(&warm);
	png_close(&fresh);
	for (int i = 0; i < 5; i++)
		bench_samples_free(&s[i]);
	free(in);
}
