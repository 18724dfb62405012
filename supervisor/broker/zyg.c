/* Zygote control channel, supervisor side; see zyg.h. Runs in the
 * supervisor. The zygote is trusted (clean image, never runs plugin code),
 * but its messages still go through the one decoder. */
#include "zyg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/ipc_io.h"
#include "ipc/wire.h"
#include "libexec.h"

#define ZYG_BUF (IPC_HDR_LEN + IPC_CONFIG_MAX)
/* How long a zygote asked to end may take (it finishes a spawn in
 * progress, kills and reaps its workers) before it is killed. */
#define ZYG_END_MS 3000

int zyg_path(char *out, size_t len, char *err, size_t errlen)
{
	return libexec_find("caisson-zygote", X_OK, out, len, err, errlen);
}

static void zyg_lost(struct zyg *z, const char *why)
{
	if (z->ev)
		event_del(z->ev);
	z->ops.lost(z->arg, why);
}

static void zyg_readable(evutil_socket_t fd, short what, void *arg)
{
	const struct ipc_expect ex = { .dir = IPC_Z2S, .state = ST_ANY };
	struct zyg *z = arg;
	int fds[IPC_MAX_FDS];
	unsigned nfds;
	size_t len;
	struct ipc_msg m;
	int r;

	for (;;) {
		r = ipc_recv(fd, z->buf, ZYG_BUF, &len, fds, &nfds, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0 && (errno == EMFILE || errno == ENFILE) && len >= IPC_HDR_LEN + 4 &&
		    wire_get16(z->buf + 4) == IPC_Z_SPAWNED && z->ops.spawned_lost) {
			/* Out of descriptors: the kernel dropped that worker's (its
			 * sockets closed, it ends and is reaped); the spawn failed,
			 * the channel is fine. */
			z->ops.spawned_lost(z->arg, wire_get64(z->buf + 8), (pid_t)wire_get32(z->buf + IPC_HDR_LEN),
					    errno);
			continue;
		}
		if (r <= 0) {
			zyg_lost(z, r == 0		       ? "zygote exited"
				    : errno == EMFILE || errno == ENFILE ? "zygote channel error: out of file descriptors"
									  : "zygote channel error");
			return;
		}
		if (ipc_decode(z->buf, len, fds, nfds, &ex, &m) != IPC_OK) {
			ipc_close_fds(fds, nfds);
			zyg_lost(z, "zygote broke the protocol");
			return;
		}
		switch (m.type) {
		case IPC_Z_SPAWNED:
			z->ops.spawned(z->arg, m.id, (pid_t)m.u.spawned.pid, m.u.spawned.host_uid, m.fds);
			break;
		case IPC_Z_SPAWN_FAILED:
			z->ops.spawn_failed(z->arg, m.id, m.u.fail.step, m.u.fail.err, m.u.fail.text.s);
			break;
		case IPC_Z_ROOT_CLEARED:
			z->ops.root_cleared(z->arg, m.id, m.u.fail.err, m.u.fail.text.s);
			break;
		case IPC_Z_EXITED:
			z->ops.exited(z->arg, (pid_t)m.u.exited.pid, m.u.exited.status, m.u.exited.maxrss_kb,
				      m.u.exited.utime_us + m.u.exited.stime_us);
			break;
		default:
			break;
		}
	}
}

/* A zygote for an ASan-built target (cfg->asan_runtime): the runtime
 * preloaded, so that it is first in the image and its allocator serves
 * every library; its options for a sandboxed worker: no symbolizer
 * process (the supervisor symbolizes outside), no leak checker (it
 * would ptrace), abort on a report (the finding is the report's, in the
 * log pipe), a quarantine of a quarter of the memory limit (which the
 * cgroup enforces; memory_bytes is 4x it then, pool.c) and 256 MiB at most. */
static void zyg_asan_env(const struct wk_config *cfg, char *preload, size_t plen, char *opts, size_t olen)
{
	uint64_t q = cfg->memory_bytes / 16 >> 20;

	snprintf(preload, plen, "LD_PRELOAD=%s", cfg->asan_runtime);
	snprintf(opts, olen,
		 "ASAN_OPTIONS=abort_on_error=1:symbolize=0:color=never:print_legend=0:detect_leaks=0:allocator_may_return_null=0:"
		 "handle_abort=0:quarantine_size_mb=%llu:detect_odr_violation=0",
		 (unsigned long long)(q < 1 ? 1 : q > 256 ? 256 : q));
}

static int zyg_exec(pid_t *pid, int child_end, const struct wk_config *cfg, char *err, size_t errlen)
{
	char path[PATH_MAX], ppid[16], preload[PATH_MAX + 16], opts[256];
	char *argv[] = { "caisson-zygote", ppid, NULL };
	char *envp[] = { preload, opts, "UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:color=never:"
				     "symbolize=0", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t stop;
	int rc;

	if (zyg_path(path, sizeof(path), err, errlen) < 0)
		return -1;
	snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
	if (cfg && cfg->asan_runtime[0])
		zyg_asan_env(cfg, preload, sizeof(preload), opts, sizeof(opts));
	else
		envp[0] = NULL;
	/* fd map of the zygote: 0,1 /dev/null, 2 our stderr, 3 control; the
	 * caller's other descriptors are closed before exec. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, child_end, 3);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	/* Blocked until the zygote ignores them (see its main): a ^C meant
	 * for the supervisor must not kill it before it can reap workers. */
	sigemptyset(&stop);
	for (int *sig = (int[]){ SIGINT, SIGTERM, SIGHUP, SIGQUIT, 0 }; *sig; sig++)
		sigaddset(&stop, *sig);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setsigmask(&sa, &stop);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(pid, path, &fa, &sa, argv, envp);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "start %s: %s", path, strerror(rc));
		return -1;
	}
	return 0;
}

static int zyg_launch_for(struct zyg_launched *l, const struct wk_config *cfg, char *err, size_t errlen)
{
	int sv[2];

	l->pid = 0;
	l->ctl = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "zygote channel: %s", strerror(errno));
		return -1;
	}
	if (zyg_exec(&l->pid, sv[1], cfg, err, errlen) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	l->ctl = sv[0];
	return 0;
}

int zyg_launch(struct zyg_launched *l, char *err, size_t errlen)
{
	return zyg_launch_for(l, NULL, err, errlen);
}

int zyg_start(struct zyg *z, struct event_base *base, const struct wk_config *cfg, const struct zyg_ops *ops,
	      void *arg, struct zyg_launched *pre, char *err, size_t errlen)
{
	struct zyg_launched l;
	ssize_t n;

	memset(z, 0, sizeof(*z));
	z->ctl = -1;
	z->ops = *ops;
	z->arg = arg;
	/* One launched ahead is a plain image: not for an ASan target. */
	if (pre && pre->pid > 0 && cfg->asan_runtime[0])
		zyg_launched_drop(pre);
	if (pre && pre->pid > 0) {
		l = *pre;
		pre->pid = 0;
		pre->ctl = -1;
	} else if (zyg_launch_for(&l, cfg, err, errlen) < 0) {
		return -1;
	}
	z->pid = l.pid;
	z->ctl = l.ctl;
	z->buf = malloc(ZYG_BUF);
	if (!z->buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n = wk_config_encode(cfg, z->buf, ZYG_BUF);
	if (n < 0 || ipc_send(z->ctl, IPC_Z_CONFIG, 0, z->buf, (uint32_t)n, NULL, 0) < 0) {
		snprintf(err, errlen, "send worker configuration: %s", strerror(errno));
		goto fail;
	}
	z->ev = event_new(base, z->ctl, EV_READ | EV_PERSIST, zyg_readable, z);
	if (!z->ev || event_add(z->ev, NULL) < 0) {
		snprintf(err, errlen, "zygote event: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	zyg_stop(z);
	return -1;
}

int zyg_spawn(struct zyg *z, uint32_t slot, uint64_t id, const int *regions, uint64_t in_size,
	      uint64_t out_size, uint64_t cov_size)
{
	uint8_t p[32];

	wire_put32(p, slot);
	wire_put32(p + 4, 0);
	if (!regions)
		return ipc_send(z->ctl, IPC_Z_SPAWN, id, p, 8, NULL, 0);
	wire_put64(p + 8, in_size);
	wire_put64(p + 16, out_size);
	if (cov_size) {
		wire_put64(p + 24, cov_size);
		return ipc_send(z->ctl, IPC_Z_SPAWN_FUZZ, id, p, 32, regions, 3);
	}
	return ipc_send(z->ctl, IPC_Z_SPAWN_SHM, id, p, 24, regions, 2);
}

int zyg_clear_root(struct zyg *z, uint64_t id, int pidfd)
{
	return ipc_send(z->ctl, IPC_Z_CLEAR_ROOT, id, NULL, 0, &pidfd, 1);
}

static uint64_t zyg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Reads and drops one message, closing any descriptor it carries (a
 * worker's, from a Z_SPAWNED we no longer want); 0 at the channel's end. */
static int zyg_discard(int ctl)
{
	uint8_t buf[IPC_HDR_LEN + 512];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
	} cm;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.space,
			     .msg_controllen = sizeof(cm.space) };
	ssize_t n = recvmsg(ctl, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 1 : 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)(void *)CMSG_DATA(c);
			size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfds; i++)
				close(fds[i]);
		}
	return n > 0;
}

/* Asks the zygote to end and waits until it has: our end shut for
 * writing is its signal to kill and reap every worker and exit (zy_end),
 * and the channel's end on our side says it has. Whatever it still sends
 * meanwhile is read and dropped, so it never blocks on a full channel. A
 * zygote that has not ended after ZYG_END_MS is killed; its workers then
 * die with it (PDEATHSIG), reaped by whoever inherits them. */
static void zyg_end(pid_t pid, int ctl)
{
	uint64_t deadline = zyg_now_ms() + ZYG_END_MS;

	if (shutdown(ctl, SHUT_WR) == 0)
		for (;;) {
			struct pollfd pfd = { .fd = ctl, .events = POLLIN };
			uint64_t now = zyg_now_ms();
			int r = now < deadline ? poll(&pfd, 1, (int)(deadline - now)) : 0;

			if (r == 0) {
				kill(pid, SIGKILL);
				break;
			}
			if (r > 0 && !zyg_discard(ctl))
				break;
		}
	else
		kill(pid, SIGKILL);
	close(ctl);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void zyg_launched_drop(struct zyg_launched *l)
{
	if (l->pid > 0)
		zyg_end(l->pid, l->ctl);
	l->pid = 0;
	l->ctl = -1;
}

void zyg_stop(struct zyg *z)
{
	if (z->ev)
		event_free(z->ev);
	z->ev = NULL;
	if (z->pid > 0)
		zyg_end(z->pid, z->ctl);
	else if (z->ctl >= 0)
		close(z->ctl);
	z->ctl = -1;
	z->pid = 0;
	free(z->buf);
	z->buf = NULL;
}
