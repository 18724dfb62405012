/* An exec worker's notifications; see notify_exec.h. Runs in the
 * supervisor. The runner and its child are single-threaded while the
 * fork and the exec are judged, and share no memory after the fork, so
 * the command line read from the child's memory is the one the kernel
 * then reads. The tool may have threads (if its profile allows them):
 * then a descriptor checked for an executable mapping could be replaced
 * by another thread before the kernel maps it; what it could map is
 * still only a file it can open, which the run filter and Landlock
 * decide (a memfd, if the profile allows memfd_create). */
#include "notify_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "notify_serve.h"
#include "worker/wk.h"

#define NFX_PRELOAD "/etc/ld.so.preload"
#define NFX_TOOL_NSPID 2
#define NFX_O_LARGEFILE 0100000 /* the kernel's, which glibc defines as 0 on x86-64 */

int nfx_pool_init(struct nfx_pool *xp, const struct wk_config *cfg, char *err, size_t errlen)
{
	const char *paths[WK_MAX_DEPS + 2];
	uint32_t n = 0;
	struct stat st;

	memset(xp, 0, sizeof(*xp));
	xp->cfg = cfg;
	paths[n++] = cfg->plugin;
	paths[n++] = cfg->interp;
	for (uint32_t i = 0; i < cfg->ndeps && i < WK_MAX_DEPS; i++)
		paths[n++] = cfg->deps[i];
	for (uint32_t i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			return -1;
		}
		xp->dev[i] = st.st_dev;
		xp->ino[i] = st.st_ino;
	}
	xp->nfiles = n;
	xp->uses = ipc_argv_uses(cfg);
	xp->buf = malloc(IPC_ARGV_BUF);
	if (!xp->buf || (xp->argc = ipc_argv_build(cfg, NULL, NULL, xp->buf, IPC_ARGV_BUF, xp->argv)) < 0) {
		snprintf(err, errlen, "%s", xp->buf ? "the tool's command line does not build" : "out of memory");
		nfx_pool_free(xp);
		return -1;
	}
	return 0;
}

void nfx_pool_free(struct nfx_pool *xp)
{
	free(xp->buf);
	xp->buf = NULL;
}

void nfx_worker_init(struct nfx_worker *xw)
{
	*xw = (struct nfx_worker){ .tool_pidfd = -1 };
}

void nfx_worker_free(struct nfx_worker *xw)
{
	if (xw->tool_pidfd >= 0)
		close(xw->tool_pidfd);
	nfx_worker_init(xw);
}

static void nfx_continue(int fd, const struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	resp->id = req->id;
	resp->val = 0;
	resp->error = 0;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* Whether descriptor target of process pidfd is one of the resolved set. */
static bool nfx_is_set_file(const struct nfx_pool *xp, int pidfd, int target)
{
	struct stat st;
	int got = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
	bool ok = false;

	if (got < 0)
		return false;
	if (fstat(got, &st) == 0 && S_ISREG(st.st_mode))
		for (uint32_t i = 0; i < xp->nfiles && !ok; i++)
			ok = st.st_dev == xp->dev[i] && st.st_ino == xp->ino[i];
	close(got);
	return ok;
}

/* The child's argv (and envp: empty) at addr equal the expected ones.
 * Each string read into a buffer of its expected size (the command line
 * is a few hundred KiB at most, and pools on several threads judge at
 * once: nothing static). */
static bool nfx_argv_matches(pid_t pid, const struct nfx_pool *xp, uint64_t argv, uint64_t envp)
{
	uint64_t ptrs[IPC_ARGV_SLOTS], env0 = 1;
	size_t want = ((size_t)xp->argc + 1) * sizeof(uint64_t);
	struct iovec l = { ptrs, want }, r = { (void *)(uintptr_t)argv, want };
	struct iovec le = { &env0, sizeof(env0) }, re = { (void *)(uintptr_t)envp, sizeof(env0) };
	bool ok = true;

	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)want || ptrs[xp->argc] != 0)
		return false;
	if (process_vm_readv(pid, &le, 1, &re, 1, 0) != (ssize_t)sizeof(env0) || env0 != 0)
		return false;
	for (int i = 0; i < xp->argc && ok; i++) {
		size_t n = strlen(xp->argv[i]) + 1;
		char *s = malloc(n);

		ok = s && nf_read_string(pid, ptrs[i], s, n) == 0 && !strcmp(s, xp->argv[i]);
		free(s);
	}
	return ok;
}

/* The child's exec: execveat(WK_FD_INTERP, "", argv, {NULL}, AT_EMPTY_PATH)
 * with the expected argv, its descriptor the interpreter itself. Its
 * pidfd is kept for the tool's life (checked against the notification
 * after it is opened: the pid was still the caller's). */
static bool nfx_exec(int fd, const struct nfx_pool *xp, struct nfx_worker *xw, const struct seccomp_notif *req)
{
	const struct seccomp_data *sd = &req->data;
	char path[2];
	int pidfd;

	if (sd->args[0] != WK_FD_INTERP || sd->args[4] != AT_EMPTY_PATH ||
	    nf_read_string((pid_t)req->pid, sd->args[1], path, sizeof(path)) < 0 || path[0] ||
	    !nfx_argv_matches((pid_t)req->pid, xp, sd->args[2], sd->args[3]))
		return false;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)req->pid, 0);
	if (pidfd < 0)
		return false;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0 || !nfx_is_set_file(xp, pidfd, WK_FD_INTERP)) {
		close(pidfd);
		return false;
	}
	xw->execed = true;
	xw->tool = (pid_t)req->pid;
	xw->tool_pidfd = pidfd;
	return true;
}

/* An executable mapping by the tool: private, not writable, of a file of
 * the resolved set (its loader mapping the tool and its libraries). */
static bool nfx_mmap_exec(const struct nfx_pool *xp, const struct nfx_worker *xw, const struct seccomp_data *sd)
{
	uint64_t prot = sd->args[2], flags = sd->args[3];

	return (prot & PROT_EXEC) && !(prot & PROT_WRITE) && !(flags & MAP_ANONYMOUS) &&
	       (flags & MAP_TYPE) == MAP_PRIVATE && sd->args[4] <= INT32_MAX &&
	       nfx_is_set_file(xp, xw->tool_pidfd, (int)sd->args[4]);
}

/* The loader's one look for a preload list, answered "no such file" as
 * the empty root would: access("/etc/ld.so.preload", R_OK). */
static bool nfx_preload_probe(const struct seccomp_notif *req)
{
	const struct seccomp_data *sd = &req->data;
	char path[sizeof(NFX_PRELOAD)];
	uint64_t addr;

	if (sd->nr == SYS_access)
		addr = sd->args[0];
	else if ((sd->nr == SYS_faccessat || sd->nr == SYS_faccessat2) && (int)sd->args[0] == AT_FDCWD)
		addr = sd->args[1];
	else
		return false;
	return nf_read_string((pid_t)req->pid, addr, path, sizeof(path)) == 0 && !strcmp(path, NFX_PRELOAD);
}

/* The runner's open of {in} (before the fork) or {out} (after the exec),
 * once each and only when the template uses it: openat(AT_FDCWD, the
 * exact path, the exact flags). The runner is single-threaded and the
 * tool shares no memory with it, so the path compared is the path opened;
 * the file is in the scratch tmpfs (Landlock grants nothing else there). */
static bool nfx_scratch_open(const struct nfx_pool *xp, struct nfx_worker *xw, const struct seccomp_notif *req)
{
	const struct seccomp_data *sd = &req->data;
	uint64_t flags = sd->args[2] & ~(uint64_t)NFX_O_LARGEFILE;
	char path[sizeof(IPC_ARGV_OUT) > sizeof(IPC_ARGV_IN) ? sizeof(IPC_ARGV_OUT) : sizeof(IPC_ARGV_IN)];

	if (sd->nr != SYS_openat || (int)sd->args[0] != AT_FDCWD ||
	    nf_read_string((pid_t)req->pid, sd->args[1], path, sizeof(path)) < 0)
		return false;
	if ((xp->uses & IPC_ARGV_USES_IN) && !xw->forked && !xw->in_opened && !strcmp(path, IPC_ARGV_IN) &&
	    flags == IPC_ARGV_IN_FLAGS && (sd->args[3] & 07777) == IPC_ARGV_IN_MODE)
		return xw->in_opened = true;
	if ((xp->uses & IPC_ARGV_USES_OUT) && xw->execed && !xw->out_opened && !strcmp(path, IPC_ARGV_OUT) &&
	    flags == IPC_ARGV_OUT_FLAGS)
		return xw->out_opened = true;
	return false;
}

bool nfx_judge(int fd, pid_t pid, const struct nfx_pool *xp, struct nfx_worker *xw, const struct seccomp_notif *req,
	       struct seccomp_notif_resp *resp, int *host_err)
{
	const struct seccomp_data *sd = &req->data;
	bool runner = (pid_t)req->pid == pid;

	if (sd->arch != AUDIT_ARCH_X86_64)
		return false;
	if (runner && xp->uses && nfx_scratch_open(xp, xw, req)) {
		nfx_continue(fd, req, resp);
		return true;
	}
	if (sd->nr == SYS_clone && runner && !xw->forked && sd->args[0] == SIGCHLD && sd->args[1] == 0) {
		xw->forked = true;
		nfx_continue(fd, req, resp);
		return true;
	}
	if (sd->nr == SYS_execveat && !runner && xw->forked && !xw->execed && nfx_exec(fd, xp, xw, req)) {
		nfx_continue(fd, req, resp);
		return true;
	}
	if (!xw->execed || runner)
		return false;
	/* The tool, from here on (itself or its threads). */
	if (nf_serve_open(fd, (pid_t)req->pid, xp->cfg, req, resp, host_err))
		return true;
	if (sd->nr == SYS_mmap && nfx_mmap_exec(xp, xw, sd)) {
		nfx_continue(fd, req, resp);
		return true;
	}
	/* glibc's start reads its own stack limit: prlimit64(0, RESOURCE,
	 * NULL, &old), a query (the new limit's pointer, a register, NULL)
	 * that changes nothing; prlimit64 itself stays dangerous. */
	if (sd->nr == SYS_prlimit64 && sd->args[0] == 0 && sd->args[2] == 0) {
		nfx_continue(fd, req, resp);
		return true;
	}
	/* abort() or raise() in the tool: a signal to itself, tgkill(2, 2,
	 * SIG). The tool is pid 2 of the worker's pid namespace (the runner,
	 * pid 1, forks exactly once and nothing else ever starts there), so
	 * this reaches no other process; its death is reported as a crash. */
	if (sd->nr == SYS_tgkill && sd->args[0] == NFX_TOOL_NSPID && sd->args[1] == NFX_TOOL_NSPID &&
	    sd->args[2] > 0 && sd->args[2] < 65) {
		nfx_continue(fd, req, resp);
		return true;
	}
	if (nfx_preload_probe(req)) {
		nf_fail_call(fd, req->id, resp, ENOENT);
		return true;
	}
	return false;
}
