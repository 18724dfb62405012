/* Figure 7, seccomp cost per allowed syscall under the default profile:
 * the same loop (syscall_loop.c) inside a sealed worker (syscall_plugin.so,
 * profiles/default.ini), in this process unfiltered (the floor), and in a
 * forked child that loaded caisson's compiled filter but nothing else of
 * the sandbox (separates the filter from the rest). Per round one run of
 * each (each run: the fastest of several batches, see syscall_loop.h);
 * the figure is the median over rounds, and the cost is its difference
 * from the floor. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"
#include "caisson.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "syscall_loop.h"

struct sc_call {
	int done, ok;
	double ns[SYSLOOP_COUNT];
	pid_t worker;
};

static void sc_cb(const struct caisson_result *r, void *arg)
{
	struct sc_call *c = arg;
	const char *p = (const char *)r->output, *end = p + r->output_len;
	int i = 0;

	c->done = 1;
	c->worker = r->worker;
	if (r->status != CAISSON_OK) {
		fprintf(stderr, "caisson_bench: syscall plugin: %s %s\n", caisson_status_name(r->status),
			r->detail ? r->detail : "");
		return;
	}
	/* "NAME NS\n" per syscall, in sysloop_names order. */
	for (; p < end && i < SYSLOOP_COUNT; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *nl;

		if (!sp || !(nl = memchr(sp, '\n', (size_t)(end - sp))))
			break;
		c->ns[i] = strtod(sp + 1, NULL);
		p = nl + 1;
	}
	c->ok = i == SYSLOOP_COUNT;
}

static int sc_worker(struct event_base *base, caisson_pool *pool, unsigned iters, unsigned reps,
		     struct sc_call *c)
{
	char req[32];
	int n = snprintf(req, sizeof(req), "%u %u", iters, reps);

	memset(c, 0, sizeof(*c));
	if (!caisson_submit(pool, req, (size_t)n, sc_cb, c))
		return -1;
	while (!c->done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			return -1;
	return c->ok ? 0 : -1;
}

/* The loop in a child that loaded prog (no listener: what the worker's
 * filter would NOTIFY fails with ENOSYS here; the loop never gets there). */
static int sc_filtered(const struct sock_fprog *prog, unsigned iters, unsigned reps, double ns[SYSLOOP_COUNT])
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
			_exit(1);
		sysloop_run(iters, reps, ns);
		_exit(write(p[1], ns, sizeof(double) * SYSLOOP_COUNT) > 0 ? 0 : 1);
	}
	close(p[1]);
	n = pid > 0 ? read(p[0], ns, sizeof(double) * SYSLOOP_COUNT) : -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return n == (ssize_t)(sizeof(double) * SYSLOOP_COUNT) ? 0 : -1;
}

static void sc_rows(struct bench_ctx *c, struct bench_samples *w, struct bench_samples *fl,
		    struct bench_samples *f, const char *note)
{
	struct bench_cmd inproc;

	bench_cmd_init(&inproc, (const char *const[]){ NULL });
	for (int s = 0; s < SYSLOOP_COUNT; s++) {
		char id[16], name[80];
		struct bench_row *r;
		double delta;

		snprintf(id, sizeof(id), "7.%s", sysloop_names[s]);
		r = bench_row_new(c, id, "", "ns/call");
		bench_row_samples(r, &w[s]);
		bench_row_floor(r, "the same loop, unfiltered process", bench_pct(&fl[s], 0.5));
		bench_row_peer(r, "caisson filter only", &inproc, &f[s]);
		delta = r->p50 - r->floor_p50;
		snprintf(name, sizeof(name), "seccomp: %s, %+.0f ns/call in a worker", sysloop_names[s], delta);
		snprintf(r->name, sizeof(r->name), "%s", name);
		snprintf(r->target, sizeof(r->target), "%s",
			 s == SYSLOOP_COUNT - 1 ? "report only: argument rule, filter runs (+0.15-0.25 us expected)"
						: "<= +100 ns over unfiltered (unconditional rule)");
		r->met = s == SYSLOOP_COUNT - 1 ? !isnan(delta) : delta <= 100;
		if (s == 0)
			snprintf(r->note, sizeof(r->note), "%s", note);
	}
}

void bench_fig_syscall(struct bench_ctx *c)
{
	struct bench_samples w[SYSLOOP_COUNT] = { { 0 } }, fl[SYSLOOP_COUNT] = { { 0 } }, f[SYSLOOP_COUNT] = { { 0 } };
	char prof[512], plugin[512], err[512], note[400];
	struct caisson_pool_config cfg = { .profile = prof, .plugin = plugin, .max_workers = 1 };
	struct profile pr = { 0 };
	struct policy pol = { 0 };
	struct sock_fprog prog;
	struct event_base *base = event_base_new();
	caisson_pool *pool = NULL;
	unsigned iters = c->quick ? 50 : 500, reps = c->quick ? 2 : 20;
	int rounds = bench_iters(c, 30);
	long filters = -1;

	snprintf(prof, sizeof(prof), "%s/profiles/default.ini", c->src);
	snprintf(plugin, sizeof(plugin), "%s/tests/syscall_plugin.so", c->build);
	if (!base || profile_load(prof, &pr, err, sizeof(err)) < 0 || policy_build(&pr, &pol, err, sizeof(err)) < 0 ||
	    !(pool = caisson_pool_new(base, &cfg, err, sizeof(err)))) {
		fprintf(stderr, "caisson_bench: syscall figure: %s\n", err);
		goto out;
	}
	prog.len = (unsigned short)pol.ninsns;
	prog.filter = pol.insns;
	for (int i = -1; i < rounds; i++) {
		struct sc_call call;
		double ns[SYSLOOP_COUNT];
		int ok = sc_worker(base, pool, iters, reps, &call) == 0;

		if (ok && filters < 0)
			filters = bench_status_num(call.worker, "Seccomp_filters:");
		for (int s = 0; ok && i >= 0 && s < SYSLOOP_COUNT; s++)
			bench_add(&w[s], call.ns[s]);
		sysloop_run(iters, reps, ns);
		for (int s = 0; i >= 0 && s < SYSLOOP_COUNT; s++)
			bench_add(&fl[s], ns[s]);
		ok = sc_filtered(&prog, iters, reps, ns) == 0;
		for (int s = 0; ok && i >= 0 && s < SYSLOOP_COUNT; s++)
			bench_add(&f[s], ns[s]);
	}
	snprintf(note, sizeof(note), "per run: fastest of %u batches of %u calls; median of %d rounds; worker has "
				     "%ld seccomp filter(s), %zu BPF insns; fd -1: the syscall body is a constant "
				     "EBADF/EINVAL",
		 reps, iters, rounds, filters, pol.ninsns);
	sc_rows(c, w, fl, f, note);
out:
	caisson_pool_free(pool);
	if (base)
		event_base_free(base);
	policy_free(&pol);
	profile_free(&pr);
	for (int s = 0; s < SYSLOOP_COUNT; s++) {
		bench_samples_free(&w[s]);
		bench_samples_free(&fl[s]);
		bench_samples_free(&f[s]);
	}
}
