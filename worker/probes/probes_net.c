/* Probes of the probe plugin: sockets, IPC objects, signals and ptrace-class
 * access to the supervisor and to another live worker. Runs inside a sealed
 * worker. Signals are always signal 0 and ptrace is PTRACE_SEIZE, so an
 * escape proves the reach without stopping or killing anything. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <linux/netlink.h>

#include "probe.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static void sock(const struct pctx *c, int family, int type, int proto, const char *what)
{
	probe_result(c, syscall(SYS_socket, family, type | SOCK_CLOEXEC, proto), what);
}

void probe_socket_inet(const struct pctx *c) { sock(c, AF_INET, SOCK_STREAM, 0, "socket(AF_INET, SOCK_STREAM)"); }
void probe_socket_inet_raw(const struct pctx *c) { sock(c, AF_INET, SOCK_RAW, IPPROTO_ICMP, "socket(AF_INET, SOCK_RAW)"); }
void probe_socket_inet6(const struct pctx *c) { sock(c, AF_INET6, SOCK_DGRAM, 0, "socket(AF_INET6, SOCK_DGRAM)"); }
void probe_socket_unix(const struct pctx *c) { sock(c, AF_UNIX, SOCK_STREAM, 0, "socket(AF_UNIX, SOCK_STREAM)"); }
void probe_socket_netlink(const struct pctx *c) { sock(c, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "socket(AF_NETLINK)"); }
void probe_socket_packet(const struct pctx *c) { sock(c, AF_PACKET, SOCK_RAW, 0, "socket(AF_PACKET, SOCK_RAW)"); }
void probe_socket_vsock(const struct pctx *c) { sock(c, AF_VSOCK, SOCK_STREAM, 0, "socket(AF_VSOCK)"); }
void probe_socket_alg(const struct pctx *c) { sock(c, AF_ALG, SOCK_SEQPACKET, 0, "socket(AF_ALG)"); }
void probe_socket_bluetooth(const struct pctx *c) { sock(c, AF_BLUETOOTH, SOCK_RAW, 0, "socket(AF_BLUETOOTH)"); }

/* Every family and common type: lists the families that opened at all. */
void probe_socket_any(const struct pctx *c)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW };
	char opened[200] = "";
	size_t used = 0;
	int last = 0;

	for (int fam = 0; fam < 64; fam++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			long fd = syscall(SYS_socket, fam, types[t] | SOCK_CLOEXEC, 0);

			if (fd < 0) {
				last = errno;
				continue;
			}
			syscall(SYS_close, (int)fd);
			if (used < sizeof(opened) - 8)
				used += (size_t)snprintf(opened + used, sizeof(opened) - used, " %d", fam);
			break;
		}
	if (used)
		probe_say(c, "escaped families that opened:%s", opened);
	else
		probe_say(c, "blocked %s for every family and type", probe_errname(last));
}

void probe_socketpair_unix(const struct pctx *c)
{
	int sv[2];

	probe_result(c, syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair(AF_UNIX)");
}

static void connect_to(const struct pctx *c, int family, const void *addr, socklen_t len, const char *what)
{
	long s = syscall(SYS_socket, family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0) {
		probe_result(c, s, "socket");
		return;
	}
	if (syscall(SYS_connect, (int)s, addr, len) < 0)
		probe_say(c, "blocked %s (socket allowed, connect refused)", probe_errname(errno));
	else
		probe_say(c, "escaped connected to %s", what);
}

void probe_connect_loopback(const struct pctx *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	if (!c->port) {
		probe_say(c, "unsupported no listener port given");
		return;
	}
	connect_to(c, AF_INET, &sin, sizeof(sin), "the supervisor's 127.0.0.1 listener");
}

void probe_connect_abstract(const struct pctx *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(c->abs);

	if (!n) {
		probe_say(c, "unsupported no abstract socket name given");
		return;
	}
	memcpy(sun.sun_path + 1, c->abs, n);
	connect_to(c, AF_UNIX, &sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n),
		   "the supervisor's abstract UNIX socket");
}

void probe_sysv_shm(const struct pctx *c) { probe_result(c, syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600), "shmget"); }
void probe_sysv_msg(const struct pctx *c) { probe_result(c, syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600), "msgget"); }
void probe_sysv_sem(const struct pctx *c) { probe_result(c, syscall(SYS_semget, IPC_PRIVATE, 1, IPC_CREAT | 0600), "semget"); }

void probe_posix_shm(const struct pctx *c)
{
	probe_result(c, syscall(SYS_openat, AT_FDCWD, "/dev/shm/caisson-probe", O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600),
		     "openat(\"/dev/shm/caisson-probe\", O_CREAT)");
}

void probe_posix_mq(const struct pctx *c)
{
	probe_result(c, syscall(SYS_mq_open, "caisson-probe", O_CREAT | O_RDWR, 0600, NULL), "mq_open");
}

/* The pid a probe aims at, or 0 after answering "unsupported". */
static long target(const struct pctx *c, long pid)
{
	if (!pid)
		probe_say(c, "unsupported no target pid given");
	return pid;
}

void probe_kill_supervisor(const struct pctx *c)
{
	if (target(c, c->sup))
		probe_result(c, syscall(SYS_kill, (pid_t)c->sup, 0), "kill(supervisor, 0)");
}

void probe_kill_peer(const struct pctx *c)
{
	if (target(c, c->peer))
		probe_result(c, syscall(SYS_kill, (pid_t)c->peer, 0), "kill(peer worker, 0)");
}

void probe_kill_all(const struct pctx *c) { probe_result(c, syscall(SYS_kill, -1, 0), "kill(-1, 0)"); }

void probe_tgkill_supervisor(const struct pctx *c)
{
	if (target(c, c->sup))
		probe_result(c, syscall(SYS_tgkill, (pid_t)c->sup, (pid_t)c->sup, 0), "tgkill(supervisor, 0)");
}

void probe_sigqueue_supervisor(const struct pctx *c)
{
	siginfo_t si;

	if (!target(c, c->sup))
		return;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	probe_result(c, syscall(SYS_rt_sigqueueinfo, (pid_t)c->sup, 0, &si), "rt_sigqueueinfo(supervisor, 0)");
}

/* pidfd_open on the peer, then fn on the pidfd. */
static void with_pidfd(const struct pctx *c, long (*fn)(int fd), const char *what)
{
	long fd;

	if (!target(c, c->peer))
		return;
	fd = syscall(SYS_pidfd_open, (pid_t)c->peer, 0);
	if (fd < 0) {
		probe_result(c, fd, "pidfd_open(peer)");
		return;
	}
	if (fn((int)fd) < 0)
		probe_say(c, "blocked %s (pidfd_open allowed)", probe_errname(errno));
	else
		probe_say(c, "escaped %s on the peer worker", what);
}

static long signal0(int fd) { return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0); }
static long getfd3(int fd) { return syscall(SYS_pidfd_getfd, fd, 3, 0); }

void probe_pidfd_signal_peer(const struct pctx *c) { with_pidfd(c, signal0, "pidfd_send_signal"); }
void probe_pidfd_getfd_peer(const struct pctx *c) { with_pidfd(c, getfd3, "pidfd_getfd(fd 3)"); }

void probe_kcmp_supervisor(const struct pctx *c)
{
	if (target(c, c->sup))
		probe_result(c, syscall(SYS_kcmp, 1, (pid_t)c->sup, KCMP_VM, 0UL, 0UL), "kcmp(self, supervisor, KCMP_VM)");
}

void probe_ptrace_supervisor(const struct pctx *c)
{
	if (target(c, c->sup))
		probe_result(c, syscall(SYS_ptrace, PTRACE_SEIZE, (pid_t)c->sup, 0, 0), "ptrace(PTRACE_SEIZE, supervisor)");
}

void probe_ptrace_peer(const struct pctx *c)
{
	if (target(c, c->peer))
		probe_result(c, syscall(SYS_ptrace, PTRACE_SEIZE, (pid_t)c->peer, 0, 0), "ptrace(PTRACE_SEIZE, peer)");
}

void probe_ptrace_traceme(const struct pctx *c)
{
	probe_result(c, syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0), "ptrace(PTRACE_TRACEME)");
}

/* Both aim at an unmapped address: no supervisor address ever enters a
 * worker, and EFAULT means the permission check passed, an escape. */
void probe_vm_readv_supervisor(const struct pctx *c)
{
	char buf[64] = "";
	struct iovec local = { buf, sizeof(buf) - 1 }, remote = { (void *)(uintptr_t)0x10000, 16 };
	long n;

	if (!target(c, c->sup))
		return;
	n = syscall(SYS_process_vm_readv, (pid_t)c->sup, &local, 1, &remote, 1, 0);
	if (n >= 0)
		probe_say(c, "escaped read %ld bytes of the supervisor's memory", n);
	else if (errno == EFAULT)
		probe_say(c, "escaped process_vm_readv reached the supervisor (EFAULT)");
	else
		probe_say(c, "blocked %s", probe_errname(errno));
}

void probe_vm_readv_peer(const struct pctx *c)
{
	char buf[16];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)(uintptr_t)0x10000, sizeof(buf) };
	long n;

	if (!target(c, c->peer))
		return;
	n = syscall(SYS_process_vm_readv, (pid_t)c->peer, &local, 1, &remote, 1, 0);
	if (n >= 0 || errno == EFAULT)
		probe_say(c, "escaped process_vm_readv reached the peer worker (%s)", n >= 0 ? "read" : "EFAULT");
	else
		probe_say(c, "blocked %s", probe_errname(errno));
}

/* Broker attacks: whatever reaches the IPC socket outside the protocol must
 * end the worker with PROTOCOL_ERROR before this answer is read. */
void probe_ipc_garbage(const struct pctx *c)
{
	char junk[64];

	memset(junk, 0xa5, sizeof(junk));
	if (syscall(SYS_write, 3, junk, sizeof(junk)) < 0)
		probe_say(c, "blocked %s", probe_errname(errno));
	else
		probe_say(c, "escaped the supervisor read 64 garbage bytes and kept the worker");
}

void probe_ipc_fd_smuggle(const struct pctx *c)
{
	char junk[24], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { junk, sizeof(junk) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd = 2;

	memset(junk, 0x5a, sizeof(junk));
	memset(ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (syscall(SYS_sendmsg, 3, &mh, 0) < 0)
		probe_say(c, "blocked %s", probe_errname(errno));
	else
		probe_say(c, "escaped the supervisor took an fd outside the protocol and kept the worker");
}
