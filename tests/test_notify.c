/* The seccomp listener's ENOENT, made deterministic (issue 19, finding 4).
 * A child with a filter that notifies socket() calls socket(); once the
 * notification is pending, a signal withdraws it (the handler has no
 * SA_RESTART, so the child sees EINTR and says so). The supervisor's
 * receive now fails with ENOENT although the child lives: nf_judge must
 * keep watching (NF_CONTINUED), and judge the child's next socket() a
 * VIOLATION naming it. Once the child is dead, ENOENT is NF_GONE. Runs as
 * root and as an unprivileged user (no privilege needed). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/notify.h"
#include "check.h"

static void on_usr1(int sig)
{
	(void)sig;
}

static int send_fd(int sock, int fd)
{
	char byte = 'l';
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, 0) != 1 || !(c = CMSG_FIRSTHDR(&mh)) || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The child: socket() notified to the parent, twice; the first attempt
 * is interrupted by SIGUSR1 and reported on fd 'report', and the second
 * waits for a byte on sock. */
static void __attribute__((noreturn)) child(int sock, int report)
{
	struct sigaction sa;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int listener;
	char r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	if (!ctx || sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 0) < 0 || seccomp_load(ctx) < 0 ||
	    (listener = seccomp_notify_fd(ctx)) < 0 || send_fd(sock, listener) < 0)
		_exit(2);
	r = socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EINTR ? 'e' : 'x';
	/* Waits for the parent's receive of the withdrawn one to be done. */
	if (write(report, &r, 1) != 1 || read(sock, &r, 1) != 1)
		_exit(3);
	socket(AF_INET, SOCK_STREAM, 0);
	_exit(4);
}

int main(void)
{
	int sv[2], rp[2], listener, pidfd, sig = 0, status;
	struct pollfd p;
	char text[400] = "", r = 0;
	pid_t pid;

	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_INT(pipe2(rp, O_CLOEXEC), 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(rp[0]);
		child(sv[1], rp[1]);
	}
	close(sv[1]);
	close(rp[1]);
	CHECK(pid > 0);
	listener = recv_fd(sv[0]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(listener >= 0 && pidfd >= 0);
	if (listener < 0 || pidfd < 0)
		return check_done("test_notify");

	/* Its first socket() is pending; a signal withdraws it. */
	p = (struct pollfd){ .fd = listener, .events = POLLIN };
	CHECK_INT(poll(&p, 1, 10000), 1);
	CHECK_INT(kill(pid, SIGUSR1), 0);
	CHECK_INT(read(rp[0], &r, 1), 1);
	CHECK_INT(r, 'e');
	/* The receive finds nothing: ENOENT from a live worker. */
	CHECK_INT(nf_judge(listener, pid, pidfd, NULL, NULL, NULL, NULL, &sig, text, sizeof(text)), NF_CONTINUED);
	/* Its next attempt is judged, and named. */
	CHECK_INT(write(sv[0], "g", 1), 1);
	CHECK_INT(poll(&p, 1, 10000), 1);
	CHECK_INT(nf_judge(listener, pid, pidfd, NULL, NULL, NULL, NULL, &sig, text, sizeof(text)), NF_VIOLATION);
	CHECK(!strncmp(text, "socket(AF_INET, SOCK_STREAM, 0", 30));

	/* A dead worker: ENOENT now means gone. */
	CHECK_INT(kill(pid, SIGKILL), 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK_INT(nf_judge(listener, pid, pidfd, NULL, NULL, NULL, NULL, &sig, text, sizeof(text)), NF_GONE);
	return check_done("test_notify");
}
