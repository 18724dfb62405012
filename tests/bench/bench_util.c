/* caisson_bench helpers: clocks, samples and percentiles, result rows and
 * running peer commands (posix_spawn, stdin and stderr on /dev/null). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"

extern char **environ;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_now_us(void)
{
	return (double)bench_now_ns() / 1e3;
}

void bench_add(struct bench_samples *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank on a sorted copy; NaN when empty. */
double bench_pct(const struct bench_samples *s, double q)
{
	double *v, r;
	size_t i;

	if (!s->n || !(v = malloc(s->n * sizeof(*v))))
		return NAN;
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), cmp_double);
	i = (size_t)ceil(q * (double)s->n);
	r = v[i ? i - 1 : 0];
	free(v);
	return r;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int bench_iters(const struct bench_ctx *c, int n)
{
	return c->quick ? (n < 3 ? n : 3) : n;
}

struct bench_row *bench_row_new(struct bench_ctx *c, const char *id, const char *name, const char *unit)
{
	struct bench_row *r;

	if (c->nrows == BENCH_MAX_ROWS) {
		fprintf(stderr, "caisson_bench: too many rows\n");
		abort();
	}
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->p50 = r->p99 = r->floor_p50 = NAN;
	return r;
}

void bench_row_samples(struct bench_row *r, const struct bench_samples *s)
{
	r->p50 = bench_pct(s, 0.5);
	r->p99 = bench_pct(s, 0.99);
	r->iterations = (int)s->n;
}

void bench_row_floor(struct bench_row *r, const char *name, double p50)
{
	snprintf(r->floor_name, sizeof(r->floor_name), "%s", name);
	r->floor_p50 = p50;
}

struct bench_peer *bench_row_peer(struct bench_row *r, const char *name, const struct bench_cmd *cmd,
				  const struct bench_samples *s)
{
	struct bench_peer *p = &r->peers[r->npeers < BENCH_MAX_PEERS ? r->npeers++ : BENCH_MAX_PEERS - 1];

	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->cmd, sizeof(p->cmd), "%s", cmd ? cmd->line : "");
	p->p50 = s ? bench_pct(s, 0.5) : NAN;
	if (cmd && cmd->unavailable[0])
		snprintf(p->unavailable, sizeof(p->unavailable), "%s", cmd->unavailable);
	else if (isnan(p->p50))
		snprintf(p->unavailable, sizeof(p->unavailable), "no successful run");
	return p;
}

void bench_cmd_init(struct bench_cmd *cmd, const char *const *words)
{
	size_t off = 0, n = 0;

	memset(cmd, 0, sizeof(*cmd));
	for (; *words && n < BENCH_ARGV_MAX - 1; words++) {
		cmd->argv[n++] = (char *)*words;
		off += (size_t)snprintf(cmd->line + off, off < sizeof(cmd->line) ? sizeof(cmd->line) - off : 0,
					"%s%s", n > 1 ? " " : "", *words);
	}
	cmd->argv[n] = NULL;
}

static pid_t start(const struct bench_cmd *cmd, int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, cmd->argv[0], &fa, NULL, cmd->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		return -1;
	}
	return pid;
}

pid_t bench_cmd_start(const struct bench_cmd *cmd, int out_fd)
{
	return start(cmd, out_fd, -1);
}

pid_t bench_cmd_start_err(const struct bench_cmd *cmd, int err_fd)
{
	return start(cmd, -1, err_fd);
}

static int wait_ok(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(*status) && WEXITSTATUS(*status) == 0 ? 0 : -1;
}

int bench_cmd_check(struct bench_cmd *cmd)
{
	char buf[160] = "";
	int p[2], status = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = start(cmd, -1, p[1]);
	close(p[1]);
	if (pid < 0) {
		snprintf(cmd->unavailable, sizeof(cmd->unavailable), "cannot run %s: %s", cmd->argv[0],
			 strerror(errno));
		close(p[0]);
		return -1;
	}
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (wait_ok(pid, &status) == 0)
		return 0;
	snprintf(cmd->unavailable, sizeof(cmd->unavailable), "exit status %d: %s",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), buf);
	return -1;
}

double bench_cmd_time_us(const struct bench_cmd *cmd)
{
	double t0 = bench_now_us();
	int status;
	pid_t pid = start(cmd, -1, -1);

	if (pid < 0 || wait_ok(pid, &status) < 0)
		return -1;
	return bench_now_us() - t0;
}

void bench_cmd_sample(struct bench_cmd *cmd, struct bench_samples *s, int record)
{
	double us;

	if (cmd->unavailable[0])
		return;
	us = bench_cmd_time_us(cmd);
	if (us < 0)
		snprintf(cmd->unavailable, sizeof(cmd->unavailable), "a timed run failed");
	else if (record)
		bench_add(s, us);
}

/* Minimal honest sandboxes: every namespace bwrap offers, /usr read-only
 * with the usual top-level links, nothing else; no seccomp filter (bwrap
 * loads one only when given --seccomp). */
void bench_bwrap_cmd(struct bench_cmd *cmd, const char *const *extra, const char *const *prog)
{
	static const char *const head[] = { "bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
					    "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
					    "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", NULL };
	const char *words[BENCH_ARGV_MAX];
	size_t n = 0;

	for (const char *const *w = head; *w; w++)
		words[n++] = *w;
	for (; extra && *extra && n < BENCH_ARGV_MAX - 12; extra++)
		words[n++] = *extra;
	for (; *prog && n < BENCH_ARGV_MAX - 1; prog++)
		words[n++] = *prog;
	words[n] = NULL;
	bench_cmd_init(cmd, words);
}

void bench_firejail_cmd(struct bench_cmd *cmd, const char *const *prog)
{
	const char *words[BENCH_ARGV_MAX] = { "firejail", "--quiet", "--noprofile", "--net=none" };
	size_t n = 4;

	for (; *prog && n < BENCH_ARGV_MAX - 1; prog++)
		words[n++] = *prog;
	words[n] = NULL;
	bench_cmd_init(cmd, words);
}

int bench_pool_wait_idle(struct event_base *base, caisson_pool *p, unsigned n, double timeout_s)
{
	double end = bench_now_us() + timeout_s * 1e6;
	struct caisson_stats st;

	for (;;) {
		caisson_pool_stats(p, &st);
		if (st.idle >= n)
			return 0;
		if (st.failed || bench_now_us() > end)
			return -1;
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			return -1;
	}
}
