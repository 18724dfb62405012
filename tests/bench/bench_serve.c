/* Figure 12, the daemon: a 64-byte echo through `caisson serve` (HTTP/1.1
 * on its UNIX socket, one kept-alive connection, a minimal C client: the
 * daemon's own cost) beside the same call through libcaisson (the floor:
 * caisson_submit -> callback, echo.so, one pre-spawned worker), in
 * alternating batches; every process on CPU 0, as figure 2's same-core
 * row, so the difference is the daemon's work and not where the scheduler
 * put a wake-up. Peers: the Python client (clients/python) per call on a
 * kept-alive connection, and curl per process. Row 12c: 64 clients at
 * once, each on its own connection: every request must come back 200 with
 * its bytes (nothing lost), and the figure is the requests per second. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"

#define SB_BODY 64
#define SB_CLIENTS 64
#define SB_BUF 4096

struct sb_conn {
	int fd;
	size_t got;
	char buf[SB_BUF];
};

static const char sb_body[SB_BODY + 1] = "caisson-serve-bench-0123456789abcdef0123456789abcdef0123456789ab";

static void sb_pin(int cpu0_only)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (i == 0 || !cpu0_only)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int sb_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sb_send(struct sb_conn *c)
{
	char req[256];
	int n = snprintf(req, sizeof(req), "POST /v1/pools/echo/run HTTP/1.1\r\nHost: caisson\r\n"
					   "Content-Length: %d\r\n\r\n%s", SB_BODY, sb_body);

	c->got = 0;
	return write(c->fd, req, (size_t)n) == n ? 0 : -1;
}

/* Reads what is there; 1 once a whole answer is in (0 more to come, -1 a
 * broken or wrong one: not 200, or not our bytes back). */
static int sb_recv(struct sb_conn *c)
{
	ssize_t k = read(c->fd, c->buf + c->got, sizeof(c->buf) - 1 - c->got);
	char *end, *cl;

	if (k <= 0)
		return -1;
	c->got += (size_t)k;
	c->buf[c->got] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return c->got < sizeof(c->buf) - 1 ? 0 : -1;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (!cl || cl > end || strtol(cl + 17, NULL, 10) != SB_BODY)
		return -1;
	if (c->got - (size_t)(end + 4 - c->buf) < SB_BODY)
		return 0;
	return strncmp(c->buf, "HTTP/1.1 200 ", 13) == 0 && memcmp(end + 4, sb_body, SB_BODY) == 0 ? 1 : -1;
}

/* One call on a kept-alive connection, in us; -1 on failure. */
static double sb_call(struct sb_conn *c)
{
	double t0 = bench_now_us();
	int rc = sb_send(c);

	while (rc == 0)
		rc = sb_recv(c);
	return rc == 1 ? bench_now_us() - t0 : -1;
}

struct sb_lib {
	struct bench_pool m;
	int done, ok;
};

static void sb_lib_cb(const struct caisson_result *res, void *arg)
{
	struct sb_lib *l = arg;

	l->done = 1;
	l->ok = res->status == CAISSON_OK && res->output_len == SB_BODY;
}

static double sb_lib_call(struct sb_lib *l)
{
	double t0 = bench_now_us();

	l->done = 0;
	if (!caisson_submit(l->m.pool, sb_body, SB_BODY, sb_lib_cb, l))
		return -1;
	while (!l->done)
		if (event_base_loop(l->m.base, EVLOOP_ONCE) < 0)
			return -1;
	return l->ok ? bench_now_us() - t0 : -1;
}

/* The daemon (started from a process pinned to CPU 0, its zygote and
 * workers inherit that), once its socket answers; pid, or -1 with why. */
static pid_t sb_daemon_start(const struct bench_ctx *c, const char *dir, char *why, size_t whylen)
{
	char conf[600], sock[600], exe[512], profile[512], plugin[512], build[PATH_MAX], src[PATH_MAX];
	struct bench_cmd cmd;
	FILE *f;
	pid_t pid;
	int fd = -1;

	snprintf(conf, sizeof(conf), "%s/serve.ini", dir);
	snprintf(sock, sizeof(sock), "%s/caisson.sock", dir);
	snprintf(exe, sizeof(exe), "%s/caisson", c->build);
	/* The configuration's paths are relative to its own directory. */
	if (!realpath(c->build, build) || !realpath(c->src, src)) {
		snprintf(why, whylen, "cannot resolve the build and source directories: %s", strerror(errno));
		return -1;
	}
	snprintf(profile, sizeof(profile), "%.400s/tests/bench/echo-prespawn.ini", src);
	snprintf(plugin, sizeof(plugin), "%.400s/samples/echo.so", build);
	f = fopen(conf, "w");
	if (!f) {
		snprintf(why, whylen, "cannot write %.200s: %s", conf, strerror(errno));
		return -1;
	}
	fprintf(f, "[server]\nsocket = %s\nsocket_mode = 0600\nmax_clients = %d\n\n[pool echo]\nprofile = %s\n"
		   "plugin = %s\nworkers = 2\n", sock, SB_CLIENTS + 8, profile, plugin);
	fclose(f);
	bench_cmd_init(&cmd, (const char *const[]){ exe, "serve", "-c", conf, NULL });
	pid = bench_cmd_start(&cmd, -1);
	for (int i = 0; pid > 0 && i < 500 && (fd = sb_connect(sock)) < 0; i++)
		bench_sleep_ms(10);
	if (fd < 0) {
		snprintf(why, whylen, "caisson serve did not answer on %.200s within 5 s", sock);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(fd);
	return pid;
}

static void sb_daemon_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

/* The Python client's p50 per call (kept-alive), printed by the script; NaN
 * when python3 or the client is missing. */
static double sb_python_p50(const struct bench_ctx *c, const char *sock, int n, struct bench_cmd *cmd)
{
	char script[1024], count[16], out[64] = "";
	int p[2];
	ssize_t k;
	pid_t pid;

	snprintf(count, sizeof(count), "%d", n);
	snprintf(script, sizeof(script),
		 "import sys, time; sys.path.insert(0, '%s/clients/python'); import caisson\n"
		 "c = caisson.Client(sys.argv[1]); body = b'x' * %d; t = []\n"
		 "for i in range(int(sys.argv[2])):\n"
		 "    s = time.perf_counter(); assert c.run('echo', body) == body; t.append(time.perf_counter() - s)\n"
		 "t = sorted(t[len(t) // 10:]); print('%%.1f' %% (t[len(t) // 2] * 1e6))\n", c->src, SB_BODY);
	bench_cmd_init(cmd, (const char *const[]){ "python3", "-c", script, sock, count, NULL });
	snprintf(cmd->line, sizeof(cmd->line), "python3: caisson.Client(SOCK).run('echo', 64 bytes), kept alive");
	if (pipe(p) < 0)
		return NAN;
	pid = bench_cmd_start(cmd, p[1]);
	close(p[1]);
	k = pid > 0 ? read(p[0], out, sizeof(out) - 1) : -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (k <= 0) {
		snprintf(cmd->unavailable, sizeof(cmd->unavailable), "the Python client did not run");
		return NAN;
	}
	out[k] = '\0';
	return strtod(out, NULL);
}

/* 64 connections, each sending its next request when its answer is in:
 * the answers per second, and how many failed or never came. */
static double sb_concurrent(const char *sock, int per_client, int *lost)
{
	static struct sb_conn conns[SB_CLIENTS];
	struct pollfd pf[SB_CLIENTS];
	int left[SB_CLIENTS], open = 0;
	double t0 = bench_now_us();

	*lost = 0;
	for (int i = 0; i < SB_CLIENTS; i++) {
		conns[i].fd = sb_connect(sock);
		left[i] = per_client;
		if (conns[i].fd < 0 || sb_send(&conns[i]) < 0) {
			*lost += per_client;
			left[i] = 0;
			continue;
		}
		open++;
	}
	while (open > 0) {
		for (int i = 0; i < SB_CLIENTS; i++)
			pf[i] = (struct pollfd){ .fd = left[i] ? conns[i].fd : -1, .events = POLLIN };
		if (poll(pf, SB_CLIENTS, 10000) <= 0) {
			for (int i = 0; i < SB_CLIENTS; i++)
				*lost += left[i];
			break;
		}
		for (int i = 0; i < SB_CLIENTS; i++) {
			int rc = pf[i].revents ? sb_recv(&conns[i]) : 0;

			if (rc == 0)
				continue;
			*lost += rc < 0;
			left[i]--;
			if (rc < 0 || left[i] == 0 || sb_send(&conns[i]) < 0) {
				*lost += rc < 0 ? left[i] : 0;
				left[i] = 0;
				open--;
			}
		}
	}
	for (int i = 0; i < SB_CLIENTS; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	return (double)(SB_CLIENTS * per_client - *lost) / ((bench_now_us() - t0) / 1e6);
}

void bench_fig_serve(struct bench_ctx *c)
{
	struct bench_row *r = bench_row_new(c, "12", "daemon: 64-byte echo through caisson serve, one core", "us");
	struct bench_row *cc = bench_row_new(c, "12c", "daemon: 64 clients at once, 64-byte echo", "req/s");
	char dir[] = "/tmp/caisson-bench-serve.XXXXXX", sock[600], why[300] = "", err[256], body[600];
	struct bench_samples srv = { 0 }, lib = { 0 }, py = { 0 }, cu = { 0 };
	struct bench_cmd pycmd, curl;
	struct sb_conn conn = { .fd = -1 };
	struct sb_lib l = { 0 };
	int rounds = bench_iters(c, 40), batch = c->quick ? 2 : 50, lost = 0;
	pid_t daemon = -1;
	double rate;
	FILE *f;

	cc->higher_better = true;
	snprintf(r->target, sizeof(r->target), "daemon adds <= 30 us at p50 over the library call");
	snprintf(cc->target, sizeof(cc->target), "0 lost");
	/* Everything started from here on lives on CPU 0: the daemon, its
	 * zygote and workers, the library pool's zygote and worker. */
	sb_pin(1);
	if (!mkdtemp(dir) || (daemon = sb_daemon_start(c, dir, why, sizeof(why))) < 0 ||
	    bench_echo_pool_open(c, &l.m, 1, 10, err, sizeof(err)) < 0) {
		snprintf(r->note, sizeof(r->note), "not measured: %s", why[0] ? why : err);
		goto out;
	}
	snprintf(sock, sizeof(sock), "%s/caisson.sock", dir);
	conn.fd = sb_connect(sock);
	for (int i = -1; i < rounds && conn.fd >= 0; i++) { /* one warm-up round */
		for (int k = 0; k < batch; k++) {
			double us = sb_call(&conn);

			if (i >= 0 && us >= 0)
				bench_add(&srv, us);
		}
		for (int k = 0; k < batch; k++) {
			double us = sb_lib_call(&l);

			if (i >= 0 && us >= 0)
				bench_add(&lib, us);
		}
	}
	sb_pin(0);
	bench_add(&py, sb_python_p50(c, sock, c->quick ? 20 : 2000, &pycmd));
	snprintf(body, sizeof(body), "%s/body", dir);
	if ((f = fopen(body, "w"))) {
		fputs(sb_body, f);
		fclose(f);
	}
	snprintf(why, sizeof(why), "@%.200s", body);
	bench_cmd_init(&curl, (const char *const[]){ "curl", "-sf", "--unix-socket", sock, "--data-binary", why,
						     "-o", "/dev/null", "http://caisson/v1/pools/echo/run", NULL });
	bench_cmd_check(&curl);
	for (int i = -2; i < bench_iters(c, 30); i++)
		bench_cmd_sample(&curl, &cu, i >= 0);
	bench_row_samples(r, &srv);
	bench_row_floor(r, "libcaisson: caisson_submit -> callback, same pool shape, one core", bench_pct(&lib, 0.5));
	bench_row_peer(r, "python client", &pycmd, isnan(py.v ? py.v[0] : NAN) ? NULL : &py);
	bench_row_peer(r, "curl (a process per call)", &curl, curl.unavailable[0] ? NULL : &cu);
	r->met = srv.n == (size_t)(rounds * batch) && !isnan(r->p50) && r->p50 - r->floor_p50 <= 30;
	snprintf(r->note, sizeof(r->note), "added at p50: %.1f us; C client on one kept-alive connection, %d of %d "
		 "calls answered; daemon, its workers and the client on CPU 0",
		 r->p50 - r->floor_p50, (int)srv.n, rounds * batch);
	rate = sb_concurrent(sock, c->quick ? 5 : 200, &lost);
	cc->p50 = rate;
	cc->p99 = NAN;
	cc->iterations = SB_CLIENTS * (c->quick ? 5 : 200);
	cc->met = lost == 0;
	snprintf(cc->note, sizeof(cc->note), "%d clients x %d requests, each its own connection; %d lost (failed, "
		 "wrong bytes or never answered); the daemon and its 2 workers on CPU 0", SB_CLIENTS, c->quick ? 5 : 200, lost);
out:
	sb_pin(0);
	if (conn.fd >= 0)
		close(conn.fd);
	if (l.m.pool)
		bench_echo_pool_close(&l.m);
	if (daemon > 0)
		sb_daemon_stop(daemon);
	for (const char *const *name = (const char *const[]){ "serve.ini", "body", "caisson.sock", NULL }; *name;
	     name++) {
		snprintf(body, sizeof(body), "%.60s/%s", dir, *name);
		unlink(body);
	}
	rmdir(dir);
	bench_samples_free(&srv);
	bench_samples_free(&lib);
	bench_samples_free(&py);
	bench_samples_free(&cu);
}
