/* See notify.h. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ipc/ipc_config.h"
#include "policy/policy.h"
#include "policy/sysfmt.h"
#include "notify_exec.h"
#include "notify_serve.h"

static ssize_t nf_read_mem(void *ctx, unsigned long long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	pid_t pid = *(pid_t *)ctx;
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	/* A read that crosses into an unmapped page fails whole; retry short. */
	if (n < 0 && len > 64) {
		remote.iov_len = local.iov_len = 64 - (addr & 63);
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	}
	return n;
}

/* abort() and raise() are a signal to oneself: tgkill(1, 1, sig) or
 * tkill(1, sig), the worker being pid 1 of its own pid namespace. The
 * kernel hands us the call; report the crash it means, not a violation. */
static int nf_raised_signal(const struct seccomp_data *sd)
{
	if (sd->arch != AUDIT_ARCH_X86_64)
		return 0;
	if (sd->nr == SYS_tgkill && sd->args[0] == 1 && sd->args[1] == 1 && sd->args[2] > 0 && sd->args[2] < 65)
		return (int)sd->args[2];
	if (sd->nr == SYS_tkill && sd->args[0] == 1 && sd->args[1] > 0 && sd->args[1] < 65)
		return (int)sd->args[1];
	return 0;
}

/* ENOENT from SECCOMP_IOCTL_NOTIF_RECV means two things: no task is left
 * on the filter, or a signal withdrew the pending notification of a live
 * worker (the kernel restarts its call, or returns EINTR to its handler,
 * and the next attempt notifies again). Only the first ends the watch:
 * the worker has exited (its pidfd is readable) or the listener hangs up. */
static bool nf_worker_gone(int fd, int pidfd)
{
	struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = fd, .events = POLLIN } };

	if (poll(p, 2, 0) < 0)
		return false;
	return (p[0].revents & (POLLIN | POLLHUP)) || (p[1].revents & POLLHUP);
}

enum nf_verdict nf_judge(int fd, pid_t pid, int pidfd, const struct policy *pol, const struct wk_config *loading,
			 const struct nfx_pool *xp, struct nfx_worker *xw, int *sig, char *text, size_t len)
{
	int host_err = 0;
	static struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	enum nf_verdict v = NF_CONTINUED;

	if (!sz.seccomp_notif && syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		snprintf(text, len, "seccomp notification sizes: %s", strerror(errno));
		return NF_VIOLATION;
	}
	req = calloc(1, sz.seccomp_notif);
	resp = calloc(1, sz.seccomp_notif_resp);
	if (!req || !resp) {
		snprintf(text, len, "out of memory reading a notification");
		v = NF_VIOLATION;
	} else if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		/* ENOENT: the worker died meanwhile (its exit will say why; stop
		 * watching a listener with no task left), or a signal withdrew
		 * the notification of a live one: keep watching. */
		if (errno == ENOENT) {
			if (nf_worker_gone(fd, pidfd))
				v = NF_GONE;
		} else if (errno != EINTR) {
			snprintf(text, len, "notification receive failed: %s", strerror(errno));
			v = NF_BROKEN;
		}
	} else if (pol && xw && !loading && nfx_judge(fd, pid, xp, xw, req, resp, &host_err)) {
		if (host_err) {
			*sig = host_err;
			v = NF_HOST_LIMIT;
		}
	} else if (pol && ((loading && policy_init_allows(pol, &req->data)) || policy_run_continues(pol, &req->data))) {
		if (!loading || !nf_serve_open(fd, pid, loading, req, resp, &host_err)) {
			resp->id = req->id;
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
		}
		if (host_err) {
			*sig = host_err;
			v = NF_HOST_LIMIT;
		}
	} else if ((*sig = nf_raised_signal(&req->data)) > 0) {
		snprintf(text, len, "SIG%s (raised by the plugin)", sysfmt_signame(*sig));
		v = NF_CRASHED;
	} else {
		/* The caller's memory: an exec worker's tool is not the worker. */
		pid_t caller = (pid_t)req->pid;

		sysfmt_format(&req->data, nf_read_mem, &caller, text, len);
		v = NF_VIOLATION;
	}
	free(req);
	free(resp);
	return v;
}
