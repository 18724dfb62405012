/* Pools at the host's limits (issue 21): a pool asked for more workers
 * than a pids cgroup (pids.max) or the descriptor limit (RLIMIT_NOFILE)
 * allows keeps answering with the workers it has, never opens its breaker,
 * names what ran out ("process limit (pids cgroup, max N)", "out of file
 * descriptors (limit N; ...)"), and backs off: its spawn attempts are
 * bounded by the backoff timers that elapsed. Each case runs in a child
 * process (a fresh library: its cgroup placement is read once). Root only:
 * it creates a v1 pids cgroup caisson-test-limits.<pid> and removes it;
 * fails loudly where the kernel cannot.
 * usage: test_limits BUILD_DIR SOURCE_DIR */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "caisson.h"
#include "check.h"

#define TL_PIDS_ROOT "/sys/fs/cgroup/pids"
#define TL_PIDS_MAX 8   /* the test process, its zygote and 6 workers */
#define TL_NOFILE 40    /* about 7 workers of 4 descriptors, with the pool's own */
#define TL_WORKERS 12   /* limits.ini min_workers */
#define TL_BACKOFF_MIN_MS 10u
#define TL_BACKOFF_MAX_MS 5000u

static struct event_base *base;
static char plugin[1024], profile[1024];
static int answered, wrong;

static uint64_t tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void tl_run_ms(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void tl_done(const struct caisson_result *r, void *arg)
{
	const char *in = arg;

	answered++;
	if (r->status != CAISSON_OK || r->output_len != strlen(in) || memcmp(r->output, in, r->output_len) != 0) {
		fprintf(stderr, "request '%s': %s %s\n", in, caisson_status_name(r->status), r->detail);
		wrong++;
	}
}

/* The most backoff timers that can elapse in ms milliseconds: the
 * schedule is 10 ms doubling to 5 s, each waited out in full. */
static uint64_t tl_max_backoffs(uint64_t ms)
{
	uint64_t n = 0, wait = TL_BACKOFF_MIN_MS, spent = 0;

	while (spent + wait <= ms) {
		spent += wait;
		n++;
		wait = wait * 2 < TL_BACKOFF_MAX_MS ? wait * 2 : TL_BACKOFF_MAX_MS;
	}
	return n;
}

/* A pool of limits.ini: waits until it has met the limit a few times with
 * workers ready, then has them answer 32 requests, and checks what the
 * pool says and how often it tried. */
static void tl_pool_at_limit(const char *want)
{
	static char inputs[32][16];
	struct caisson_pool_config c = { .profile = profile, .plugin = plugin };
	struct caisson_stats st;
	char err[512];
	uint64_t t0 = tl_now_ms(), elapsed;
	caisson_pool *p;
	int i;

	base = event_base_new();
	p = base ? caisson_pool_new(base, &c, err, sizeof(err)) : NULL;
	if (!p) {
		fprintf(stderr, "test_limits: pool: %s\n", base ? err : "event base");
		exit(1);
	}
	for (i = 0; i < 600; i++) {
		caisson_pool_stats(p, &st);
		if (st.limit_failures >= 4 && st.idle >= 1 && st.spawning == 0)
			break;
		tl_run_ms(50);
	}
	caisson_pool_stats(p, &st);
	printf("at the limit: %u idle, %llu spawned, %llu attempts, %llu at the limit, %llu backoffs: %s; %s\n",
	       st.idle, (unsigned long long)st.spawned, (unsigned long long)st.spawn_attempts,
	       (unsigned long long)st.limit_failures, (unsigned long long)st.backoffs, st.limit, st.last_spawn_error);
	CHECK(st.limit_failures >= 4);
	CHECK(st.idle >= 1 && st.idle < TL_WORKERS);
	CHECK(!st.failed);
	CHECK(strstr(st.limit, want) != NULL);
	CHECK(strstr(st.last_spawn_error, want) != NULL);
	CHECK(strstr(st.nofile, "RLIMIT_NOFILE: ") != NULL);
	for (i = 0; i < 32; i++) {
		snprintf(inputs[i], sizeof(inputs[i]), "req%d", i);
		CHECK(caisson_submit(p, inputs[i], strlen(inputs[i]), tl_done, inputs[i]) > 0);
	}
	for (i = 0; i < 600 && answered < 32; i++)
		tl_run_ms(50);
	CHECK_INT(answered, 32);
	CHECK_INT(wrong, 0);
	/* A second more at the limit with nothing to do: retries only at the
	 * backoff's pace. */
	tl_run_ms(1000);
	caisson_pool_stats(p, &st);
	elapsed = tl_now_ms() - t0;
	CHECK(!st.failed);
	/* No storm: before the first failure one spawn per worker asked for
	 * (TL_WORKERS, all in flight at once); after it, each attempt waits
	 * for a backoff to elapse, a worker lost while starting counting at
	 * once (nothing frees the limit here, no worker is recycled), and
	 * backoffs double from 10 ms. */
	printf("bounds: %llu attempts <= %u + %llu backoffs; %llu backoffs <= %llu in %llu ms\n",
	       (unsigned long long)st.spawn_attempts, TL_WORKERS, (unsigned long long)st.backoffs,
	       (unsigned long long)st.backoffs, (unsigned long long)tl_max_backoffs(elapsed),
	       (unsigned long long)elapsed);
	CHECK(st.spawn_attempts <= TL_WORKERS + st.backoffs);
	CHECK(st.backoffs <= tl_max_backoffs(elapsed));
	caisson_pool_free(p);
	event_base_free(base);
}

static int tl_write(const char *dir, const char *file, const char *text)
{
	char path[512];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (!ok)
		fprintf(stderr, "test_limits: write %s to %s: %s\n", text, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Runs fn in a child; its CHECK failures become its exit status. */
static void tl_in_child(const char *name, void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		fflush(NULL);
		_exit(check_failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test_limits: %s failed\n", name);
		check_failures++;
	}
}

static void tl_pids_case(void *dir)
{
	char pid[32], want[64];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (tl_write(dir, "cgroup.procs", pid) < 0)
		exit(1);
	snprintf(want, sizeof(want), "process limit (pids cgroup, max %d)", TL_PIDS_MAX);
	tl_pool_at_limit(want);
}

static void tl_nofile_case(void *unused)
{
	struct rlimit rl = { TL_NOFILE, TL_NOFILE };
	char want[96];

	/* Soft and hard: the pool would raise a lower soft limit to the hard one. */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fprintf(stderr, "test_limits: setrlimit: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(want, sizeof(want), "out of file descriptors (limit %d; each worker needs 4)", TL_NOFILE);
	tl_pool_at_limit(want);
}

/* A pids cgroup of ours, pids.max TL_PIDS_MAX, with the child running the
 * pool in a subdirectory: the pool's cgroups go beside that (inside ours),
 * as a container's would under its limit. */
static void tl_pids(void)
{
	char top[256], sv[300], max[16];
	struct stat sb;

	if (stat(TL_PIDS_ROOT, &sb) < 0) {
		fprintf(stderr, "test_limits: FAILED: no v1 pids hierarchy at %s (%s): this kernel cannot run the "
				"pids-limit test\n", TL_PIDS_ROOT, strerror(errno));
		check_failures++;
		return;
	}
	snprintf(top, sizeof(top), "%s/caisson-test-limits.%d", TL_PIDS_ROOT, (int)getpid());
	snprintf(sv, sizeof(sv), "%s/sv", top);
	snprintf(max, sizeof(max), "%d", TL_PIDS_MAX);
	if (mkdir(top, 0755) < 0 || mkdir(sv, 0755) < 0 || tl_write(top, "pids.max", max) < 0) {
		fprintf(stderr, "test_limits: FAILED: cannot make the pids cgroup %s: %s\n", top, strerror(errno));
		check_failures++;
	} else {
		tl_in_child("pool under pids.max", tl_pids_case, sv);
	}
	/* The child is gone, its pool's directories with it: ours must go. */
	if ((rmdir(sv) < 0 && errno != ENOENT) || (rmdir(top) < 0 && errno != ENOENT)) {
		fprintf(stderr, "test_limits: cannot remove %s: %s\n", top, strerror(errno));
		check_failures++;
	}
}

int main(int argc, char **argv)
{
	bool nofile_only = argc == 4 && !strcmp(argv[3], "nofile");

	if (argc != 3 && !nofile_only) {
		fprintf(stderr, "usage: test_limits BUILD_DIR SOURCE_DIR [nofile]\n");
		return 2;
	}
	/* The pids case makes a cgroup: root's. The descriptor case runs as
	 * anyone (as_user.sh runs it as nobody: test_limits_unprivileged). */
	if (!nofile_only && geteuid() != 0) {
		fprintf(stderr, "test_limits: FAILED: the pids case needs root (it makes a pids cgroup); "
				"'nofile' runs the descriptor case alone\n");
		return 1;
	}
	snprintf(plugin, sizeof(plugin), "%s/tests/selective.so", argv[1]);
	snprintf(profile, sizeof(profile), "%s/tests/profiles/limits.ini", argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tl_in_child("pool under RLIMIT_NOFILE", tl_nofile_case, NULL);
	if (!nofile_only)
		tl_pids();
	return check_done("test_limits");
}
