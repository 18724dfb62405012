/* caisson-zygote: the clean, freshly exec'd image every worker is cloned
 * from, so no worker ever holds a copy of the embedding service's memory.
 * Started by the supervisor with posix_spawn (no fork of the caller), an
 * empty environment and fd 3 = control socket; runs as the supervisor's
 * user (root: it writes each worker's uid map to a distinct host uid). It
 * never loads plugin code and never sees request data (a worker's bulk
 * regions pass through it to the child unmapped). It dies with the
 * supervisor, and every worker dies with it; when the supervisor closes
 * the channel it kills and reaps every worker, then exits (zy_reap.c). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_codec.h"
#include "ipc_config.h"
#include "ipc_io.h"
#include "wire.h"
#include "wk.h"
#include "zy.h"

#define ZY_LOCK_TIMEOUT_MS 5000
#define ZY_SPARE_IDLE_MS 2

static struct wk_config cfg;
/* As root: our own mount namespace, root and working directory, to come
 * back to after emptying a worker's root (clear_root); -1 otherwise. */
static int zy_mnt = -1, zy_root = -1, zy_cwd = -1;
/* As root: our own network and ipc namespaces, and the next worker's,
 * made ahead (make_spares); -1 when there are none. zy_home[0] < 0: no
 * spares. */
#define ZY_SPARE_KINDS 2
static int zy_home[ZY_SPARE_KINDS] = { -1, -1 }, zy_spare[ZY_SPARE_KINDS] = { -1, -1 };
/* As root, for a configuration without data binds: the mount namespace
 * every worker is cloned in (make_empty_root); -1 otherwise. */
static int zy_empty_mnt = -1;
/* /proc/sys/user, for every worker to set its own user namespace's
 * max_user_namespaces through (wk_userns_forbid_nested): it has no /proc. */
static int zy_sysuser = -1;
/* An exec configuration's interpreter (wk_exec.c), opened once here and
 * inherited by every worker as WK_FD_INTERP; -1 otherwise. */
static int zy_interp = -1;
_Static_assert(WK_MAX_CGROUPS == 2, "spawn() closes cg[0] and cg[1]");
static uint8_t zbuf[IPC_HDR_LEN + IPC_CONFIG_MAX];

static void __attribute__((noreturn)) fatal(const char *what)
{
	fprintf(stderr, "caisson-zygote: %s: %s\n", what, strerror(errno));
	zy_end(1);
}

/* A report to the supervisor could not be sent. EPIPE or ECONNRESET: the
 * supervisor closed the channel (its normal shutdown, which may cross a
 * report in flight), so this is the end, not an error: end silently,
 * every worker killed and reaped (zy_end). Anything else is fatal. */
static void __attribute__((noreturn)) send_failed(const char *what)
{
	if (errno == EPIPE || errno == ECONNRESET)
		zy_end(0);
	fatal(what);
}

static void report_fail(uint64_t id, uint32_t step, int err, const char *text)
{
	uint8_t p[8 + IPC_TEXT_MAX];
	size_t n;

	wire_put32(p, step);
	wire_put32(p + 4, (uint32_t)err);
	n = ipc_text_put(p + 8, text);
	if (ipc_send(ZY_FD_CTL, IPC_Z_SPAWN_FAILED, id, p, (uint32_t)(8 + n), NULL, 0) < 0)
		send_failed("send SPAWN_FAILED");
}

/* A spawn that failed after clone3: report it, and kill the child
 * (SIGKILL through its pidfd; it is reaped like any worker). */
static void report_kill(uint64_t id, int pidfd, uint32_t step, int err, const char *text)
{
	report_fail(id, step, err, text);
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* In the child, between clone3 and the lockdown: only the three fds it
 * needs survive (wk_fds_arrange closes the rest) and signals are reset. */
static void __attribute__((noreturn)) child(int ipc, int sync, int log, const struct wk_inherited *in)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	wk_lockdown(&cfg, ipc, sync, log, in);
	wk_runtime_main(&cfg);
}

/* Opens, for the child, the v1 "tasks" file of each cgroup the supervisor
 * made and limited for this slot. The child writes "0" to them first thing
 * (wk_lockdown), so nothing it runs is ever outside them: moving oneself,
 * one thread, is the one migration the kernel does without taking the
 * global cgroup_threadgroup_rwsem for writing, which waits for an RCU
 * grace period (~10 ms here, most of a cold spawn when the zygote wrote
 * the child's pid to cgroup.procs). Opened here: the kernel checks the
 * opener's credentials, ours. A v2 hierarchy has no tasks file (and a
 * single directory): *v2 is set and the zygote moves the child by pid. */
/* Slot's cgroup file in hierarchy i: <dir>/w<slot>/file, or <dir>/file
 * for a flat pool (wk_config.cgroup_flat). */
static void cgroup_file(uint32_t i, uint32_t slot, const char *file, char *path, size_t len)
{
	if (cfg.cgroup_flat)
		snprintf(path, len, "%s/%s", cfg.cgroups[i], file);
	else
		snprintf(path, len, "%s/w%u/%s", cfg.cgroups[i], slot, file);
}

static int open_cgroups(uint32_t slot, int *cg, bool *v2, struct wk_detail *d)
{
	char path[WK_PATH_MAX + 32];

	*v2 = false;
	for (uint32_t i = 0; i < cfg.ncgroups; i++) {
		cgroup_file(i, slot, "tasks", path, sizeof(path));
		snprintf(d->text, sizeof(d->text), "%.200s", path);
		cg[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (cg[i] < 0 && errno == ENOENT && cfg.ncgroups == 1) {
			*v2 = true;
			return 0;
		}
		if (cg[i] < 0)
			return -1;
	}
	return 0;
}

/* cgroup v2: puts the child in the slot's cgroup while it runs its
 * lockdown and before it is released to load the plugin. */
static int join_cgroup_v2(pid_t pid, uint32_t slot, struct wk_detail *d)
{
	char path[WK_PATH_MAX + 32], num[16];
	int n = snprintf(num, sizeof(num), "%d", (int)pid), fd;
	ssize_t w;

	cgroup_file(0, slot, "cgroup.procs", path, sizeof(path));
	snprintf(d->text, sizeof(d->text), "%.200s", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = write(fd, num, (size_t)n);
	close(fd);
	return w == n ? 0 : -1;
}

/* A new network namespace is most of a cold spawn's clone3 (the kernel
 * registers a loopback device and the namespace's sysctl tables: ~0.5 of
 * ~0.9 ms on the development VM), and a new ipc namespace a further tenth
 * (its sysctl tables and an mqueue mount). As root, the zygote makes the
 * next worker's two ahead, once it has been idle for ZY_SPARE_IDLE_MS (so
 * the work never competes with a spawn in progress), and clones the worker
 * inside them. Each is entered by exactly one worker and never reused; it
 * is as empty as one clone3 makes (a loopback device, down; no IPC object)
 * and owned by the host's user namespace, so the worker holds no
 * capability over it, not even before it drops its own. The first pair is
 * made at start instead (main). Any failure here
 * ends spares for the zygote's life: clone3 makes every namespace, as
 * unprivileged. */
static const struct {
	int flag;
	const char *path;
} zy_kinds[ZY_SPARE_KINDS] = { { CLONE_NEWNET, "/proc/self/ns/net" }, { CLONE_NEWIPC, "/proc/self/ns/ipc" } };

static void no_spares(void)
{
	for (int i = 0; i < ZY_SPARE_KINDS; i++) {
		close(zy_home[i]);
		zy_home[i] = -1;
	}
}

/* Back to our own namespaces, from the spares or from unshare: a zygote
 * that cannot must not go on, or it would put later workers in these. */
static void leave_spares(void)
{
	for (int i = 0; i < ZY_SPARE_KINDS; i++)
		if (setns(zy_home[i], zy_kinds[i].flag) < 0)
			fatal("return to the zygote's network and ipc namespaces");
}

/* Spawns so far. The first worker's spares are made at start, while the
 * supervisor is busy with its profile; the next ones from the second
 * spawn on: a zygote asked for one worker (a one-shot command) may never
 * be asked for another, and a network namespace made for nothing costs as
 * much again to tear down. */
static unsigned zy_spawns;

static void make_spares(void)
{
	bool ok = true;

	if (unshare(CLONE_NEWNET | CLONE_NEWIPC) < 0) {
		no_spares();
		return;
	}
	for (int i = 0; i < ZY_SPARE_KINDS; i++)
		ok = ok && (zy_spare[i] = open(zy_kinds[i].path, O_RDONLY | O_CLOEXEC)) >= 0;
	leave_spares();
	if (!ok) {
		for (int i = 0; i < ZY_SPARE_KINDS; i++) {
			if (zy_spare[i] >= 0)
				close(zy_spare[i]);
			zy_spare[i] = -1;
		}
		no_spares();
	}
}

/* Enters the spares, for the clone3 that follows; -1 (and back home) when
 * one cannot be entered. */
static int enter_spares(void)
{
	for (int i = 0; i < ZY_SPARE_KINDS; i++)
		if (setns(zy_spare[i], zy_kinds[i].flag) < 0) {
			int saved = errno;
			leave_spares();
			errno = saved;
			return -1;
		}
	return 0;
}

/* After clone3 in the spares: back home, and they are spent. */
static void spend_spares(void)
{
	leave_spares();
	for (int i = 0; i < ZY_SPARE_KINDS; i++) {
		close(zy_spare[i]);
		zy_spare[i] = -1;
	}
}

/* Back to our own mount namespace, root and working directory (setns
 * into a mount namespace resets both). A zygote that cannot must not go
 * on: it would clone later workers, or empty roots, in the wrong place. */
static void return_home(void)
{
	if (setns(zy_mnt, CLONE_NEWNS) < 0 || fchdir(zy_root) < 0 || chroot(".") < 0 || fchdir(zy_cwd) < 0)
		fatal("return to the zygote's mount namespace");
}

/* A worker's root is an empty read-only tmpfs, and nothing else is in its
 * mount namespace. Built per worker, that is a copy of the host's whole
 * mount tree at clone3, made private, a tmpfs, pivot_root and the old
 * tree detached: ~0.2 ms of a spawn here. As root, for a configuration
 * without data binds, the zygote builds it once: a mount namespace whose
 * whole tree is one empty tmpfs, read-only down to its superblock (ours,
 * in the host's user namespace: no worker can ever remount or write it),
 * reached by the same pivot_root and detach, and clones each worker inside
 * it, so the worker's own mount namespace is a copy of that one mount,
 * locked read-only by the kernel as it crosses into the worker's user
 * namespace. The old tree is reached through a /proc opened before it is
 * detached. With data binds, or on any failure here, each child builds
 * its root itself (wk_mount.c). Made at start, before the configuration
 * says whether it has data binds: it is dropped if it has. */
static void make_empty_root(void)
{
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (proc < 0 || unshare(CLONE_NEWNS) < 0) {
		if (proc >= 0)
			close(proc);
		return;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("caisson", "/tmp", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,nr_inodes=1,mode=0555") == 0 &&
	    chdir("/tmp") == 0 && syscall(SYS_pivot_root, ".", ".") == 0 && umount2(".", MNT_DETACH) == 0 &&
	    chdir("/") == 0)
		zy_empty_mnt = openat(proc, "self/ns/mnt", O_RDONLY | O_CLOEXEC);
	close(proc);
	return_home();
}

void zy_drop_namespaces(void)
{
	for (int *fd = (int[]){ zy_empty_mnt, zy_spare[0], zy_spare[1], zy_home[0], zy_home[1], zy_mnt, zy_root,
				zy_cwd, -2 };
	     *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	zy_empty_mnt = zy_spare[0] = zy_spare[1] = zy_home[0] = zy_home[1] = zy_mnt = zy_root = zy_cwd = -1;
}

/* clone3 with all seven namespaces: the new mount namespace a copy of the
 * empty root's, and the network and ipc namespaces the spares, where there
 * are: we enter them first, the child starts in them, and the parent
 * returns.
 * *empty_root: the child's root is already the empty one. -1 with *what
 * naming the step that failed. */
static pid_t clone_worker(int *pidfd, bool *empty_root, const char **what)
{
	bool spares = zy_spare[0] >= 0;
	struct clone_args ca = {
		.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | (spares ? 0 : CLONE_NEWNET | CLONE_NEWIPC) |
			 CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;

	*empty_root = zy_empty_mnt >= 0;
	*what = "enter the empty root's mount namespace";
	if (*empty_root && setns(zy_empty_mnt, CLONE_NEWNS) < 0)
		return -1;
	*what = "enter the network and ipc namespaces made ahead";
	if (spares && enter_spares() < 0) {
		int saved = errno;
		if (*empty_root)
			return_home();
		errno = saved;
		return -1;
	}
	*what = spares ? "clone3 with 5 namespaces, in the network and ipc namespaces made ahead"
		       : "clone3 with 7 namespaces";
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid != 0) {
		int saved = errno;
		if (spares)
			spend_spares();
		if (*empty_root)
			return_home();
		errno = saved;
	}
	return pid;
}

/* Waits for the child's verdict on the sync socket: Z_LOCKED with the
 * listener, or Z_LOCK_FAILED. The child is still trusted code here. */
static int await_lock(int sync, int *listener, struct ipc_msg *m)
{
	const struct ipc_expect ex = { .dir = IPC_C2Z, .state = ST_ANY };
	struct pollfd pfd = { .fd = sync, .events = POLLIN };
	static uint8_t buf[IPC_HDR_LEN + 8 + IPC_TEXT_MAX];
	int fds[IPC_MAX_FDS];
	unsigned nfds;
	size_t len;
	int r;

	r = poll(&pfd, 1, ZY_LOCK_TIMEOUT_MS);
	if (r <= 0) {
		errno = r == 0 ? ETIMEDOUT : errno;
		return -1;
	}
	r = ipc_recv(sync, buf, sizeof(buf), &len, fds, &nfds, 0);
	if (r <= 0) {
		errno = r == 0 ? ECHILD : errno;
		return -1;
	}
	if (ipc_decode(buf, len, fds, nfds, &ex, m) != IPC_OK) {
		ipc_close_fds(fds, nfds);
		errno = EPROTO;
		return -1;
	}
	*listener = m->type == IPC_Z_LOCKED ? m->fds[0] : -1;
	return 0;
}

/* One worker for slot. m: Z_SPAWN, or Z_SPAWN_SHM with the bulk regions,
 * which the child inherits (we never map them) and the caller closes. */
static void spawn(uint64_t id, const struct ipc_msg *m0)
{
	uint32_t slot = m0->u.spawn.slot;
	int sv[2] = { -1, -1 }, sy[2] = { -1, -1 }, lg[2] = { -1, -1 };
	int pidfd = -1, listener = -1, cg[WK_MAX_CGROUPS] = { -1, -1 };
	uint32_t host_uid = 0, ncg = 0;
	bool v2 = false, empty_root = false;
	const char *what = "";
	struct wk_detail d = { "" };
	struct ipc_msg m;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sy) < 0 ||
	    pipe2(lg, O_CLOEXEC) < 0) {
		report_fail(id, IPC_STEP_CLONE, errno, "socketpair/pipe");
		goto out;
	}
	if (open_cgroups(slot, cg, &v2, &d) < 0) {
		report_fail(id, IPC_STEP_CGROUP, errno, d.text);
		goto out;
	}
	ncg = v2 ? 0 : cfg.ncgroups;
	zy_spawns++;
	pid = clone_worker(&pidfd, &empty_root, &what);
	if (pid < 0) {
		report_fail(id, IPC_STEP_CLONE, errno, what);
		goto out;
	}
	if (pid > 0)
		zy_child_add(pid);
	if (pid == 0) {
		close(sv[0]);
		close(sy[0]);
		close(lg[0]);
		child(sv[1], sy[1], lg[1],
		      &(struct wk_inherited){ .cg = cg, .ncg = ncg, .empty_root = empty_root, .sysuser = zy_sysuser,
					      .interp = zy_interp,
					      .regions = m0->type != IPC_Z_SPAWN ? m0->fds : NULL,
					      .in_size = m0->u.spawn.in_size, .out_size = m0->u.spawn.out_size,
					      .cov_size = m0->u.spawn.cov_size });
	}
	close(sv[1]);
	close(sy[1]);
	close(lg[1]);
	sv[1] = sy[1] = lg[1] = -1;
	if (wk_userns_write_maps(pid, &cfg, slot, &host_uid, &d) < 0) {
		report_kill(id, pidfd, IPC_STEP_USERMAP, errno, d.text);
		goto out;
	}
	/* The child locks itself down (trusted code); under cgroup v2 we move
	 * it into its cgroup meanwhile, and it is released to load the plugin
	 * only after both. */
	if (write(sy[0], "g", 1) != 1) {
		report_kill(id, pidfd, IPC_STEP_SYNC, errno, "worker died before its lockdown");
		goto out;
	}
	if (v2 && join_cgroup_v2(pid, slot, &d) < 0) {
		report_kill(id, pidfd, IPC_STEP_CGROUP, errno, d.text);
		goto out;
	}
	if (await_lock(sy[0], &listener, &m) < 0) {
		report_kill(id, pidfd, IPC_STEP_SYNC, errno, "worker died or stalled during lockdown");
		goto out;
	}
	if (m.type == IPC_Z_LOCK_FAILED) {
		report_fail(id, m.u.fail.step, m.u.fail.err, m.u.fail.text.s);
	} else if (wk_rlimit_set_nofile(pid, &cfg, &d) < 0 || write(sy[0], "n", 1) != 1) {
		report_kill(id, pidfd, IPC_STEP_RLIMITS, errno, d.text[0] ? d.text : "release the worker");
	} else {
		uint8_t p[8];
		int fds[4] = { pidfd, sv[0], listener, lg[0] };

		wire_put32(p, (uint32_t)pid);
		wire_put32(p + 4, host_uid);
		if (ipc_send(ZY_FD_CTL, IPC_Z_SPAWNED, id, p, 8, fds, 4) < 0)
			send_failed("send SPAWNED");
	}
out:
	for (int *fd = (int[]){ sv[0], sv[1], sy[0], sy[1], lg[0], lg[1], pidfd, listener, cg[0], cg[1], -2 };
	     *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
}

/* The clear-root helper, for a zygote that is not root: joins the
 * worker's user namespace (owned by us: full capabilities there, none
 * outside; there is no way back, hence a child) and mount namespace
 * through its pidfd, and empties its root. It shares the zygote's memory
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page tables to copy
 * and no copy-on-write faults afterwards, and its verdict is written
 * straight into *a while the zygote waits. Not CLONE_FS or CLONE_FILES:
 * setns needs its own fs_struct, and its descriptors stay its own. */
struct clear_arg {
	int pidfd, err;
	pid_t zygote;
	struct wk_detail d;
};

static int clear_root_helper(void *arg)
{
	struct clear_arg *a = arg;

	if (setns(a->pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		a->err = errno;
		snprintf(a->d.text, sizeof(a->d.text), "setns into the worker");
		return 1;
	}
	/* Dies with the zygote, set after joining the user namespace (a
	 * credential change), and the zygote checked alive after. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != a->zygote) {
		a->err = getppid() != a->zygote ? ESRCH : errno;
		snprintf(a->d.text, sizeof(a->d.text), "die with the zygote");
		return 1;
	}
	if (wk_mount_clear_root(&cfg, &a->d) < 0) {
		a->err = errno ? errno : EIO;
		return 1;
	}
	return 0;
}

static void clear_by_helper(struct clear_arg *a)
{
	static uint8_t stack[256 * 1024] __attribute__((aligned(16)));
	int status = 0;
	pid_t h;

	h = clone(clear_root_helper, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	if (h < 0) {
		a->err = errno;
		snprintf(a->d.text, sizeof(a->d.text), "clone helper");
	} else if (waitpid(h, &status, 0) != h || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!a->err) {
			a->err = ECHILD;
			snprintf(a->d.text, sizeof(a->d.text), "helper died (status 0x%x)", (unsigned)status);
		}
	}
}

/* As root, the zygote needs no helper: CAP_SYS_ADMIN in our user
 * namespace covers the worker's, a descendant, so we join only its mount
 * namespace, empty its root, and return to our own (setns there resets
 * root and working directory, restored after). That saves a clone on
 * every spawn's path. A failure to return is fatal: the zygote must never
 * go on inside a worker's mount namespace. Returns -1 when setns needs
 * capabilities this root lacks (CAP_SYS_ADMIN, CAP_SYS_CHROOT): the
 * helper then does it, from now on. */
static int clear_in_place(struct clear_arg *a)
{
	if (setns(a->pidfd, CLONE_NEWNS) < 0) {
		if (errno == EPERM)
			return -1;
		a->err = errno;
		snprintf(a->d.text, sizeof(a->d.text), "setns into the worker's mount namespace");
		return 0;
	}
	if (wk_mount_clear_root(&cfg, &a->d) < 0)
		a->err = errno ? errno : EIO;
	return_home();
	return 0;
}

/* Empties a READY worker's root and reports Z_ROOT_CLEARED. A helper is
 * reaped here, before reap() can see it. */
static void clear_root(uint64_t id, int pidfd)
{
	struct clear_arg a = { .pidfd = pidfd, .zygote = getpid() };
	uint8_t msg[8 + IPC_TEXT_MAX];
	size_t n;

	if (zy_mnt >= 0 && clear_in_place(&a) < 0) {
		for (int *fd = (int[]){ zy_mnt, zy_root, zy_cwd, -2 }; *fd != -2; fd++)
			close(*fd);
		zy_mnt = zy_root = zy_cwd = -1;
	}
	if (zy_mnt < 0)
		clear_by_helper(&a);
	wire_put32(msg, IPC_STEP_CLEAR_ROOT);
	wire_put32(msg + 4, (uint32_t)a.err);
	n = ipc_text_put(msg + 8, a.err ? a.d.text : "");
	if (ipc_send(ZY_FD_CTL, IPC_Z_ROOT_CLEARED, id, msg, (uint32_t)(8 + n), NULL, 0) < 0)
		send_failed("send ROOT_CLEARED");
}

/* The exec interpreter, as the supervisor resolved it (a canonical path):
 * no symlink followed, a regular file the invoking user (our real uid)
 * may read, as the supervisor's served opens check (notify.c). */
static int open_interp(void)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_NO_SYMLINKS };
	struct stat st;

	if (faccessat(AT_FDCWD, cfg.interp, R_OK, 0) < 0)
		return -1;
	zy_interp = (int)syscall(SYS_openat2, AT_FDCWD, cfg.interp, &how, sizeof(how));
	if (zy_interp < 0)
		return -1;
	if (fstat(zy_interp, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

/* The spawn message this configuration takes: with the bulk regions, and
 * the coverage region for a fuzz target's workers. */
static enum ipc_type zy_spawn_type(void)
{
	if (cfg.cov_bytes)
		return IPC_Z_SPAWN_FUZZ;
	return wk_config_bulk_regions(&cfg) ? IPC_Z_SPAWN_SHM : IPC_Z_SPAWN;
}

/* One control message; the channel's end ends the zygote (zy_end). */
static void control(int *configured)
{
	const struct ipc_expect ex = { .dir = IPC_S2Z, .state = ST_ANY };
	int fds[IPC_MAX_FDS];
	unsigned nfds;
	size_t len;
	struct ipc_msg m;
	int r = ipc_recv(ZY_FD_CTL, zbuf, sizeof(zbuf), &len, fds, &nfds, 0);

	/* The supervisor closing the channel, even with messages unread, is
	 * the end: every worker is killed and reaped before we exit. */
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		zy_end(0);
	if (r < 0)
		fatal("receive control message");
	if ((r = ipc_decode(zbuf, len, fds, nfds, &ex, &m)) != IPC_OK) {
		fprintf(stderr, "caisson-zygote: bad control message: %s\n", ipc_strerror(r));
		zy_end(1);
	}
	if (m.type == IPC_Z_CONFIG && !*configured) {
		if (wk_config_decode(m.payload, m.len, &cfg) < 0)
			fatal("bad worker configuration");
		*configured = 1;
		if (cfg.exec && open_interp() < 0)
			fatal("open the exec interpreter");
		/* Made at start, for a configuration without binds, data or
		 * scratch: each of those is mounted by the child itself. */
		if ((cfg.nbinds || cfg.ndata || cfg.scratch_bytes) && zy_empty_mnt >= 0) {
			close(zy_empty_mnt);
			zy_empty_mnt = -1;
		}
	} else if (*configured && m.type == zy_spawn_type()) {
		/* With or without regions, as the configuration says: a worker
		 * never runs without the regions its limits need, or with any. */
		spawn(m.id, &m);
		ipc_close_fds(m.fds, m.nfds);
	} else if (m.type == IPC_Z_CLEAR_ROOT && *configured) {
		clear_root(m.id, m.fds[0]);
		close(m.fds[0]);
	} else {
		errno = EPROTO;
		fatal("control message out of order");
	}
}

int main(int argc, char **argv)
{
	sigset_t chld;
	struct pollfd pfd[2];
	int configured = 0;

	/* Die with the supervisor, and make sure it did not die already. */
	if (argc != 2 || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		fatal("usage: started by caisson only");
	if (getppid() != (pid_t)strtol(argv[1], NULL, 10))
		exit(1);
	/* Supplementary groups survive into a user namespace as kernel gids
	 * (shown as unmapped, still used for access checks) and a worker with
	 * setgroups denied could never drop them: drop them here, as root. */
	if (geteuid() == 0 && setgroups(0, NULL) < 0)
		fatal("setgroups");
	if (geteuid() == 0 &&
	    ((zy_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0 ||
	     (zy_home[0] = open(zy_kinds[0].path, O_RDONLY | O_CLOEXEC)) < 0 ||
	     (zy_home[1] = open(zy_kinds[1].path, O_RDONLY | O_CLOEXEC)) < 0 ||
	     (zy_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	     (zy_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0))
		fatal("open own mount, network and ipc namespaces, root and working directory");
	/* A worker without it fails its lockdown (fail closed), naming it. */
	zy_sysuser = open("/proc/sys/user", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* A terminal's ^C, a hangup or a SIGTERM sent to a whole process
	 * group or cgroup is the supervisor's to handle: it stops the work and
	 * closes the channel, and we kill and reap every worker on the way
	 * out. The supervisor spawned us with these blocked, so none can land
	 * before they are ignored; workers inherit the ignoring (they are only
	 * ever stopped by SIGKILL). SIGCHLD stays blocked, read by signalfd. */
	for (int *sig = (int[]){ SIGINT, SIGTERM, SIGHUP, SIGQUIT, 0 }; *sig; sig++)
		signal(*sig, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_SETMASK, &chld, NULL) < 0)
		fatal("sigprocmask");
	/* As root, what every spawn will use is made now, while the
	 * supervisor still parses its profile and compiles its filter (a
	 * one-shot command starts us first: zyg_launch): the empty root,
	 * dropped if the configuration has data binds, and the first
	 * worker's network and ipc namespaces (every worker gets both). */
	if (zy_mnt >= 0)
		make_empty_root();
	if (zy_home[0] >= 0)
		make_spares();
	pfd[0] = (struct pollfd){ .fd = ZY_FD_CTL, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK), .events = POLLIN };
	if (pfd[1].fd < 0)
		fatal("signalfd");
	for (;;) {
		int r = poll(pfd, 2, zy_home[0] >= 0 && zy_spare[0] < 0 && zy_spawns >= 2 ? ZY_SPARE_IDLE_MS : -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (r == 0) {
			make_spares();
			continue;
		}
		if (pfd[1].revents)
			zy_reap(pfd[1].fd);
		if (pfd[0].revents)
			control(&configured);
	}
}
