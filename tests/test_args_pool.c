/* Per-request arguments through libcaisson, in real workers
 * (tests/plugins/args.c answers the arguments it sees): a round trip; each
 * hostile set refused BAD_ARGS with its text before any worker ran it;
 * many requests in a pipelined pool, each with its own value; a request
 * through the bulk regions; the synchronous wrapper.
 * argv: BUILD_DIR SOURCE_DIR. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "caisson.h"
#include "check.h"

#define NPIPE 48

struct got {
	int calls;
	enum caisson_status status;
	char detail[512];
	pid_t worker;
	char *out;
	size_t out_len;
};

static struct event_base *base;
static int pending;

static void on_done(const struct caisson_result *r, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->status = r->status;
	g->worker = r->worker;
	snprintf(g->detail, sizeof(g->detail), "%s", r->detail ? r->detail : "");
	g->out = malloc(r->output_len + 1);
	memcpy(g->out, r->output_len ? (const char *)r->output : "", r->output_len);
	g->out[r->output_len] = '\0';
	g->out_len = r->output_len;
	pending--;
}

static void run_all(void)
{
	while (pending > 0)
		event_base_loop(base, EVLOOP_ONCE);
}

static void submit(caisson_pool *p, const char *in, size_t len, const struct caisson_arg *a, size_t n, struct got *g)
{
	memset(g, 0, sizeof(*g));
	pending++;
	CHECK(caisson_submit_args(p, in, len, a, n, on_done, g) > 0);
}

static void test_round_trip(caisson_pool *p)
{
	const struct caisson_arg a[] = { { "page", "12" }, { "format", "tiff" }, { "name", "a.b-c+d_9" } };
	struct got g, none;
	const char *in = "page\nformat\nname\nother\n";

	submit(p, in, strlen(in), a, 3, &g);
	submit(p, in, strlen(in), NULL, 0, &none);
	run_all();
	CHECK_INT(g.calls, 1);
	CHECK_INT(g.status, CAISSON_OK);
	CHECK_STR(g.out, "page=12\nformat=tiff\nname=a.b-c+d_9\nother unset\n");
	/* The next request (maybe the same worker) sees none of them. */
	CHECK_INT(none.status, CAISSON_OK);
	CHECK_STR(none.out, "page unset\nformat unset\nname unset\nother unset\n");
	free(g.out);
	free(none.out);
}

static void test_hostile(caisson_pool *p)
{
	static char longkey[41], longval[301];
	static struct caisson_arg seventeen[17];
	static const struct {
		struct caisson_arg a[2];
		size_t n;
		const char *detail;
	} cases[] = {
		{ { { longkey, "1" } }, 1, "argument name of 40 bytes > limit 32 ('kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk')" },
		{ { { "name", longval } }, 1, "argument 'name': value of 300 bytes > limit 256" },
		{ { { "size", "1" } }, 1, "unknown argument 'size' (the profile declares page, format, name)" },
		{ { { "name", "a;rm -rf /" } }, 1, "argument 'name': 'a;rm -rf /' has a character outside "
						    "[A-Za-z0-9._+-] (word 64)" },
		{ { { "name", "$(cat /etc/passwd)" } }, 1, "argument 'name': '$(cat /etc/passwd)' has a character "
							    "outside [A-Za-z0-9._+-] (word 64)" },
		{ { { "name", "-rf" } }, 1, "argument 'name': '-rf' starts with '-' (word 64)" },
		{ { { "name", "--output=/etc/x" } }, 1, "argument 'name': '--output=/etc/x' starts with '-' (word 64)" },
		{ { { "page", "0" } }, 1, "argument 'page': '0' is out of range (int 1..9999)" },
		{ { { "page", "10000" } }, 1, "argument 'page': '10000' is out of range (int 1..9999)" },
		{ { { "format", "gif" } }, 1, "argument 'format': 'gif' is not one of the members (enum png,jpeg,tiff)" },
		{ { { "page", "1" }, { "page", "2" } }, 2, "argument 'page' given twice" },
		{ { { NULL, NULL } }, 17, "17 arguments > limit 16" },
	};
	struct got g[sizeof(cases) / sizeof(cases[0])];

	memset(longkey, 'k', 40);
	memset(longval, 'v', 300);
	for (int i = 0; i < 17; i++)
		seventeen[i] = (struct caisson_arg){ "page", "1" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		submit(p, "page\n", 5, cases[i].n == 17 ? seventeen : cases[i].a, cases[i].n, &g[i]);
	run_all();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(g[i].calls, 1);
		CHECK_INT(g[i].status, CAISSON_BAD_ARGS);
		CHECK_STR(g[i].detail, cases[i].detail);
		/* No worker ever had it. */
		CHECK_INT(g[i].worker, 0);
		free(g[i].out);
	}
	CHECK_STR(caisson_status_name(CAISSON_BAD_ARGS), "BAD_ARGS");
}

/* NPIPE requests at once into 2 workers that hold 4 each: most travel in
 * W_REQUESTS records, each with its own page (and every third none). */
static void test_pipelined(caisson_pool *p)
{
	static struct got g[NPIPE];
	static char val[NPIPE][8];
	struct caisson_stats st;
	char want[32];

	for (int i = 0; i < NPIPE; i++) {
		struct caisson_arg a = { "page", val[i] };

		snprintf(val[i], sizeof(val[i]), "%d", i + 1);
		submit(p, "page\n", 5, &a, i % 3 == 2 ? 0 : 1, &g[i]);
	}
	run_all();
	for (int i = 0; i < NPIPE; i++) {
		snprintf(want, sizeof(want), i % 3 == 2 ? "page unset\n" : "page=%d\n", i + 1);
		CHECK_INT(g[i].status, CAISSON_OK);
		if (g[i].status == CAISSON_OK)
			CHECK_STR(g[i].out, want);
		free(g[i].out);
	}
	caisson_pool_stats(p, &st);
	CHECK(st.piped > 0);
	fprintf(stderr, "test_args_pool: %llu of %d requests pipelined\n", (unsigned long long)st.piped, NPIPE);
}

/* An input over one message: the bulk regions (W_REQUEST_SHM), the
 * arguments still in the message. */
static void test_bulk(caisson_pool *p)
{
	const size_t reps = 20000;
	const struct caisson_arg a = { "format", "jpeg" };
	char *in = malloc(reps * 7 + 1);
	struct got g;
	bool same = true;

	for (size_t i = 0; i < reps; i++)
		memcpy(in + i * 7, "format\n", 7);
	submit(p, in, reps * 7, &a, 1, &g);
	run_all();
	CHECK_INT(g.status, CAISSON_OK);
	CHECK_INT(g.out_len, reps * 12);
	for (size_t i = 0; g.out && i < g.out_len / 12 && same; i++)
		same = memcmp(g.out + i * 12, "format=jpeg\n", 12) == 0;
	CHECK(same);
	free(g.out);
	free(in);
}

static void test_sync(const struct caisson_pool_config *c)
{
	const struct caisson_arg good = { "name", "x" }, bad = { "name", "x y" };
	struct caisson_sync_result r;
	char err[512];
	caisson_sync *s = caisson_sync_new(c, err, sizeof(err));

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(caisson_sync_call_args(s, "name\n", 5, &good, 1, &r), CAISSON_OK);
	CHECK(r.output_len == 7 && memcmp(r.output, "name=x\n", 7) == 0);
	free(r.output);
	CHECK_INT(caisson_sync_call_args(s, "name\n", 5, &bad, 1, &r), CAISSON_BAD_ARGS);
	CHECK_STR(r.detail, "argument 'name': 'x y' has a character outside [A-Za-z0-9._+-] (word 64)");
	free(r.output);
	caisson_sync_free(s);
}

int main(int argc, char **argv)
{
	char profile[1024], plugin[1024], err[512];
	struct caisson_pool_config c = { .profile = profile, .plugin = plugin };
	caisson_pool *p;

	if (argc != 3) {
		fprintf(stderr, "usage: test_args_pool BUILD_DIR SOURCE_DIR\n");
		return 2;
	}
	snprintf(profile, sizeof(profile), "%s/tests/profiles/args.ini", argv[2]);
	snprintf(plugin, sizeof(plugin), "%s/tests/args.so", argv[1]);
	base = event_base_new();
	p = caisson_pool_new(base, &c, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "test_args_pool: %s\n", err);
		return 1;
	}
	test_round_trip(p);
	test_hostile(p);
	test_pipelined(p);
	test_bulk(p);
	caisson_pool_free(p);
	test_sync(&c);
	event_base_free(base);
	return check_done("test_args_pool");
}
