/* embed: the smallest asynchronous libcaisson service, built by
 * tests/install_test.sh against an installed caisson with nothing but
 * `pkg-config --cflags --libs caisson` (libevent comes through Requires).
 * Runs one input through a pool of PROFILE and PLUGIN on its own libevent
 * loop and prints "STATUS answer" on stdout; 2 and the one-line error on
 * stderr when the pool cannot start.
 * usage: embed PROFILE PLUGIN INPUT */
#include <caisson.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void embed_done(const struct caisson_result *r, void *arg)
{
	struct event_base *base = arg;

	printf("%s %.*s\n", caisson_status_name(r->status), (int)r->output_len,
	       r->output ? (const char *)r->output : "");
	event_base_loopbreak(base);
}

int main(int argc, char **argv)
{
	struct caisson_pool_config cfg = { 0 };
	struct event_base *base;
	caisson_pool *pool;
	char err[1024];

	if (argc != 4) {
		fprintf(stderr, "usage: embed PROFILE PLUGIN INPUT\n");
		return 2;
	}
	cfg.profile = argv[1];
	cfg.plugin = argv[2];
	if (!(base = event_base_new()))
		return 2;
	if (!(pool = caisson_pool_new(base, &cfg, err, sizeof(err)))) {
		fprintf(stderr, "embed: %s\n", err);
		event_base_free(base);
		return 2;
	}
	if (!caisson_submit(pool, argv[3], strlen(argv[3]), embed_done, base))
		return 2;
	event_base_dispatch(base);
	caisson_pool_free(pool);
	event_base_free(base);
	return 0;
}
