/* Figures 2, 3 and 4: a request through the library API (caisson_submit
 * -> callback, on this thread's event_base: the whole path an embedder
 * sees; figure 3's 1 MiB requests through caisson_submit_borrowed, which
 * skips the copy at submit) against raw transports between two plain
 * processes:
 *   2  64-byte echo on a ready worker vs SOCK_SEQPACKET ping-pong between
 *      two processes pinned to one core (the floor: stable here, where a
 *      wake-up across this VM's vCPUs costs 15 to 120 us depending on the
 *      other tenants' load); unpinned beside it
 *   3  1 MiB in + 1 MiB out vs a shared mapping set up once (floor), one
 *      SEQPACKET message each way, and a fresh memfd per call
 *   4  requests/s through a 2-worker pool, 64 outstanding, vs the bound
 *      2 / raw same-core ping-pong time measured in the same round
 * Raw echo servers are forked before any pool exists, so they hold none
 * of a pool's descriptors. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"
#include "caisson.h"

#define IPC_BIG (1u << 20)
#define IPC_SMALL 64u
#define IPC_OUTSTANDING 64

enum ipc_mode { IPC_SEQ, IPC_SHM, IPC_MEMFD };

/* A raw echo server in a forked child. */
struct ipc_raw {
	enum ipc_mode mode;
	pid_t pid;
	int fd;
	uint8_t *shm; /* IPC_SHM: request at 0, reply at IPC_BIG */
};

static uint8_t *ipc_in, *ipc_out;

static int ipc_send_fd(int s, int fd)
{
	char c = 'm', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(s, &mh, 0) == 1 ? 0 : -1;
}

static int ipc_recv_fd(int s)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(s, &mh, MSG_CMSG_CLOEXEC) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A fresh memfd holding len bytes of src. */
static int ipc_memfd_with(const uint8_t *src, size_t len)
{
	int fd = memfd_create("bench", MFD_CLOEXEC);
	uint8_t *m;

	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		return -1;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	memcpy(m, src, len);
	munmap(m, len);
	return fd;
}

/* Copies a received memfd's len bytes into dst. */
static int ipc_memfd_read(int fd, uint8_t *dst, size_t len)
{
	uint8_t *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	close(fd);
	if (m == MAP_FAILED)
		return -1;
	memcpy(dst, m, len);
	munmap(m, len);
	return 0;
}

static void ipc_serve(struct ipc_raw *r)
{
	uint8_t *buf = malloc(IPC_BIG), *tmp = malloc(IPC_BIG);
	char c;

	for (;;) {
		if (r->mode == IPC_SEQ) {
			ssize_t n = recv(r->fd, buf, IPC_BIG, 0);

			if (n <= 0 || send(r->fd, buf, (size_t)n, 0) != n)
				_exit(0);
		} else if (r->mode == IPC_SHM) {
			if (recv(r->fd, &c, 1, 0) != 1)
				_exit(0);
			memcpy(r->shm + IPC_BIG, r->shm, IPC_BIG);
			if (send(r->fd, &c, 1, 0) != 1)
				_exit(0);
		} else {
			int fd = ipc_recv_fd(r->fd), out;

			if (fd < 0 || ipc_memfd_read(fd, tmp, IPC_BIG) < 0 || (out = ipc_memfd_with(tmp, IPC_BIG)) < 0 ||
			    ipc_send_fd(r->fd, out) < 0)
				_exit(0);
			close(out);
		}
	}
}

static void ipc_pin(pid_t pid, int all)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (all)
		for (int i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	else
		CPU_SET(0, &set);
	sched_setaffinity(pid, sizeof(set), &set);
}

/* Starts an echo server; with pinned, it lives on CPU 0. Big socket
 * buffers for 1 MiB messages: SO_*BUFFORCE as root, else capped by
 * net.core.[rw]mem_max; *why says what failed. */
static int ipc_raw_start(struct ipc_raw *r, enum ipc_mode mode, int pinned, char *why, size_t whylen)
{
	int sv[2], big = 4 * IPC_BIG;

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	for (int i = 0; i < 2 && mode == IPC_SEQ; i++) {
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0 &&
		    setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big)) < 0)
			snprintf(why, whylen, "SO_SNDBUF: %s", strerror(errno));
		if (setsockopt(sv[i], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0 &&
		    setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) < 0)
			snprintf(why, whylen, "SO_RCVBUF: %s", strerror(errno));
	}
	if (mode == IPC_SHM) {
		r->shm = mmap(NULL, 2 * IPC_BIG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (r->shm == MAP_FAILED)
			return -1;
		memset(r->shm, 0, 2 * IPC_BIG); /* faulted in once, as "set up once" means */
	}
	r->pid = fork();
	if (r->pid == 0) {
		close(sv[0]);
		r->fd = sv[1];
		if (pinned)
			ipc_pin(0, 0);
		ipc_serve(r);
	}
	close(sv[1]);
	r->fd = sv[0];
	return r->pid < 0 ? -1 : 0;
}

static void ipc_raw_stop(struct ipc_raw *r)
{
	if (r->pid <= 0)
		return;
	close(r->fd);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	if (r->shm)
		munmap(r->shm, 2 * IPC_BIG);
	r->pid = -1;
}

/* One raw round trip of len bytes, in us; -1 on failure. */
static double ipc_raw_call(struct ipc_raw *r, size_t len)
{
	double t0 = bench_now_us();
	char c = 'x';
	int fd;

	if (r->mode == IPC_SEQ) {
		if (send(r->fd, ipc_in, len, 0) != (ssize_t)len || recv(r->fd, ipc_out, IPC_BIG, 0) != (ssize_t)len)
			return -1;
	} else if (r->mode == IPC_SHM) {
		memcpy(r->shm, ipc_in, len);
		if (send(r->fd, &c, 1, 0) != 1 || recv(r->fd, &c, 1, 0) != 1)
			return -1;
		memcpy(ipc_out, r->shm + IPC_BIG, len);
	} else {
		if ((fd = ipc_memfd_with(ipc_in, len)) < 0 || ipc_send_fd(r->fd, fd) < 0)
			return -1;
		close(fd);
		if ((fd = ipc_recv_fd(r->fd)) < 0 || ipc_memfd_read(fd, ipc_out, len) < 0)
			return -1;
	}
	return bench_now_us() - t0;
}

/* ---- through libcaisson ------------------------------------------------ */

struct ipc_lib {
	struct event_base *base;
	caisson_pool *pool;
	unsigned done, submitted, target;
	size_t len;
	int failed;
	pid_t worker; /* the last one that answered */
};

static void ipc_lib_cb(const struct caisson_result *res, void *arg);

/* ipc_in never changes: large requests may lend it (no copy at submit). */
static uint64_t ipc_lib_submit(struct ipc_lib *l)
{
	return l->len > IPC_SMALL ? caisson_submit_borrowed(l->pool, ipc_in, l->len, ipc_lib_cb, l)
				  : caisson_submit(l->pool, ipc_in, l->len, ipc_lib_cb, l);
}

static void ipc_lib_cb(const struct caisson_result *res, void *arg)
{
	struct ipc_lib *l = arg;

	l->done++;
	l->worker = res->worker;
	if (res->status != CAISSON_OK || res->output_len != l->len) {
		if (!l->failed)
			fprintf(stderr, "caisson_bench: echo: %s %s\n", caisson_status_name(res->status),
				res->detail ? res->detail : "");
		l->failed = 1;
	}
	/* Throughput mode: keep IPC_OUTSTANDING requests in flight. */
	if (l->submitted < l->target && ipc_lib_submit(l))
		l->submitted++;
}

static int ipc_lib_open(const struct bench_ctx *c, struct ipc_lib *l, const char *profile, unsigned workers,
			char *err, size_t errlen)
{
	char prof[512], plugin[512];
	struct caisson_pool_config cfg = { .profile = prof, .plugin = plugin, .max_workers = workers };

	memset(l, 0, sizeof(*l));
	snprintf(prof, sizeof(prof), "%s/%s", c->src, profile);
	snprintf(plugin, sizeof(plugin), "%s/samples/echo.so", c->build);
	l->base = event_base_new();
	l->pool = l->base ? caisson_pool_new(l->base, &cfg, err, errlen) : NULL;
	return l->pool ? 0 : -1;
}

static void ipc_lib_close(struct ipc_lib *l)
{
	caisson_pool_free(l->pool);
	if (l->base)
		event_base_free(l->base);
}

/* Submits n requests of len bytes, up to outstanding at once; runs the
 * loop until all completed. -1 if any failed. */
static int ipc_lib_run(struct ipc_lib *l, size_t len, unsigned n, unsigned outstanding)
{
	l->len = len;
	l->done = l->submitted = 0;
	l->target = n;
	for (unsigned i = 0; i < outstanding && i < n; i++)
		if (ipc_lib_submit(l))
			l->submitted++;
	while (l->done < l->submitted)
		if (event_base_loop(l->base, EVLOOP_ONCE) < 0)
			return -1;
	return l->failed || l->done != n ? -1 : 0;
}

static double ipc_lib_call(struct ipc_lib *l, size_t len)
{
	double t0 = bench_now_us();

	return ipc_lib_run(l, len, 1, 1) < 0 ? -1 : bench_now_us() - t0;
}

static void ipc_add(struct bench_samples *s, double us, int record)
{
	if (record && us >= 0)
		bench_add(s, us);
}

/* Figure 2: per round a batch of each, A B C D A B C D ... Each side runs
 * twice: with both processes pinned to one core, and unpinned, where the
 * scheduler may put them on two vCPUs and every call pays two cross-vCPU
 * wake-ups (tens of microseconds on a VM whose idle vCPUs halt). Row 2
 * compares like with like on one core; row 2u unpinned. */
static void ipc_fig2(struct bench_ctx *c, struct ipc_lib *l, struct ipc_raw *free_run, struct ipc_raw *pinned)
{
	struct bench_row *r = bench_row_new(c, "2", "warm call: 64-byte echo, one core", "us");
	struct bench_row *u = bench_row_new(c, "2u", "warm call: 64-byte echo, unpinned", "us");
	struct bench_samples lib = { 0 }, libu = { 0 }, raw = { 0 }, pin = { 0 };
	struct bench_cmd inproc;
	int rounds = bench_iters(c, 50), batch = c->quick ? 2 : 20;

	for (int i = -1; i < rounds; i++) {
		for (int k = 0; k < batch; k++)
			ipc_add(&libu, ipc_lib_call(l, IPC_SMALL), i >= 0);
		for (int k = 0; k < batch; k++)
			ipc_add(&raw, ipc_raw_call(free_run, IPC_SMALL), i >= 0);
		ipc_pin(0, 0);
		ipc_pin(l->worker, 0);
		for (int k = 0; k < batch; k++)
			ipc_add(&lib, ipc_lib_call(l, IPC_SMALL), i >= 0);
		ipc_pin(l->worker, 1);
		for (int k = 0; k < batch; k++)
			ipc_add(&pin, ipc_raw_call(pinned, IPC_SMALL), i >= 0);
		ipc_pin(0, 1);
	}
	bench_cmd_init(&inproc, (const char *const[]){ NULL });
	bench_row_samples(r, &lib);
	bench_row_floor(r, "raw SOCK_SEQPACKET ping-pong, 2 processes pinned to one core", bench_pct(&pin, 0.5));
	snprintf(r->target, sizeof(r->target), "<= 2x raw ping-pong (same core)");
	r->met = r->p50 <= 2 * r->floor_p50;
	snprintf(r->note, sizeof(r->note), "caisson path: caisson_submit -> callback on the caller's event_base "
					   "(echo.so, tests/bench/echo-prespawn.ini: 1 worker, never recycled); "
					   "supervisor and worker pinned to CPU 0, as the floor's two processes");
	bench_row_samples(u, &libu);
	bench_row_floor(u, "raw SOCK_SEQPACKET ping-pong, 2 processes unpinned", bench_pct(&raw, 0.5));
	snprintf(u->target, sizeof(u->target), "<= 2x raw ping-pong (unpinned)");
	u->met = u->p50 <= 2 * u->floor_p50;
	snprintf(u->note, sizeof(u->note), "as 2, nothing pinned: where the scheduler puts the two processes on two "
					   "vCPUs, both sides pay two cross-vCPU wake-ups per call");
	bench_samples_free(&lib);
	bench_samples_free(&libu);
	bench_samples_free(&raw);
	bench_samples_free(&pin);
}

static void ipc_fig3(struct bench_ctx *c, struct ipc_lib *l, struct ipc_raw *shm, struct ipc_raw *seq,
		     const char *seq_why, struct ipc_raw *memfd)
{
	struct bench_row *r = bench_row_new(c, "3", "1 MiB request + 1 MiB reply (echo)", "us");
	struct bench_samples lib = { 0 }, sh = { 0 }, sq = { 0 }, mf = { 0 };
	struct bench_cmd seq_cmd, mf_cmd;
	int rounds = bench_iters(c, 20), batch = c->quick ? 1 : 10;
	long sup_flt = 0, wk_flt = 0, calls = 0;

	for (int i = -1; i < rounds; i++) {
		long s0 = bench_minflt(getpid()), w0 = l->worker ? bench_minflt(l->worker) : -1;

		for (int k = 0; k < batch; k++)
			ipc_add(&lib, ipc_lib_call(l, IPC_BIG), i >= 0);
		if (i >= 0 && w0 >= 0) {
			sup_flt += bench_minflt(getpid()) - s0;
			wk_flt += bench_minflt(l->worker) - w0;
			calls += batch;
		}
		for (int k = 0; k < batch; k++)
			ipc_add(&sh, ipc_raw_call(shm, IPC_BIG), i >= 0);
		for (int k = 0; k < batch && !seq_why[0]; k++)
			ipc_add(&sq, ipc_raw_call(seq, IPC_BIG), i >= 0);
		for (int k = 0; k < batch; k++)
			ipc_add(&mf, ipc_raw_call(memfd, IPC_BIG), i >= 0);
	}
	bench_row_samples(r, &lib);
	bench_row_floor(r, "shared mapping set up once: copy in, copy across, copy out", bench_pct(&sh, 0.5));
	bench_cmd_init(&seq_cmd, (const char *const[]){ NULL });
	snprintf(seq_cmd.unavailable, sizeof(seq_cmd.unavailable), "%s", seq_why);
	bench_row_peer(r, "one seqpacket message each way", &seq_cmd, &sq);
	bench_cmd_init(&mf_cmd, (const char *const[]){ NULL });
	bench_row_peer(r, "fresh memfd per call", &mf_cmd, &mf);
	snprintf(r->target, sizeof(r->target), "<= 1.5x the shared-mapping floor");
	r->met = r->p50 <= 1.5 * r->floor_p50;
	snprintf(r->note, sizeof(r->note), "caisson path: caisson_submit_borrowed (no copy at submit) -> callback, echo.so; output length "
					   "checked; minor faults per request: supervisor %.0f, worker %.0f; raw "
					   "socket buffers 4 MiB (SO_SNDBUFFORCE/SO_RCVBUFFORCE)",
		 calls ? (double)sup_flt / calls : NAN, calls ? (double)wk_flt / calls : NAN);
	bench_samples_free(&lib);
	bench_samples_free(&sh);
	bench_samples_free(&sq);
	bench_samples_free(&mf);
}

static double ipc_tv_us(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

/* Figure 4: per round a window of requests through 2 workers, then a
 * batch of raw ping-pongs giving that round's bound. */
static void ipc_fig4(struct bench_ctx *c, struct ipc_raw *pinned)
{
	struct bench_row *r = bench_row_new(c, "4", "throughput: 64-byte echo, 2-worker pool", "req/s");
	struct bench_samples rate = { 0 }, bound = { 0 };
	struct rusage ru0, ru1;
	double cpu_us = 0;
	struct ipc_lib l;
	char err[512];
	int rounds = bench_iters(c, 10);
	unsigned window = c->quick ? 50 : 4000;

	r->higher_better = true;
	snprintf(r->target, sizeof(r->target), ">= 80%% of the bound 2 / raw ping-pong (same core)");
	if (ipc_lib_open(c, &l, "tests/bench/echo-prespawn.ini", 2, err, sizeof(err)) < 0) {
		snprintf(r->note, sizeof(r->note), "pool: %.300s", err);
		ipc_lib_close(&l);
		return;
	}
	if (bench_pool_wait_idle(l.base, l.pool, 2, 30) < 0) {
		snprintf(r->note, sizeof(r->note), "2 idle workers not ready within 30 s");
		ipc_lib_close(&l);
		return;
	}
	for (int i = -1; i < rounds; i++) {
		struct bench_samples pp = { 0 };
		double t0 = bench_now_us();
		int ok;

		getrusage(RUSAGE_SELF, &ru0);
		ok = ipc_lib_run(&l, IPC_SMALL, window, IPC_OUTSTANDING) == 0;
		getrusage(RUSAGE_SELF, &ru1);
		if (ok && i >= 0) {
			bench_add(&rate, window / ((bench_now_us() - t0) / 1e6));
			cpu_us += ipc_tv_us(&ru1.ru_utime) + ipc_tv_us(&ru1.ru_stime) - ipc_tv_us(&ru0.ru_utime) -
				  ipc_tv_us(&ru0.ru_stime);
		}
		ipc_pin(0, 0);
		for (int k = 0; k < 200; k++)
			ipc_add(&pp, ipc_raw_call(pinned, IPC_SMALL), 1);
		ipc_pin(0, 1);
		if (i >= 0)
			bench_add(&bound, 2 / (bench_pct(&pp, 0.5) / 1e6));
		bench_samples_free(&pp);
	}
	bench_row_samples(r, &rate);
	r->p99 = bench_pct(&rate, 0.01); /* the worst 1%: the lowest rate */
	bench_row_floor(r, "bound: 2 / raw SEQPACKET ping-pong (same core), same round", bench_pct(&bound, 0.5));
	r->met = r->p50 >= 0.8 * r->floor_p50;
	snprintf(r->note, sizeof(r->note),
		 "%u requests per round, %d outstanding, %d rounds; p99 column = lowest 1%% of rounds; "
		 "xfloor = fraction of the bound (%.0f%%); supervisor CPU (getrusage) %.1f us per request",
		 window, IPC_OUTSTANDING, rounds, 100 * r->p50 / r->floor_p50,
		 rate.n ? cpu_us / ((double)rate.n * window) : NAN);
	r->iterations = rounds;
	bench_samples_free(&rate);
	bench_samples_free(&bound);
	ipc_lib_close(&l);
}

void bench_fig_ipc(struct bench_ctx *c)
{
	struct ipc_raw free_run, pinned, shm, seq, memfd;
	struct ipc_lib l;
	char err[512] = "", seq_why[200] = "";

	ipc_in = malloc(IPC_BIG);
	ipc_out = malloc(IPC_BIG);
	if (!ipc_in || !ipc_out)
		return;
	for (size_t i = 0; i < IPC_BIG; i++)
		ipc_in[i] = (uint8_t)(i * 131 + 7);
	memset(ipc_out, 0, IPC_BIG);
	if (ipc_raw_start(&free_run, IPC_SEQ, 0, err, sizeof(err)) < 0 ||
	    ipc_raw_start(&pinned, IPC_SEQ, 1, err, sizeof(err)) < 0 ||
	    ipc_raw_start(&shm, IPC_SHM, 0, err, sizeof(err)) < 0 ||
	    ipc_raw_start(&seq, IPC_SEQ, 0, seq_why, sizeof(seq_why)) < 0 ||
	    ipc_raw_start(&memfd, IPC_MEMFD, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson_bench: raw echo servers: %s\n", strerror(errno));
		return;
	}
	if (ipc_lib_open(c, &l, "tests/bench/echo-prespawn.ini", 1, err, sizeof(err)) < 0 ||
	    bench_pool_wait_idle(l.base, l.pool, 1, 30) < 0) {
		fprintf(stderr, "caisson_bench: echo pool: %s\n", err);
	} else {
		ipc_fig2(c, &l, &free_run, &pinned);
		ipc_fig3(c, &l, &shm, &seq, seq_why, &memfd);
	}
	ipc_lib_close(&l);
	ipc_fig4(c, &pinned);
	ipc_raw_stop(&free_run);
	ipc_raw_stop(&pinned);
	ipc_raw_stop(&shm);
	ipc_raw_stop(&seq);
	ipc_raw_stop(&memfd);
	free(ipc_in);
	free(ipc_out);
}
