/* The exec runner (caisson exec): what an exec worker runs instead of a
 * plugin. Runs in the fully locked worker (wk_lockdown.c), as hostile as
 * any; the supervisor lets it fork exactly once and its child exec the
 * tool's interpreter exactly once, with the command line it expects
 * (supervisor/broker/notify_exec.c). Per request (one per worker): fork;
 * the child execs the interpreter by its descriptor, which loads the tool
 * and its libraries as descriptors the supervisor serves; the runner
 * writes the input to the tool's stdin, relays its stdout as the answer
 * (bounded by the output cap), copies its stderr to the log and keeps the
 * last line, and reports its end: exit 0 = OK, exit N = "exit N: line",
 * a signal = IPC_EXEC_SIGNALED | signal. With {in} in the template the
 * input goes to IPC_ARGV_IN in the scratch directory instead, with {out}
 * the answer is IPC_ARGV_OUT read back after exit 0 (stdout then goes to
 * the log). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caisson_plugin.h"
#include "ipc_argv.h"
#include "wk.h"
#include "wk_req_args.h"

#define WK_EXEC_LINE 200u

static const struct wk_config *wk_exec_cfg;
static unsigned wk_exec_uses; /* IPC_ARGV_USES_IN, _OUT: the template's files */
static char wk_exec_buf[IPC_ARGV_BUF];
static uint8_t wk_exec_chunk[16384];

/* The tool's three standard descriptors are pipes made during the
 * lockdown, before the filter: 0, 1 and 2 are the tool's ends (not
 * close-on-exec), the runner holds the other ends (close-on-exec and
 * non-blocking) and its log pipe at WK_FD_EXEC_LOG; the IPC socket
 * becomes close-on-exec, so the tool never holds it. Each end is first
 * moved above the map, then put in place. */
int wk_exec_fds(struct wk_detail *d)
{
	int p[3][2], mine[3] = { WK_FD_TOOL_IN, WK_FD_TOOL_OUT, WK_FD_TOOL_ERR };

	snprintf(d->text, sizeof(d->text), "exec runner's descriptor map");
	if (dup3(WK_FD_LOG, WK_FD_EXEC_LOG, O_CLOEXEC) < 0 || fcntl(WK_FD_IPC, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		int raw[2];

		if (pipe2(raw, O_CLOEXEC) < 0)
			return -1;
		for (int k = 0; k < 2; k++) {
			p[i][k] = fcntl(raw[k], F_DUPFD_CLOEXEC, WK_FD_TOOL_ERR + 1);
			close(raw[k]);
			if (p[i][k] < 0)
				return -1;
		}
	}
	/* Stdin: the tool reads p[0][0]; stdout and stderr: it writes [1]. */
	for (int i = 0; i < 3; i++) {
		int tool = i == 0 ? p[0][0] : p[i][1], runner = i == 0 ? p[0][1] : p[i][0];

		if (dup2(tool, i) < 0 || dup3(runner, mine[i], O_CLOEXEC) < 0 ||
		    fcntl(mine[i], F_SETFL, O_NONBLOCK) < 0)
			return -1;
	}
	return (int)syscall(SYS_close_range, WK_FD_TOOL_ERR + 1, ~0u, 0);
}

void wk_exec_prepare(const struct wk_config *cfg)
{
	wk_exec_cfg = cfg;
	wk_exec_uses = ipc_argv_uses(cfg);
}

/* {in}: the input, written to the scratch directory before the fork (the
 * tool's stdin is then empty). 0, or -1 with the reason in out's error. */
static int wk_exec_write_in(const uint8_t *in, size_t len, caisson_out *out)
{
	int fd = open(IPC_ARGV_IN, IPC_ARGV_IN_FLAGS, IPC_ARGV_IN_MODE);
	char text[96];

	for (size_t off = 0; fd >= 0 && off < len;) {
		ssize_t w = write(fd, in + off, len - off);

		if (w <= 0) {
			close(fd);
			fd = -1;
			break;
		}
		off += (size_t)w;
	}
	if (fd < 0 || close(fd) < 0) {
		snprintf(text, sizeof(text), "writing the input to " IPC_ARGV_IN ": %s", strerror(errno));
		caisson_out_error(out, text);
		return -1;
	}
	return 0;
}

/* {out}: the answer, read back from the scratch directory after exit 0;
 * bounded by the output cap as stdout is. */
static int wk_exec_read_out(caisson_out *out)
{
	int fd = open(IPC_ARGV_OUT, IPC_ARGV_OUT_FLAGS);
	char text[96];
	ssize_t r = 0;

	while (fd >= 0 && (r = read(fd, wk_exec_chunk, sizeof(wk_exec_chunk))) > 0)
		if (caisson_out_write(out, wk_exec_chunk, (size_t)r) < 0)
			break;
	if (fd < 0 || r < 0) {
		snprintf(text, sizeof(text), "the tool wrote no readable " IPC_ARGV_OUT ": %s", strerror(errno));
		caisson_out_error(out, text);
	}
	if (fd >= 0)
		close(fd);
	return fd < 0 || r != 0 ? 1 : 0;
}

static const char *wk_exec_lookup(const void *ctx, const char *key, size_t len)
{
	const struct wk_req_args *ra = ctx;

	for (uint32_t i = 0; ra && i < ra->n && i < WK_REQ_ARGS_MAX; i++)
		if (strlen(ra->kv[i].key) == len && !memcmp(ra->kv[i].key, key, len))
			return ra->kv[i].val;
	return NULL;
}

int wk_exec_argv(const struct wk_config *cfg, const struct wk_req_args *ra, char **argv)
{
	return ipc_argv_build(cfg, wk_exec_lookup, ra, wk_exec_buf, sizeof(wk_exec_buf), argv);
}

/* The child: the interpreter, by the descriptor the zygote opened, with an
 * empty environment. Only if that fails does it say why, on the tool's
 * stderr, and exit 127 (as a shell does for a command it cannot run). */
static void __attribute__((noreturn)) wk_exec_child(char **argv)
{
	static char *const envp[] = { NULL };
	static const char msg[] = "caisson exec: execveat of the interpreter failed\n";

	syscall(SYS_execveat, WK_FD_INTERP, "", argv, envp, AT_EMPTY_PATH);
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

/* The tool's stderr: copied to the log (best effort: the log pipe is
 * bounded and non-blocking) and its last non-empty line kept. */
struct wk_exec_err {
	char cur[WK_EXEC_LINE + 1], last[WK_EXEC_LINE + 1];
	size_t n;
};

static void wk_exec_stderr(struct wk_exec_err *e, const uint8_t *b, size_t n)
{
	(void)!write(WK_FD_EXEC_LOG, b, n);
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			if (e->n) {
				memcpy(e->last, e->cur, e->n);
				e->last[e->n] = '\0';
			}
			e->n = 0;
		} else if (e->n < WK_EXEC_LINE) {
			e->cur[e->n++] = (char)b[i];
		}
	}
}

/* Relays until the tool has closed its stdout and stderr: the input into
 * its stdin (then closed), stdout into the answer, stderr as above. -1
 * once the answer is over the cap (the supervisor has seen the extra byte
 * and ends the worker) or a relay fails. */
static int wk_exec_relay(const uint8_t *in, size_t len, caisson_out *out, struct wk_exec_err *e)
{
	struct pollfd p[3] = { { WK_FD_TOOL_IN, POLLOUT, 0 }, { WK_FD_TOOL_OUT, POLLIN, 0 },
			       { WK_FD_TOOL_ERR, POLLIN, 0 } };
	size_t off = 0;

	if (!len || (wk_exec_uses & IPC_ARGV_USES_IN)) {
		close(WK_FD_TOOL_IN);
		p[0].fd = -1;
	}
	while (p[1].fd >= 0 || p[2].fd >= 0) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].fd >= 0 && p[0].revents) {
			/* A tool that stops reading its input (EPIPE: SIGPIPE is
			 * ignored by the runner; or POLLERR) simply gets no more
			 * of it. */
			bool done = !(p[0].revents & POLLOUT);
			ssize_t w = done ? 0 : write(WK_FD_TOOL_IN, in + off, len - off);

			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN)
				done = true;
			if (done || off == len) {
				close(WK_FD_TOOL_IN);
				p[0].fd = -1;
			}
		}
		for (int i = 1; i < 3; i++) {
			ssize_t r;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			r = read(p[i].fd, wk_exec_chunk, sizeof(wk_exec_chunk));
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else if (i == 2) {
				wk_exec_stderr(e, wk_exec_chunk, (size_t)r);
			} else if (wk_exec_uses & IPC_ARGV_USES_OUT) {
				/* The answer is {out}: stdout is only logged. */
				(void)!write(WK_FD_EXEC_LOG, wk_exec_chunk, (size_t)r);
			} else if (caisson_out_write(out, wk_exec_chunk, (size_t)r) < 0) {
				return -1;
			}
		}
	}
	if (p[0].fd >= 0)
		close(WK_FD_TOOL_IN);
	return 0;
}

/* One request: the handler the runtime calls as it would a plugin's. */
int wk_exec_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	static char *argv[IPC_ARGV_SLOTS];
	struct wk_exec_err e = { .n = 0 };
	char text[IPC_ARGV_KEY_MAX + WK_EXEC_LINE + 32];
	int status = 0;
	pid_t pid;

	if (wk_exec_argv(wk_exec_cfg, NULL, argv) < 0) {
		caisson_out_error(out, "the tool's command line does not fit, or names an argument the request lacks");
		return 1;
	}
	if ((wk_exec_uses & IPC_ARGV_USES_IN) && wk_exec_write_in(in, len, out) < 0)
		return 1;
	/* A plain fork, the one the supervisor allows (flags SIGCHLD alone). */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		wk_exec_child(argv);
	close(0);
	close(1);
	close(2);
	if (pid < 0) {
		caisson_out_error(out, "fork of the tool failed");
		return 1;
	}
	if (wk_exec_relay(in, len, out, &e) < 0)
		return 1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (e.n) {
		memcpy(e.last, e.cur, e.n);
		e.last[e.n] = '\0';
	}
	if (WIFSIGNALED(status)) {
		caisson_out_error(out, e.last);
		return (int)(IPC_EXEC_SIGNALED | (unsigned)WTERMSIG(status));
	}
	if (WEXITSTATUS(status) == 0)
		return wk_exec_uses & IPC_ARGV_USES_OUT ? wk_exec_read_out(out) : 0;
	snprintf(text, sizeof(text), "exit %d: %s", WEXITSTATUS(status), e.last);
	caisson_out_error(out, text);
	return WEXITSTATUS(status);
}
