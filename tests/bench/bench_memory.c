/* Figure 6, memory per idle worker: PSS of its processes (smaps_rollup) plus the
 *      kernel memory it costs (Slab + KernelStack + PageTables from
 *      /proc/meminfo, before and after holding N of them, per-cpu
 *      counters folded first), for caisson (a pre-spawned pool of N), the
 *      clone3 probe held idle (floor), bwrap and firejail running sleep.
 *      Rounds interleave the four.
 * Runs as root for the kernel counters. Also the pre-spawned echo pools
 * figures 6 and 8 share (tests/bench/echo-prespawn.ini, max_workers = N). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"
#include "caisson.h"

#define MEM_MAX_PIDS 8192

static pid_t mem_pids[MEM_MAX_PIDS];

void bench_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int bench_echo_pool_open(const struct bench_ctx *c, struct bench_pool *m, unsigned n, double timeout_s, char *err,
			 size_t errlen)
{
	char prof[512], plugin[512];
	struct caisson_pool_config cfg = { .profile = prof, .plugin = plugin, .max_workers = n };

	snprintf(prof, sizeof(prof), "%s/tests/bench/echo-prespawn.ini", c->src);
	snprintf(plugin, sizeof(plugin), "%s/samples/echo.so", c->build);
	m->base = event_base_new();
	m->pool = m->base ? caisson_pool_new(m->base, &cfg, err, errlen) : NULL;
	if (!m->pool)
		return -1;
	if (bench_pool_wait_idle(m->base, m->pool, n, timeout_s) < 0) {
		struct caisson_stats st;

		caisson_pool_stats(m->pool, &st);
		snprintf(err, errlen, "%u of %u workers idle after %.0f s (spawned %llu, failed %llu%s%s)", st.idle, n,
			 timeout_s, (unsigned long long)st.spawned, (unsigned long long)st.spawn_failed,
			 st.failed ? ", breaker: " : "", st.failed ? st.failed_reason : "");
		return -1;
	}
	return 0;
}

void bench_echo_pool_close(struct bench_pool *m)
{
	caisson_pool_free(m->pool);
	if (m->base)
		event_base_free(m->base);
	m->pool = NULL;
	m->base = NULL;
}

int bench_pool_workers(pid_t *out, int max, pid_t *zygote)
{
	pid_t z[4];

	*zygote = -1;
	if (bench_zygotes(z, 4) != 1)
		return -1;
	*zygote = z[0];
	return bench_children(z[0], out, max);
}

static long mem_pss_sum(const pid_t *pids, int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++) {
		long k = bench_pss_kib(pids[i]);

		sum += k > 0 ? k : 0;
	}
	return sum;
}

void bench_wait_gone(const pid_t *pids, int n)
{
	for (int tries = 0; tries < 500; tries++) {
		int alive = 0;

		for (int i = 0; i < n && !alive; i++)
			alive = bench_alive(pids[i]);
		if (!alive)
			return;
		bench_sleep_ms(10);
	}
}

struct mem_one {
	double pss, kern, percpu; /* KiB per sandbox */
};

static int mem_caisson(const struct bench_ctx *c, unsigned n, struct mem_one *o, char *err, size_t errlen)
{
	struct bench_pool m = { 0 };
	long k0 = bench_kernel_kib(), p0 = bench_meminfo_kib("Percpu:");
	pid_t zygote;
	int nw;

	if (bench_echo_pool_open(c, &m, n, 60, err, errlen) < 0) {
		bench_echo_pool_close(&m);
		return -1;
	}
	nw = bench_pool_workers(mem_pids, MEM_MAX_PIDS, &zygote);
	o->pss = (double)mem_pss_sum(mem_pids, nw > 0 ? nw : 0) / n;
	o->kern = (double)(bench_kernel_kib() - k0) / n;
	o->percpu = (double)(bench_meminfo_kib("Percpu:") - p0) / n;
	bench_echo_pool_close(&m);
	bench_wait_gone(mem_pids, nw > 0 ? nw : 0);
	if (nw != (int)n) {
		snprintf(err, errlen, "found %d workers under the zygote, expected %u", nw, n);
		return -1;
	}
	return 0;
}

static int mem_probe(struct bench_probe *p, unsigned n, struct mem_one *o)
{
	long k0 = bench_kernel_kib(), p0 = bench_meminfo_kib("Percpu:");
	unsigned held = 0;

	for (; held < n && held < MEM_MAX_PIDS; held++)
		if ((mem_pids[held] = bench_probe_hold(p)) <= 0)
			break;
	o->pss = (double)mem_pss_sum(mem_pids, (int)held) / n;
	o->kern = (double)(bench_kernel_kib() - k0) / n;
	o->percpu = (double)(bench_meminfo_kib("Percpu:") - p0) / n;
	bench_probe_release(p);
	return held == n ? 0 : -1;
}

/* True once the tree under root runs sleep (the sandbox is up). */
static int mem_tree_ready(pid_t root)
{
	pid_t t[16];
	int k = bench_descendants(root, t, 16);

	for (int i = 1; i < k; i++)
		if (bench_comm_is(t[i], "sleep"))
			return 1;
	return 0;
}

/* n copies of a peer running sleep; every process of each tree counts. */
static int mem_peer(const struct bench_cmd *cmd, unsigned n, struct mem_one *o)
{
	pid_t roots[256];
	long k0 = bench_kernel_kib(), p0 = bench_meminfo_kib("Percpu:"), pss = 0;
	int np = 0, ok = 1;

	for (unsigned i = 0; i < n && i < 256; i++)
		if ((roots[i] = bench_cmd_start(cmd, -1)) < 0)
			return -1;
	for (unsigned i = 0; i < n && ok; i++) {
		int tries = 0;

		while (!mem_tree_ready(roots[i]) && tries++ < 1000)
			bench_sleep_ms(10);
		ok = tries <= 1000;
	}
	for (unsigned i = 0; i < n; i++) {
		int k = bench_descendants(roots[i], mem_pids + np, MEM_MAX_PIDS - np);

		pss += mem_pss_sum(mem_pids + np, k);
		np += k;
	}
	o->pss = (double)pss / n;
	o->kern = (double)(bench_kernel_kib() - k0) / n;
	o->percpu = (double)(bench_meminfo_kib("Percpu:") - p0) / n;
	for (int i = np - 1; i >= 0; i--)
		kill(mem_pids[i], SIGKILL);
	for (unsigned i = 0; i < n; i++)
		waitpid(roots[i], NULL, 0);
	bench_wait_gone(mem_pids, np);
	return ok ? 0 : -1;
}

/* Whether the peer runs at all, checked with /bin/true (sleep would not
 * return); the reason lands in cmd->unavailable. */
static void mem_check(struct bench_cmd *cmd, int firejail)
{
	static const char *const prog[] = { "/bin/true", NULL };
	struct bench_cmd t;

	if (firejail)
		bench_firejail_cmd(&t, prog);
	else
		bench_bwrap_cmd(&t, NULL, prog);
	if (bench_cmd_check(&t) < 0)
		snprintf(cmd->unavailable, sizeof(cmd->unavailable), "%s", t.unavailable);
}

static void mem_add(struct bench_samples *s, const struct mem_one *o, struct mem_one *last)
{
	bench_add(s, o->pss + o->kern);
	*last = *o;
}

void bench_fig_memory(struct bench_ctx *c)
{
	static const char *const sleep_prog[] = { "/bin/sleep", "3600", NULL };
	struct bench_row *r = bench_row_new(c, "6", "memory per idle worker: PSS + kernel", "KiB");
	struct bench_samples s[4] = { { 0 } }; /* caisson, probe, bwrap, firejail */
	struct mem_one o, last[4];
	struct bench_cmd bwrap, firejail;
	struct bench_probe probe;
	char err[512] = "";
	unsigned n = c->quick ? 3 : 32;
	int rounds = c->quick ? 1 : 3;

	memset(last, 0, sizeof(last));
	snprintf(r->target, sizeof(r->target), "<= 350 KiB");
	bench_bwrap_cmd(&bwrap, NULL, sleep_prog);
	bench_firejail_cmd(&firejail, sleep_prog);
	mem_check(&bwrap, 0);
	mem_check(&firejail, 1);
	if (bench_probe_start(c, &probe) < 0) {
		snprintf(r->note, sizeof(r->note), "cannot start bench_probe");
		return;
	}
	for (int i = 0; i < rounds; i++) {
		if (mem_caisson(c, n, &o, err, sizeof(err)) == 0)
			mem_add(&s[0], &o, &last[0]);
		if (mem_probe(&probe, n, &o) == 0)
			mem_add(&s[1], &o, &last[1]);
		if (!bwrap.unavailable[0] && mem_peer(&bwrap, n, &o) == 0)
			mem_add(&s[2], &o, &last[2]);
		if (!firejail.unavailable[0] && mem_peer(&firejail, n, &o) == 0)
			mem_add(&s[3], &o, &last[3]);
	}
	bench_probe_stop(&probe);
	bench_row_samples(r, &s[0]);
	bench_row_floor(r, "clone3 probe held idle (7 namespaces, empty root, filter)", bench_pct(&s[1], 0.5));
	bench_row_peer(r, "bwrap", &bwrap, bwrap.unavailable[0] ? NULL : &s[2]);
	bench_row_peer(r, "firejail", &firejail, firejail.unavailable[0] ? NULL : &s[3]);
	r->met = r->p50 <= 350;
	snprintf(r->note, sizeof(r->note),
		 "%u sandboxes per round, %d rounds. last round PSS+kernel KiB: caisson %.0f+%.0f, probe %.0f+%.0f, "
		 "bwrap %.0f+%.0f, firejail %.0f+%.0f; not counted, Percpu KiB: caisson %.0f, probe %.0f%s%.200s",
		 n, rounds, last[0].pss, last[0].kern, last[1].pss, last[1].kern, last[2].pss, last[2].kern,
		 last[3].pss, last[3].kern, last[0].percpu, last[1].percpu, err[0] ? "; caisson: " : "", err);
	for (int i = 0; i < 4; i++)
		bench_samples_free(&s[i]);
}
