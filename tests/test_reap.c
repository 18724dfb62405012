/* libcaisson ends clean: caisson_pool_free and caisson_sync_free return
 * with the zygote and every worker reaped, idle or busy. The test process
 * is a child subreaper, so a worker its zygote left behind would become
 * its child: after each free, it must have no child at all (waitpid gives
 * ECHILD). usage: test_reap BUILD_DIR SOURCE_DIR */
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "caisson.h"
#include "check.h"

static char echo[4096], busy[4096], profile[4096];

static void no_child_left(const char *after)
{
	int status;
	pid_t pid = waitpid(-1, &status, WNOHANG);

	if (pid != -1 || errno != ECHILD)
		fprintf(stderr, "test_reap: after %s: waitpid gives %d (%s)\n", after, (int)pid,
			pid == 0 ? "a child still runs" : pid > 0 ? "a zombie was left" : strerror(errno));
	CHECK(pid == -1 && errno == ECHILD);
	while (waitpid(-1, &status, 0) > 0) /* whatever it was: not for the next case */
		;
}

static void on_done(const struct caisson_result *r, void *arg)
{
	(*(int *)arg)++;
}

/* Runs the loop until n callbacks, or the pool has `busy` busy workers. */
static void run_until(struct event_base *base, caisson_pool *p, const int *done, int n, unsigned want_busy)
{
	struct caisson_stats st;

	for (int i = 0; i < 20000; i++) {
		caisson_pool_stats(p, &st);
		if (*done >= n || (want_busy && st.busy >= want_busy))
			return;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
	CHECK(!"pool did not get there in 10 s");
}

static void test_pool(const char *plugin, unsigned want_busy, const char *what)
{
	struct caisson_pool_config cfg = { .profile = profile, .plugin = plugin, .max_workers = 2 };
	struct event_base *base = event_base_new();
	char err[256];
	int done = 0;
	caisson_pool *p = caisson_pool_new(base, &cfg, err, sizeof(err));

	CHECK(p != NULL);
	if (!p) {
		fprintf(stderr, "test_reap: %s\n", err);
		return;
	}
	for (int i = 0; i < 4; i++)
		CHECK(caisson_submit(p, "ping", 4, on_done, &done) > 0);
	run_until(base, p, &done, 4, want_busy);
	caisson_pool_free(p);
	CHECK_INT(done, 4); /* every request completes, the cancelled ones too */
	event_base_free(base);
	no_child_left(what);
}

static void test_sync(void)
{
	struct caisson_pool_config cfg = { .profile = profile, .plugin = echo };
	struct caisson_sync_result r;
	char err[256];
	caisson_sync *s = caisson_sync_new(&cfg, err, sizeof(err));

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(caisson_sync_call(s, "ping", 4, &r), CAISSON_OK);
	free(r.output);
	caisson_sync_free(s);
	no_child_left("caisson_sync_free");
}

int main(int argc, char **argv)
{
	if (argc != 3 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "usage: test_reap BUILD_DIR SOURCE_DIR (and a kernel with child subreapers)\n");
		return 2;
	}
	snprintf(echo, sizeof(echo), "%s/samples/echo.so", argv[1]);
	snprintf(busy, sizeof(busy), "%s/tests/busy.so", argv[1]);
	snprintf(profile, sizeof(profile), "%s/profiles/default.ini", argv[2]);
	test_pool(echo, 0, "caisson_pool_free of an idle pool");
	test_pool(busy, 2, "caisson_pool_free with both workers busy");
	test_sync();
	return check_done("test_reap");
}
