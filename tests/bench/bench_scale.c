/* Figure 8, scale: live workers held by one supervisor and its RSS growth
 * per worker. The supervisor is a forked child of caisson_bench, so that a
 * pool that never gets all its workers ready (or deadlocks) is observed
 * from outside and killed, not waited for:
 *   8a one pool asked for 1,000 pre-spawned workers
 *   8b the same process asking in stages: 8 pools of 125, each pool
 *      waited for before the next one starts
 *   8c RSS growth per worker of the supervisor, from the run that held the
 *      most workers
 *   8d toward 10,000 workers in one supervisor: pools of 1,000 (a pool's
 *      cap: [pool] max_workers 1..1024) while the hard RLIMIT_NOFILE
 *      leaves room for them, the last one sized to what is left; the
 *      time to prewarm them, RSS and descriptors per worker */
#include <dirent.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define SCALE_MAX_POOLS 8
#define SCALE_BIG_POOLS 10 /* 8d: 10 x 1,000 */
#define SCALE_MAX_PIDS 16384
#define SCALE_FDS_SPARE 64 /* 8d: descriptors kept free beside the workers' */
#define SCALE_STALL_S 10

struct scale_result {
	int alive;          /* workers alive under this supervisor's zygotes */
	long rss0, rss1;    /* supervisor VmRSS before the pools and with all workers */
	long kern0, kern1;  /* bench_kernel_kib() at the same two points */
	long zygote_rss;    /* KiB, summed over zygotes */
	int fds0, fds1;     /* the supervisor's open descriptors at the same two points */
	unsigned asked;     /* workers asked for, over all pools */
	unsigned long long nofile_hard;
	double seconds;
	char err[300];
};

static pid_t scale_pids[SCALE_MAX_PIDS];

/* Workers of every zygote of supervisor sup; with zrss, their zygotes' RSS. */
static int scale_count(pid_t sup, long *zrss)
{
	pid_t kids[64];
	int nk = bench_children(sup, kids, 64), n = 0;

	*zrss = 0;
	for (int i = 0; i < nk; i++) {
		int k;

		if (!bench_comm_is(kids[i], "caisson-zygote"))
			continue;
		*zrss += bench_status_num(kids[i], "VmRSS:");
		k = bench_children(kids[i], scale_pids + n, SCALE_MAX_PIDS - n);
		n += k > 0 ? k : 0;
	}
	return n;
}

static int scale_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 3; /* ".", ".." and the directory's own */
}

/* 8d: how many of want more workers the hard descriptor limit leaves
 * room for, at HL_FDS_PER_WORKER (4) each. */
static unsigned scale_fit(unsigned want, unsigned long long hard)
{
	long room = (long)((long long)hard - scale_fds() - SCALE_FDS_SPARE) / 4;

	return room <= 0 ? 0 : (unsigned)room < want ? (unsigned)room : want;
}

/* The supervisor child: pools of per_pool workers each, then reports;
 * fit: each pool sized to what the hard descriptor limit leaves (8d). */
static void scale_child(const struct bench_ctx *c, int npools, unsigned per_pool, bool fit, int fd)
{
	static struct bench_pool pools[SCALE_BIG_POOLS];
	struct scale_result r;
	struct rlimit rl;
	double t0 = bench_now_us();
	int i = 0;

	memset(&r, 0, sizeof(r));
	r.rss0 = bench_status_num(getpid(), "VmRSS:");
	r.kern0 = bench_kernel_kib();
	r.fds0 = scale_fds();
	r.nofile_hard = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long long)rl.rlim_max : 0;
	for (; i < npools; i++) {
		unsigned n = fit ? scale_fit(per_pool, r.nofile_hard) : per_pool;

		if (n == 0)
			break;
		r.asked += n;
		if (bench_echo_pool_open(c, &pools[i], n, 300, r.err, sizeof(r.err)) < 0)
			break;
	}
	r.seconds = (bench_now_us() - t0) / 1e6;
	r.rss1 = bench_status_num(getpid(), "VmRSS:");
	r.kern1 = bench_kernel_kib();
	r.fds1 = scale_fds();
	r.alive = scale_count(getpid(), &r.zygote_rss);
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	for (int k = 0; k <= i && k < npools; k++)
		bench_echo_pool_close(&pools[k]);
	_exit(0);
}

/* Where pid sleeps in the kernel ("?" when unknown). */
static void scale_wchan(pid_t pid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(out, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	if (!fgets(out, (int)len, f) || !out[0])
		snprintf(out, len, "?");
	fclose(f);
}

/* Waits for the child's answer: 1 when it came; 0 after timeout_s, or
 * once its worker count stopped growing for SCALE_STALL_S seconds. */
static int scale_wait(pid_t pid, struct pollfd *pfd, int timeout_s)
{
	int last = -1, still = 0;
	long zrss;

	for (int s = 0; s < timeout_s && still < SCALE_STALL_S; s++) {
		int n;

		if (poll(pfd, 1, 1000) == 1)
			return 1;
		n = scale_count(pid, &zrss);
		still = n == last ? still + 1 : 0;
		last = n;
	}
	return 0;
}

/* Runs one attempt with a deadline; when it is stuck, says where the
 * supervisor was blocked and counts what it held. */
static void scale_run(const struct bench_ctx *c, int npools, unsigned per_pool, bool fit, int timeout_s,
		      struct scale_result *r)
{
	struct pollfd pfd;
	int p[2], n = 0;
	long zrss;
	double t0 = bench_now_us();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		scale_child(c, npools, per_pool, fit, p[1]);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (pid > 0 && scale_wait(pid, &pfd, timeout_s) == 1 && read(p[0], r, sizeof(*r)) == sizeof(*r)) {
		n = scale_count(pid, &zrss); /* the pids to wait for */
	} else if (pid > 0) {
		char sup[64], zyg[64];
		pid_t kids[8];
		int nk = bench_children(pid, kids, 8);

		zyg[0] = '\0';
		for (int i = 0; i < nk && !zyg[0]; i++)
			if (bench_comm_is(kids[i], "caisson-zygote"))
				scale_wchan(kids[i], zyg, sizeof(zyg));
		scale_wchan(pid, sup, sizeof(sup));
		r->alive = n = scale_count(pid, &r->zygote_rss);
		r->seconds = (bench_now_us() - t0) / 1e6;
		snprintf(r->err, sizeof(r->err),
			 "stuck: no new worker for %d s, %d workers alive; blocked in: supervisor %s, zygote %s",
			 SCALE_STALL_S, r->alive, sup, zyg[0] ? zyg : "?");
	}
	close(p[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	bench_wait_gone(scale_pids, n);
}

/* 8d: toward 10,000 workers, as far as the hard descriptor limit goes. */
static void scale_big(struct bench_ctx *c)
{
	struct bench_row *d = bench_row_new(c, "8d", "scale: live workers toward 10,000, pools of 1000", "workers");
	unsigned per_pool = c->quick ? 8 : 1000, npools = c->quick ? 2 : SCALE_BIG_POOLS;
	struct scale_result r;
	double per_rss, per_fds;

	scale_run(c, (int)npools, per_pool, true, c->quick ? 30 : 900, &r);
	d->higher_better = true;
	d->p50 = d->p99 = r.alive;
	d->iterations = 1;
	per_rss = r.alive ? (double)(r.rss1 - r.rss0) / r.alive : NAN;
	per_fds = r.alive ? (double)(r.fds1 - r.fds0) / r.alive : NAN;
	snprintf(d->target, sizeof(d->target), "all the hard limit allows; RSS <= 4 KiB, <= 4 fds per worker");
	d->met = r.alive > 0 && (unsigned)r.alive >= r.asked && per_rss <= 4 && per_fds <= 4.5;
	snprintf(d->note, sizeof(d->note),
		 "asked for %u (pools of %u while RLIMIT_NOFILE hard %llu leaves room); prewarm %.1f s; supervisor "
		 "RSS %.2f KiB and %.2f descriptors per worker (%d -> %d); zygotes' RSS %ld KiB%s%.150s",
		 r.asked, per_pool, r.nofile_hard, r.seconds, per_rss, per_fds, r.fds0, r.fds1, r.zygote_rss,
		 r.err[0] ? "; " : "", r.err);
}

void bench_fig_scale(struct bench_ctx *c)
{
	struct bench_row *a = bench_row_new(c, "8a", "scale: live workers, one pool of 1000", "workers");
	struct bench_row *b = bench_row_new(c, "8b", "scale: live workers, 8 pools x 125, one process", "workers");
	struct bench_row *m = bench_row_new(c, "8c", "scale: supervisor RSS growth per worker", "KiB");
	unsigned total = c->quick ? 16 : 1000;
	struct scale_result one, staged;
	const struct scale_result *best;

	scale_run(c, 1, total, false, c->quick ? 30 : 150, &one);
	scale_run(c, SCALE_MAX_POOLS, total / SCALE_MAX_POOLS, false, c->quick ? 30 : 150, &staged);
	a->higher_better = b->higher_better = true;
	a->p50 = a->p99 = one.alive;
	b->p50 = b->p99 = staged.alive;
	a->iterations = b->iterations = m->iterations = 1;
	snprintf(a->target, sizeof(a->target), ">= 1000 live workers");
	snprintf(b->target, sizeof(b->target), ">= 1000 live workers");
	a->met = one.alive >= 1000;
	b->met = staged.alive >= 1000;
	snprintf(a->note, sizeof(a->note), "asked for %u; %.1f s; zygote RSS %ld KiB%s%s", total, one.seconds,
		 one.zygote_rss, one.err[0] ? "; " : "", one.err);
	snprintf(b->note, sizeof(b->note), "asked for %u x %u; %.1f s; zygotes' RSS %ld KiB%s%s", SCALE_MAX_POOLS,
		 total / SCALE_MAX_POOLS, staged.seconds, staged.zygote_rss, staged.err[0] ? "; " : "", staged.err);
	best = one.alive >= staged.alive && one.rss1 ? &one : &staged;
	m->p50 = m->p99 = best->alive && best->rss1 ? (double)(best->rss1 - best->rss0) / best->alive : NAN;
	snprintf(m->target, sizeof(m->target), "<= 16 KiB per worker");
	m->met = m->p50 <= 16;
	snprintf(m->note, sizeof(m->note),
		 "from %s: supervisor VmRSS %ld -> %ld KiB for %d workers; kernel (slab+stacks+page tables) %.0f "
		 "KiB per worker",
		 best == &one ? "8a" : "8b", best->rss0, best->rss1, best->alive,
		 best->alive ? (double)(best->kern1 - best->kern0) / best->alive : NAN);
	scale_big(c);
}
