/* The worker's descriptor map (see wk.h): moves the three inherited fds
 * (four for an exec worker: its interpreter) to their fixed numbers and
 * closes everything else. Runs in the worker child
 * before seccomp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include "wk.h"

/* Moves fd to want without clobbering the others (they are above 4 or
 * already in place because the zygote passes them high). */
static int place(int fd, int want, struct wk_detail *d)
{
	if (fd == want)
		return fcntl(fd, F_SETFD, 0);
	if (dup2(fd, want) < 0) {
		snprintf(d->text, sizeof(d->text), "dup2(%d, %d)", fd, want);
		return -1;
	}
	close(fd);
	return 0;
}

int wk_fds_arrange(int ipc, int sync, int log, int interp, struct wk_detail *d)
{
	int keep = interp >= 0 ? WK_FD_INTERP : WK_FD_SYNC;

	/* The interpreter's descriptor first goes above every fd placed
	 * here, so that no placement clobbers it, then to WK_FD_INTERP. */
	if (interp >= 0 && (interp = fcntl(interp, F_DUPFD_CLOEXEC, WK_FD_TOOL_ERR + 1)) < 0) {
		snprintf(d->text, sizeof(d->text), "move the interpreter's descriptor");
		return -1;
	}
	if (ipc <= WK_FD_SYNC || sync <= WK_FD_SYNC || log <= WK_FD_SYNC) {
		snprintf(d->text, sizeof(d->text), "inherited fds %d/%d/%d too low", ipc, sync, log);
		errno = EBADF;
		return -1;
	}
	if (place(ipc, WK_FD_IPC, d) < 0 || place(sync, WK_FD_SYNC, d) < 0 ||
	    place(log, WK_FD_LOG, d) < 0)
		return -1;
	if (interp >= 0 && dup3(interp, WK_FD_INTERP, O_CLOEXEC) < 0) {
		snprintf(d->text, sizeof(d->text), "dup3(%d, %d)", interp, WK_FD_INTERP);
		return -1;
	}
	if (syscall(SYS_close_range, keep + 1, ~0u, 0) < 0) {
		snprintf(d->text, sizeof(d->text), "close_range(%d, ~0)", keep + 1);
		return -1;
	}
	close(0);
	close(1);
	if (fcntl(WK_FD_LOG, F_SETFL, O_WRONLY | O_NONBLOCK) < 0) {
		snprintf(d->text, sizeof(d->text), "log pipe O_NONBLOCK");
		return -1;
	}
	return 0;
}
