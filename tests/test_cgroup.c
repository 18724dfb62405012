/* Per-worker cgroups. The v2 file protocol runs against a directory tree
 * laid out like a delegated cgroup2 subtree (the kernel files pre-created),
 * so it is exercised even on hosts, like this project's, whose memory
 * controller is bound to v1. Then the real host: which path cg_setup()
 * chose is printed, and as root on a host with the v1 memory hierarchy it
 * must be usable. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/cgroup.h"
#include "check.h"

static char tmp[] = "/tmp/caisson-cg.XXXXXX";

static void put(const char *dir, const char *file, const char *val)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

static void get(const char *dir, const char *file, char *out, size_t len)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	out[0] = '\0';
	f = fopen(p, "r");
	if (f) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		fclose(f);
	}
}

static void test_v2_protocol(void)
{
	char own[1024], pool[2048], w[3072], v[64];
	struct cg c;

	snprintf(own, sizeof(own), "%s/svc", tmp);
	CHECK(mkdir(own, 0755) == 0);
	put(own, "cgroup.controllers", "cpu memory pids\n");
	put(own, "cgroup.subtree_control", "");
	/* cg_setup_at's first pool directory is caisson.<pid>.1. */
	snprintf(pool, sizeof(pool), "%s/caisson.%d.1", own, (int)getpid());
	CHECK(mkdir(pool, 0755) == 0);
	put(pool, "cgroup.subtree_control", "");
	snprintf(w, sizeof(w), "%s/w3", pool);
	CHECK(mkdir(w, 0755) == 0);
	put(w, "memory.max", "");
	put(w, "memory.swap.max", "");
	put(w, "pids.max", "");
	put(w, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");

	cg_setup_at(&c, CG_V2, tmp, "", "/svc", false);
	CHECK_INT(c.ver, CG_V2);
	CHECK_STR(c.dirs[0], pool);
	get(own, "cgroup.subtree_control", v, sizeof(v));
	CHECK(strstr(v, "+memory") || strstr(v, "+pids")); /* the last write wins in a plain file */
	CHECK_INT(cg_worker_create(&c, 3, 32u << 20, 8, v, sizeof(v)), 0);
	get(w, "memory.max", v, sizeof(v));
	CHECK_STR(v, "33554432");
	get(w, "memory.swap.max", v, sizeof(v));
	CHECK_STR(v, "0");
	get(w, "pids.max", v, sizeof(v));
	CHECK_STR(v, "8");
	CHECK_INT(cg_worker_oom_kills(&c, 3), 0);
	put(w, "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
	CHECK_INT(cg_worker_oom_kills(&c, 3), 1);
	/* Reusable only while empty. */
	put(w, "cgroup.procs", "");
	CHECK(cg_worker_empty(&c, 3));
	put(w, "cgroup.procs", "4242\n");
	CHECK(!cg_worker_empty(&c, 3));
	CHECK(!cg_worker_empty(&c, 4));

	/* Without the memory controller delegated, v2 is refused with why. */
	put(own, "cgroup.controllers", "cpu pids\n");
	cg_setup_at(&c, CG_V2, tmp, "", "/svc", false);
	CHECK_INT(c.ver, CG_NONE);
	CHECK(strstr(c.why, "memory controller not delegated") != NULL);
}

/* A flat pool (one worker): no controller enabled below the pool's
 * directory, the limits written into it, no wN, nothing removed per slot. */
static void test_v2_flat(void)
{
	char own[1024], w[3072], v[64];
	struct cg c;

	snprintf(own, sizeof(own), "%s/svc", tmp);
	put(own, "cgroup.controllers", "cpu memory pids\n");
	cg_setup_at(&c, CG_V2, tmp, "", "/svc", true);
	CHECK_INT(c.ver, CG_V2);
	CHECK(c.flat);
	CHECK(access(c.dirs[0], F_OK) == 0);
	snprintf(w, sizeof(w), "%s/cgroup.subtree_control", c.dirs[0]);
	CHECK(access(w, F_OK) < 0);
	put(c.dirs[0], "memory.max", "");
	put(c.dirs[0], "memory.swap.max", "");
	put(c.dirs[0], "pids.max", "");
	put(c.dirs[0], "memory.events", "oom_kill 2\n");
	CHECK_INT(cg_worker_create(&c, 5, 16u << 20, 8, v, sizeof(v)), 0);
	get(c.dirs[0], "memory.max", v, sizeof(v));
	CHECK_STR(v, "16777216");
	get(c.dirs[0], "memory.swap.max", v, sizeof(v));
	CHECK_STR(v, "0");
	get(c.dirs[0], "pids.max", v, sizeof(v));
	CHECK_STR(v, "8");
	snprintf(w, sizeof(w), "%s/w5", c.dirs[0]);
	CHECK(access(w, F_OK) < 0);
	CHECK_INT(cg_worker_oom_kills(&c, 5), 2);
	put(c.dirs[0], "cgroup.procs", "");
	CHECK(cg_worker_empty(&c, 5));
	cg_worker_remove(&c, 5);
	CHECK(access(c.dirs[0], F_OK) == 0);
}

/* As root on a v1 host, a flat pool's limits are on the directory the
 * worker joins: memory (and swap) and pids. */
static void test_host_flat(void)
{
	char err[256], v[64];
	struct cg c;

	if (geteuid() != 0 || access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) != 0)
		return;
	cg_setup(&c, true);
	CHECK_INT(c.ver, CG_V1);
	CHECK_INT(cg_worker_create(&c, 7, 48u << 20, 8, err, sizeof(err)), 0);
	get(c.dirs[0], "memory.limit_in_bytes", v, sizeof(v));
	CHECK_STR(v, "50331648\n");
	if (c.dirs[1][0]) {
		get(c.dirs[1], "pids.max", v, sizeof(v));
		CHECK_STR(v, "8\n");
	}
	CHECK_INT(cg_worker_oom_kills(&c, 7), 0);
	CHECK(cg_worker_empty(&c, 7));
	cg_worker_remove(&c, 7);
	CHECK(access(c.dirs[0], F_OK) == 0);
	cg_teardown(&c);
	CHECK(c.ver == CG_NONE);
}

static void test_host(void)
{
	struct cg c;
	char err[256];

	cg_setup(&c, false);
	fprintf(stderr, "test_cgroup: this host: %s%s%s\n", cg_name(&c), c.ver ? " at " : " — ", c.ver ? c.dirs[0] : c.why);
	if (geteuid() == 0 && access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0) {
		CHECK(c.ver != CG_NONE);
		if (c.ver == CG_V1) {
			char dir[4200], v[64];
			CHECK_INT(cg_worker_create(&c, 7, 48u << 20, 8, err, sizeof(err)), 0);
			snprintf(dir, sizeof(dir), "%s/w7", c.dirs[0]);
			get(dir, "memory.limit_in_bytes", v, sizeof(v));
			CHECK_STR(v, "50331648\n");
			CHECK_INT(cg_worker_oom_kills(&c, 7), 0);
			CHECK(cg_worker_empty(&c, 7));
			cg_worker_remove(&c, 7);
			CHECK(access(dir, F_OK) < 0);
		}
	}
	cg_teardown(&c);
	CHECK(c.ver == CG_NONE);
}

/* The stale rule: a dead owner, or a pid reused by a process that started
 * after the directory was made, is gone; a process that started before it
 * is the owner. */
static void test_stale_rule(void)
{
	const uint64_t s = 1000000000ull;

	CHECK(cg_stale_owner_gone(false, 0, 100 * s));
	CHECK(cg_stale_owner_gone(false, 50 * s, 100 * s));
	CHECK(!cg_stale_owner_gone(true, 50 * s, 100 * s));
	CHECK(!cg_stale_owner_gone(true, 100 * s + s / 2, 100 * s)); /* within the clock slack: kept */
	CHECK(cg_stale_owner_gone(true, 102 * s, 100 * s));
}

/* A pid that no process has: a child's, once reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* On the real host, under every hierarchy where pools make directories:
 * one of a dead owner, with a worker directory, is removed; one of our
 * parent's (a live owner that started before it) is left. */
static void test_stale_sweep(void)
{
	char parents[CG_MAX_PARENTS][WK_PATH_MAX], dead[4096], deadw[4200], live[4096];
	int n = cg_parents(parents), made = 0;
	pid_t gone = dead_pid();

	for (int i = 0; i < n; i++) {
		snprintf(dead, sizeof(dead), "%s/caisson.%d.77", parents[i], (int)gone);
		snprintf(deadw, sizeof(deadw), "%s/w3", dead);
		snprintf(live, sizeof(live), "%s/caisson.%d.78", parents[i], (int)getppid());
		if (mkdir(dead, 0755) < 0) {
			fprintf(stderr, "test_cgroup: no stale sweep test under %s: %s\n", parents[i], strerror(errno));
			continue;
		}
		made++;
		CHECK(mkdir(deadw, 0755) == 0);
		CHECK(mkdir(live, 0755) == 0);
		cg_sweep_stale();
		CHECK(access(dead, F_OK) < 0);
		CHECK(access(live, F_OK) == 0);
		rmdir(live);
	}
	/* As root on this project's hosts the hierarchies are writable. */
	if (geteuid() == 0 && access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0)
		CHECK(made > 0);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_v2_protocol();
	test_v2_flat();
	test_host();
	test_host_flat();
	test_stale_rule();
	test_stale_sweep();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", tmp, (char *)NULL);
	return check_done("test_cgroup");
}
