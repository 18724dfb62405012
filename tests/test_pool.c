/* The broker through libcaisson: every fault a worker can commit, each
 * request completing exactly once with its own status while good requests
 * in the same pool succeed; overload; cancellation; the breaker; flat fds
 * and memory over 10,000 requests; submissions from 8 threads; the
 * synchronous wrapper. argv: BUILD_DIR SOURCE_DIR. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "caisson.h"
#include "check.h"
#include "test_pool.h"


#ifdef __SANITIZE_ADDRESS__
/* ASan parks freed memory in a quarantine, which would read as growth in
 * the flatness check; without it RSS measures what is really retained,
 * and LeakSanitizer still checks every allocation at exit. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=0";
}
#endif

struct event_base *base;
char selective[1024];
static char profile[1024], hostile_init[1024];

struct expect {
	const char *input;
	enum caisson_status status;
	const char *detail; /* substring, or NULL */
};

static const struct expect faults[] = {
	{ "segv", CAISSON_CRASHED, "SIGSEGV" },
	{ "open", CAISSON_VIOLATION, "openat(" },
	{ "socket", CAISSON_VIOLATION, "socket(AF_INET" },
	{ "spin", CAISSON_CPU_LIMIT, "cpu time 100ms exceeded" },
	{ "hang", CAISSON_TIMEOUT, "wall time 1500ms exceeded" },
	{ "garbage", CAISSON_PROTOCOL_ERROR, "bad magic" },
	{ "exit", CAISSON_CRASHED, "status 3" },
	{ "abort", CAISSON_CRASHED, "SIGABRT" },
	{ "fail", CAISSON_PLUGIN_ERROR, "refused: input says fail" },
	{ "flood", CAISSON_OUTPUT_LIMIT, "output exceeded" },
	{ "twice", CAISSON_OK, NULL },
	{ "wrongid", CAISSON_PROTOCOL_ERROR, "request id" },
	{ "fds", CAISSON_PROTOCOL_ERROR, "file descriptors" },
	{ "shmlie", CAISSON_PROTOCOL_ERROR, "outside the output region" },
	{ "oklie", CAISSON_PROTOCOL_ERROR, "W_OK_SHM of 1073741824 bytes outside the output region" },
	{ "close", CAISSON_CRASHED, "exited with status 1" },
	{ "alloc", CAISSON_MEMORY_LIMIT, "memory limit 32M" },
};

struct slot slots[MAX_REQ];
_Atomic int completed;

void on_done(const struct caisson_result *r, void *arg)
{
	struct slot *s = arg;
	size_t n = strlen(s->input);

	s->got = r->status;
	s->pid = r->worker;
	snprintf(s->got_detail, sizeof(s->got_detail), "%s", r->detail ? r->detail : "");
	s->out_ok = r->status != CAISSON_OK || strcmp(s->input, "twice") == 0 ||
		    (s->big ? r->output_len == s->big_len && memcmp(r->output, s->big, s->big_len) == 0
			    : r->output_len == n && memcmp(r->output, s->input, n) == 0);
	atomic_fetch_add(&s->calls, 1);
	atomic_fetch_add(&completed, 1);
}

void wait_for(int n)
{
	while (atomic_load(&completed) < n)
		event_base_loop(base, EVLOOP_ONCE);
}

static caisson_pool *new_pool(const char *plugin, unsigned max_workers)
{
	struct caisson_pool_config c = { .profile = profile, .plugin = plugin, .max_workers = max_workers };
	char err[512];
	caisson_pool *p = caisson_pool_new(base, &c, err, sizeof(err));

	if (!p) {
		fprintf(stderr, "test_pool: %s\n", err);
		exit(1);
	}
	return p;
}

void check_slots(int n)
{
	for (int i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		if (atomic_load(&s->calls) != 1 || s->got != s->want || !s->out_ok ||
		    (s->detail && !strstr(s->got_detail, s->detail))) {
			fprintf(stderr, "request %d '%s': %d callbacks, %s '%s', wanted %s '%s'%s\n", i, s->input,
				atomic_load(&s->calls), caisson_status_name(s->got), s->got_detail,
				caisson_status_name(s->want), s->detail ? s->detail : "",
				s->out_ok ? "" : " (wrong output)");
			check_failures++;
		}
	}
}

void reset(void)
{
	memset(slots, 0, sizeof(slots));
	atomic_store(&completed, 0);
}

/* A pool of selective.so under tests/profiles/NAME; NULL (a failed check,
 * the reason on stderr) if it cannot be made. */
caisson_pool *profile_pool(const char *src, const char *name)
{
	struct caisson_pool_config c = { .plugin = selective };
	char prof[1100], err[512];
	caisson_pool *p;

	snprintf(prof, sizeof(prof), "%s/tests/profiles/%s", src, name);
	c.profile = prof;
	p = caisson_pool_new(base, &c, err, sizeof(err));
	CHECK(p != NULL);
	if (!p)
		fprintf(stderr, "test_pool: %s\n", err);
	return p;
}

/* Every fault three times, each followed by a good request, up to 40 in
 * flight. In a pipelined pool the good requests queued behind a fault in
 * the same worker must still succeed, each exactly once; but for "twice":
 * its second answer arrives while the request behind it is in hand, and
 * that one spends its retry (the worker's fault cannot be proven to be the
 * earlier request's), so two of them in a row could fail it by design. */
static void test_faults(caisson_pool *p, const char *name, bool pipelined)
{
	int n = 0;
	struct caisson_stats st;
	bool cgroup;

	if (!p)
		return;
	caisson_pool_stats(p, &st);
	cgroup = strncmp(st.memory_enforcement, "cgroup", 6) == 0;
	fprintf(stderr, "test_pool: memory enforced by %s\n", st.memory_enforcement);
	/* As root on this project's machines (v1 memory hierarchy mounted),
	 * the cgroup path must be the one that runs. */
	if (geteuid() == 0 && access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0)
		CHECK(cgroup);
	reset();
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
			struct slot *s;

			if (pipelined && !strcmp(faults[i].input, "twice"))
				continue;
			s = &slots[n++];
			snprintf(s->input, sizeof(s->input), "%s", faults[i].input);
			s->want = faults[i].status;
			s->detail = faults[i].detail;
			if (cgroup && !strcmp(s->input, "alloc"))
				s->detail = "OOM kill";
			while (n - atomic_load(&completed) > 40)
				event_base_loop(base, EVLOOP_ONCE);
			CHECK(caisson_submit(p, s->input, strlen(s->input), on_done, s) > 0);
			s = &slots[n++];
			snprintf(s->input, sizeof(s->input), "good-%d-%zu", round, i);
			s->want = CAISSON_OK;
			CHECK(caisson_submit(p, s->input, strlen(s->input), on_done, s) > 0);
		}
	wait_for(n);
	check_slots(n);
	caisson_pool_stats(p, &st);
	CHECK_INT(st.completed, (uint64_t)n);
	CHECK_INT(st.submitted, (uint64_t)n);
	CHECK_INT(st.queued, 0);
	CHECK_INT(st.busy, 0);
	CHECK(!st.failed);
	printf("faults (%s): %d requests, %llu workers spawned, %llu pipelined, p50 %llu us, p99 %llu us\n", name, n,
	       (unsigned long long)st.spawned, (unsigned long long)st.piped, (unsigned long long)st.p50_us,
	       (unsigned long long)st.p99_us);
	caisson_pool_free(p);
}

/* Too big, queue full, cancelled while queued or running, pool closed. */
static void test_refusals(void)
{
	caisson_pool *p = new_pool(selective, 1);
	static char big[(1 << 20) + 1];
	int n = 0, overloaded = 0;
	uint64_t hang_id, queued_id;

	reset();
	slots[n].want = CAISSON_INPUT_TOO_LARGE;
	snprintf(slots[n].input, sizeof(slots[n].input), "big");
	CHECK(caisson_submit(p, big, sizeof(big), on_done, &slots[n]) > 0);
	n++;
	snprintf(slots[n].input, sizeof(slots[n].input), "hang");
	slots[n].want = CAISSON_CANCELLED;
	hang_id = caisson_submit(p, "hang", 4, on_done, &slots[n++]);
	snprintf(slots[n].input, sizeof(slots[n].input), "queued");
	slots[n].want = CAISSON_CANCELLED;
	queued_id = caisson_submit(p, "queued", 6, on_done, &slots[n++]);
	/* One worker and queue 64: beyond 65 waiting, OVERLOADED at once. */
	for (int i = 0; i < 100; i++) {
		snprintf(slots[n].input, sizeof(slots[n].input), "q%d", i);
		slots[n].want = CAISSON_OK;
		CHECK(caisson_submit(p, slots[n].input, strlen(slots[n].input), on_done, &slots[n]) > 0);
		n++;
	}
	while (atomic_load(&completed) < 1 + 100 - 63)
		event_base_loop(base, EVLOOP_ONCE);
	for (int i = 3; i < n; i++)
		if (atomic_load(&slots[i].calls) && slots[i].got == CAISSON_OVERLOADED) {
			slots[i].want = CAISSON_OVERLOADED;
			overloaded++;
		}
	CHECK(overloaded >= 30);
	caisson_cancel(p, queued_id);
	caisson_cancel(p, hang_id);
	wait_for(n);
	check_slots(n);
	caisson_pool_free(p);

	/* Requests still pending when the pool closes end CANCELLED. */
	p = new_pool(selective, 1);
	reset();
	for (n = 0; n < 5; n++) {
		snprintf(slots[n].input, sizeof(slots[n].input), "hang");
		slots[n].want = CAISSON_CANCELLED;
		caisson_submit(p, "hang", 4, on_done, &slots[n]);
	}
	caisson_pool_free(p);
	check_slots(n);
}

/* A plugin whose init always fails opens the breaker instead of looping. */
static void test_breaker(void)
{
	caisson_pool *p = new_pool(hostile_init, 0);
	struct caisson_stats st;

	reset();
	snprintf(slots[0].input, sizeof(slots[0].input), "x");
	slots[0].want = CAISSON_SPAWN_FAILED;
	slots[0].detail = "caisson_plugin_init returned 7 (pool failed after 3 consecutive spawn failures)";
	caisson_submit(p, "x", 1, on_done, &slots[0]);
	wait_for(1);
	caisson_pool_stats(p, &st);
	CHECK(st.failed);
	CHECK_INT(st.spawned + 0 >= 3, 1);
	/* While failed, submissions fail at once with the reason. */
	snprintf(slots[1].input, sizeof(slots[1].input), "y");
	slots[1].want = CAISSON_SPAWN_FAILED;
	slots[1].detail = "pool failed";
	caisson_submit(p, "y", 1, on_done, &slots[1]);
	wait_for(2);
	check_slots(2);
	caisson_pool_free(p);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* kB of a line of /proc/PID/status ("VmRSS:", "RssAnon:", ...), -1 if none. */
static long status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static long rss_kb(void)
{
	return status_kb(getpid(), "VmRSS:");
}

/* Our descriptors beyond those a live worker holds, once the pool has
 * settled (nothing spawning, dying or busy for 10 ms, long enough for the
 * next worker's bulk regions to be made ahead; at most 5 s): each worker
 * of pool_test.ini holds exactly 6 (pidfd, IPC socket, listener, log pipe
 * and its two bulk regions). How many workers are alive at a given moment
 * depends on timing (a successor starts in a worker's last quarter). */
static int fds_beside_workers(caisson_pool *p)
{
	struct timeval tick = { 0, 1000 };
	struct caisson_stats st;
	int quiet = 0;

	for (int i = 0; i < 5000; i++) {
		caisson_pool_stats(p, &st);
		quiet = !st.spawning && !st.dying && !st.busy ? quiet + 1 : 0;
		if (quiet > 10)
			return count_fds() - 6 * (int)st.idle;
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	CHECK(!"pool settled within 5 s");
	return -1;
}

/* 10,000 requests, 64 in flight: fds and memory must not grow, and the
 * pool leaves no descriptor behind (the next worker's bulk regions, made
 * ahead, included). */
static void test_flat(void)
{
	int fds_before = count_fds();
	caisson_pool *p = new_pool(selective, 0);
	int fds0 = 0, inflight_max = 64;
	long rss0 = 0;

	reset();
	for (int i = 0; i < 10000; i++) {
		struct slot *s = &slots[i];
		snprintf(s->input, sizeof(s->input), "req-%d", i);
		s->want = CAISSON_OK;
		while (i - atomic_load(&completed) >= inflight_max)
			event_base_loop(base, EVLOOP_ONCE);
		if (i == 1000) {
			wait_for(1000);
			fds0 = fds_beside_workers(p);
			rss0 = rss_kb();
		}
		CHECK(caisson_submit(p, s->input, strlen(s->input), on_done, s) > 0);
	}
	wait_for(10000);
	check_slots(10000);
	{
		int fds1 = fds_beside_workers(p);

		printf("flat: fds beside the workers %d -> %d, rss %ld -> %ld kB over 9,000 requests\n", fds0, fds1,
		       rss0, rss_kb());
		CHECK_INT(fds1, fds0);
	}
	CHECK(rss_kb() - rss0 < 1024);
	caisson_pool_free(p);
	CHECK_INT(count_fds(), fds_before);
}

/* Eight threads submit while this one runs the loop. */
struct th {
	caisson_pool *p;
	int first, n;
};

static void *submitter(void *arg)
{
	struct th *t = arg;

	for (int i = t->first; i < t->first + t->n; i++)
		if (!caisson_submit(t->p, slots[i].input, strlen(slots[i].input), on_done, &slots[i]))
			abort();
	return NULL;
}

static void test_threads(void)
{
	caisson_pool *p = new_pool(selective, 2);
	pthread_t tid[8];
	struct th t[8];
	const int per = 40; /* within queue + workers: nothing is OVERLOADED */

	reset();
	for (int i = 0; i < 8 * per; i++) {
		snprintf(slots[i].input, sizeof(slots[i].input), "thread-%d", i);
		slots[i].want = CAISSON_OK;
	}
	for (int i = 0; i < 8; i++) {
		t[i] = (struct th){ p, i * per, per };
		CHECK(pthread_create(&tid[i], NULL, submitter, &t[i]) == 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(tid[i], NULL);
	wait_for(8 * per);
	for (int i = 0; i < 8 * per; i++)
		if (slots[i].got == CAISSON_OVERLOADED)
			slots[i].want = CAISSON_OVERLOADED; /* allowed: bounded queue */
	check_slots(8 * per);
	caisson_pool_free(p);
}

/* The zygote killed under a live pool: the next request still completes,
 * on a worker from a restarted zygote. */
static void test_zygote_lost(void)
{
	caisson_pool *p = new_pool(selective, 1);
	char cmd[160];
	int n = 0;

	reset();
	snprintf(slots[n].input, sizeof(slots[n].input), "before");
	slots[n].want = CAISSON_OK;
	CHECK(caisson_submit(p, slots[n].input, strlen(slots[n].input), on_done, &slots[n]) > 0);
	n++;
	wait_for(n);
	snprintf(cmd, sizeof(cmd), "pkill -KILL -P %d -x caisson-zygote", (int)getpid());
	CHECK(system(cmd) == 0);
	for (int i = 0; i < 3; i++) {
		snprintf(slots[n].input, sizeof(slots[n].input), "after-%d", i);
		slots[n].want = CAISSON_OK;
		CHECK(caisson_submit(p, slots[n].input, strlen(slots[n].input), on_done, &slots[n]) > 0);
		n++;
	}
	wait_for(n);
	check_slots(n);
	caisson_pool_free(p);
}

/* Past one message: in through the input region, out through the
 * output region, byte for byte, at three sizes; and the input region
 * stays read-only for the worker. */
static void bulk_roundtrip(caisson_sync *s, size_t size)
{
	struct caisson_sync_result r;
	uint8_t *bulk = malloc(size);

	CHECK(bulk != NULL);
	if (!bulk)
		return;
	for (size_t i = 0; i < size; i++)
		bulk[i] = (uint8_t)(i * 131 + (i >> 13));
	for (int round = 0; round < 3; round++) {
		CHECK_INT(caisson_sync_call(s, bulk, size - (size_t)round * 70001, &r), CAISSON_OK);
		CHECK(r.output_len == size - (size_t)round * 70001 && memcmp(r.output, bulk, r.output_len) == 0);
		free(r.output);
	}
	memcpy(bulk, "inwrite", 7);
	CHECK_INT(caisson_sync_call(s, bulk, size, &r), CAISSON_OK);
	CHECK(r.output_len == 7 && memcmp(r.output, "refused", 7) == 0);
	free(r.output);
	free(bulk);
}

static void test_sync(void)
{
	struct caisson_pool_config c = { .profile = profile, .plugin = selective };
	struct caisson_sync_result r;
	char err[512];
	caisson_sync *s = caisson_sync_new(&c, err, sizeof(err));

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(caisson_sync_call(s, "hello", 5, &r), CAISSON_OK);
	CHECK(r.output_len == 5 && memcmp(r.output, "hello", 5) == 0);
	free(r.output);
	CHECK_INT(caisson_sync_call(s, "segv", 4, &r), CAISSON_CRASHED);
	CHECK_INT(r.signal, SIGSEGV);
	free(r.output);
	CHECK_INT(caisson_sync_call(s, "again", 5, &r), CAISSON_OK);
	free(r.output);
	/* How close to their settings the limits fire: printed for the
	 * record (the profile's 1500ms wall, 100ms CPU), never asserted. */
	{
		struct timespec t0, t1;
		const char *what[] = { "hang", "spin" };
		const enum caisson_status want[] = { CAISSON_TIMEOUT, CAISSON_CPU_LIMIT };
		for (int i = 0; i < 2; i++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			CHECK_INT(caisson_sync_call(s, what[i], 4, &r), want[i]);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("limit: %s -> %s after %.1f ms wall (%s)\n", what[i], caisson_status_name(r.status),
			       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
			       r.detail);
			free(r.output);
		}
	}
	bulk_roundtrip(s, (1u << 20) - 7);
	caisson_sync_free(s);
}

/* caisson_submit_borrowed: the pool reads the caller's buffer in place,
 * inline and through the input region; the answers are byte for byte. */
struct lent {
	const uint8_t *in;
	size_t len;
	int done;
	bool ok;
};

static void lent_done(const struct caisson_result *r, void *arg)
{
	struct lent *l = arg;

	l->done++;
	l->ok = r->status == CAISSON_OK && r->output_len == l->len && memcmp(r->output, l->in, l->len) == 0;
}

static void test_borrowed(void)
{
	caisson_pool *p = new_pool(selective, 2);
	static uint8_t big[(1u << 20) - 7];
	struct lent l[3] = { { big, 16, 0, false }, { big, sizeof(big), 0, false }, { big + 1, 70001, 0, false } };

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)('a' + i % 23);
	for (int i = 0; i < 3; i++)
		CHECK(caisson_submit_borrowed(p, l[i].in, l[i].len, lent_done, &l[i]) > 0);
	while (l[0].done + l[1].done + l[2].done < 3)
		event_base_loop(base, EVLOOP_ONCE);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(l[i].done, 1);
		CHECK(l[i].ok);
	}
	caisson_pool_free(p);
}

/* [pool] prefault: a worker touches that much heap, input region and
 * output region before it is ready (tests/profiles/prefault.ini: 2M,
 * regions of 4M), seen in its RSS beside a worker of pool_test.ini after
 * the same small request. Then bulk echo through a pool whose every
 * second request is a worker's last, so the supervisor alternates
 * between its mappings and pwrite/pread of the regions. */
static void test_prefault(const char *src)
{
	struct caisson_pool_config c = { .plugin = selective };
	caisson_pool *plain = new_pool(selective, 1), *pre = profile_pool(src, "prefault.ini");
	char prof[1100], err[512];
	long anon[2], shmem[2];
	caisson_sync *s;

	if (!pre) {
		caisson_pool_free(plain);
		return;
	}
	reset();
	for (int i = 0; i < 2; i++) {
		snprintf(slots[i].input, sizeof(slots[i].input), "small-%d", i);
		slots[i].want = CAISSON_OK;
		CHECK(caisson_submit(i ? pre : plain, slots[i].input, strlen(slots[i].input), on_done, &slots[i]) > 0);
	}
	wait_for(2);
	check_slots(2);
	for (int i = 0; i < 2; i++) {
		anon[i] = status_kb(slots[i].pid, "RssAnon:");
		shmem[i] = status_kb(slots[i].pid, "RssShmem:");
	}
	printf("prefault: RssAnon %ld -> %ld kB, RssShmem %ld -> %ld kB\n", anon[0], anon[1], shmem[0], shmem[1]);
	CHECK(anon[0] >= 0 && shmem[0] >= 0 && anon[1] >= 0 && shmem[1] >= 0);
	CHECK(anon[1] - anon[0] >= 2048 - 64);
	CHECK(shmem[1] - shmem[0] >= 2 * 2048 - 64);
	caisson_pool_free(plain);
	caisson_pool_free(pre);

	snprintf(prof, sizeof(prof), "%s/tests/profiles/prefault.ini", src);
	c.profile = prof;
	s = caisson_sync_new(&c, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	bulk_roundtrip(s, (3u << 20) - 7);
	caisson_sync_free(s);
}

/* ppid of /proc/PID/stat, or -1. */
static pid_t stat_ppid(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* The pid of a grandchild (a worker under our zygote) with at least
 * anon_kb of RssAnon and shmem_kb of RssShmem, or 0. */
static pid_t prefaulted_worker(long anon_kb, long shmem_kb)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name), pp;

		if (pid <= 0 || (pp = stat_ppid(pid)) <= 0 || stat_ppid(pp) != getpid())
			continue;
		if (status_kb(pid, "RssAnon:") >= anon_kb && status_kb(pid, "RssShmem:") >= shmem_kb)
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

/* caisson_sync runs its pool on a thread of its own: with no call made,
 * the pool still starts its min_workers, and each one gets its bulk
 * regions (sent by the supervisor) and pre-faults them and its heap
 * (tests/profiles/prefault.ini: 2M). Waits for that up to 20 s. */
static void test_sync_background(const char *src)
{
	struct caisson_pool_config c = { .plugin = selective };
	struct caisson_sync_result r;
	char prof[1100], err[512];
	caisson_sync *s;
	pid_t w = 0;

	snprintf(prof, sizeof(prof), "%s/tests/profiles/prefault.ini", src);
	c.profile = prof;
	s = caisson_sync_new(&c, err, sizeof(err));
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "test_pool: %s\n", err);
		return;
	}
	for (int i = 0; i < 200 && !w; i++) {
		w = prefaulted_worker(2048 - 64, 2 * 2048 - 64);
		if (!w)
			usleep(100000);
	}
	printf("sync background: pre-faulted worker %d before any call\n", (int)w);
	CHECK(w > 0);
	CHECK_INT(caisson_sync_call(s, "hello", 5, &r), CAISSON_OK);
	CHECK(r.output_len == 5 && memcmp(r.output, "hello", 5) == 0);
	free(r.output);
	caisson_sync_free(s);
}

/* With "prewarm", only the prewarm test (run again as nobody by ctest).
 * With "threads", only the cross-thread tests run: the
 * ThreadSanitizer build (make tsan), whose shadow memory and slowness make
 * the timing-bound fault table and the RSS flatness check meaningless. */
/* A pool prewarmed with 24 workers, all spawned at once: every one comes
 * up, none fails. Unprivileged, every worker is the caller's user, and
 * descriptors in flight on that user once made concurrent spawns fail
 * (ETOOMANYREFS against the worker's tiny RLIMIT_NOFILE). */
static void test_prewarm(const char *src)
{
	struct caisson_stats st;
	caisson_pool *p = profile_pool(src, "prewarm.ini");

	if (!p)
		return;
	for (int i = 0; i < 600; i++) {
		struct timeval tv = { 0, 50000 };
		caisson_pool_stats(p, &st);
		if (st.idle == 24 || st.spawn_failed)
			break;
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	caisson_pool_stats(p, &st);
	printf("prewarm: %u idle, %llu spawned, %llu failed%s%s\n", st.idle, (unsigned long long)st.spawned,
	       (unsigned long long)st.spawn_failed, st.spawn_failed ? ": " : "", st.last_spawn_error);
	CHECK_INT(st.idle, 24);
	CHECK_INT(st.spawn_failed, 0);
	caisson_pool_free(p);
}

/* One caisson_sync shared by 4 threads: calls serialise on its mutex,
 * each gets its own answer. */
static caisson_sync *shared_sync;

static void *sync_thread(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (int i = 0; i < 25; i++) {
		char in[32];
		struct caisson_sync_result r;
		int n = snprintf(in, sizeof(in), "t%d-%d", t, i);
		enum caisson_status st = caisson_sync_call(shared_sync, in, (size_t)n, &r);
		if (st != CAISSON_OK || r.output_len != (size_t)n || memcmp(r.output, in, (size_t)n) != 0) {
			fprintf(stderr, "sync thread %d call %d: %s %s\n", t, i, caisson_status_name(st), r.detail);
			atomic_fetch_add(&completed, 1000000);
		}
		free(r.output);
	}
	return NULL;
}

static void test_sync_threads(void)
{
	struct caisson_pool_config c = { .profile = profile, .plugin = selective };
	char err[512];
	pthread_t tid[4];

	shared_sync = caisson_sync_new(&c, err, sizeof(err));
	CHECK(shared_sync != NULL);
	if (!shared_sync)
		return;
	reset();
	for (int t = 0; t < 4; t++)
		CHECK(pthread_create(&tid[t], NULL, sync_thread, (void *)(intptr_t)t) == 0);
	for (int t = 0; t < 4; t++)
		pthread_join(tid[t], NULL);
	CHECK_INT(atomic_load(&completed), 0);
	caisson_sync_free(shared_sync);
}

int main(int argc, char **argv)
{
	bool threads_only = argc == 4 && strcmp(argv[3], "threads") == 0;
	bool prewarm_only = argc == 4 && strcmp(argv[3], "prewarm") == 0;

	if (argc != 3 && !threads_only && !prewarm_only) {
		fprintf(stderr, "usage: test_pool BUILD_DIR SOURCE_DIR [threads|prewarm]\n");
		return 2;
	}
	snprintf(selective, sizeof(selective), "%s/tests/selective.so", argv[1]);
	snprintf(hostile_init, sizeof(hostile_init), "%s/samples/hostile_init.so", argv[1]);
	snprintf(profile, sizeof(profile), "%s/tests/profiles/pool_test.ini", argv[2]);
	base = event_base_new();
	if (!base)
		return 1;
	if (threads_only) {
		test_threads();
		test_sync_threads();
	} else if (prewarm_only) {
		test_prewarm(argv[2]);
	} else {
		test_prewarm(argv[2]);
		test_faults(new_pool(selective, 0), "pool_test.ini", false);
		test_faults(profile_pool(argv[2], "pool_pipe.ini"), "pool_pipe.ini", true);
		test_pipeline(argv[2]);
		test_refusals();
		test_breaker();
		test_sync();
		test_prefault(argv[2]);
		test_borrowed();
		test_sync_background(argv[2]);
		test_zygote_lost();
		test_threads();
		test_sync_threads();
		test_flat();
	}
	event_base_free(base);
	return check_done("test_pool");
}
