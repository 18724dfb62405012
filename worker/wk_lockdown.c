/* The confinement checklist. Runs in the worker child right after clone3
 * has put it in new user, pid, mount, net, ipc, uts and cgroup namespaces
 * (atomically, in the zygote). It holds full capabilities over those
 * namespaces only, and has run no plugin code. Every step is fatal: the
 * first failure sends Z_LOCK_FAILED (step, errno, detail) to the zygote,
 * which relays it to the supervisor as SPAWN_FAILED, and the child _exits. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ipc_codec.h"
#include "ipc_io.h"
#include "wire.h"
#include "wk.h"

extern char **environ;

static void __attribute__((noreturn)) die(int step, const struct wk_detail *d)
{
	uint8_t p[8];
	struct iovec iov[2] = { { p, 8 }, { (void *)d->text, strnlen(d->text, IPC_TEXT_MAX) } };

	wire_put32(p, (uint32_t)step);
	wire_put32(p + 4, (uint32_t)errno);
	ipc_sendv(WK_FD_SYNC, IPC_Z_LOCK_FAILED, 0, iov, 2, NULL, 0);
	_exit(127);
}

#define STEP(id, call)                        \
	do {                                  \
		if ((call) < 0)               \
			die(IPC_##id, &d);    \
	} while (0)

static int wait_for_maps(struct wk_detail *d)
{
	char go;

	/* The zygote writes our uid/gid maps, then sends one byte. EOF means
	 * it died or gave up: stop here. */
	if (read(WK_FD_SYNC, &go, 1) != 1) {
		if (errno == 0)
			errno = EPIPE;
		strcpy(d->text, "zygote closed the sync socket");
		return -1;
	}
	return 0;
}

/* Moves us, our only thread, into the slot's cgroups: "0" is the writer
 * itself, the one migration the kernel makes without the global
 * threadgroup lock (see open_cgroups in zygote.c). */
static int join_cgroups(const int *cg, uint32_t ncg, struct wk_detail *d)
{
	int rc = 0;

	strcpy(d->text, "write 0 to the worker's cgroup tasks");
	for (uint32_t i = 0; i < ncg; i++) {
		if (rc == 0 && write(cg[i], "0", 1) != 1)
			rc = -1;
		close(cg[i]);
	}
	return rc;
}

static int set_hostname(struct wk_detail *d)
{
	strcpy(d->text, "sethostname(caisson)");
	return sethostname("caisson", 7);
}

static int no_new_privs(struct wk_detail *d)
{
	strcpy(d->text, "PR_SET_NO_NEW_PRIVS");
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static int die_with_parent(struct wk_detail *d)
{
	strcpy(d->text, "PR_SET_PDEATHSIG SIGKILL");
	return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

/* The kernel clears the parent-death signal on every credential change
 * that alters an effective or filesystem id (or widens capabilities):
 * as root, wk_userns_switch() moves us from host uid 0 to the slot's uid
 * and clears it. So it is set again once the last credential change is
 * behind us. A zygote that died before this prctl would never signal us:
 * the Z_LOCKED/'n' exchange with it that ends the lockdown (step 14)
 * happens after this, so a zygote dead by then is seen there as an end of
 * file, and we exit. The plugin can never change credentials again: no
 * capabilities, and the dangerous list keeps setuid-class calls and prctl
 * out of every profile without an exception. */
static int die_with_parent_again(struct wk_detail *d)
{
	int sig = 0;

	strcpy(d->text, "PR_SET_PDEATHSIG SIGKILL after the credential change");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) < 0)
		return -1;
	if (sig != SIGKILL) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* The batch class: a worker woken by a request never preempts the
 * supervisor (or the service embedding it) on that CPU; it runs when the
 * sender yields or on another CPU, and a busy supervisor is not switched
 * out once per request. Not a confinement layer: lowering needs no
 * privilege, and raising above normal would need one the worker lacks. */
static int batch_class(struct wk_detail *d)
{
	const struct sched_param sp = { .sched_priority = 0 };

	strcpy(d->text, "sched_setscheduler(SCHED_BATCH)");
	return sched_setscheduler(0, SCHED_BATCH, &sp);
}

static int clear_env(struct wk_detail *d)
{
	strcpy(d->text, "clearenv");
	return environ && environ[0] ? clearenv() : 0;
}

/* Sends the listener, then waits until the zygote has lowered our
 * RLIMIT_NOFILE (see step 14): only recvmsg, sendmsg and close here, the
 * calls every run filter allows (the lint makes sure). */
static int hand_over_listener(int listener, struct wk_detail *d)
{
	char go = 0;
	struct iovec iov = { &go, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int rc = ipc_send(WK_FD_SYNC, IPC_Z_LOCKED, 0, NULL, 0, &listener, 1);

	strcpy(d->text, "send listener to zygote");
	if (rc < 0)
		return -1;
	close(listener);
	strcpy(d->text, "wait for the zygote to set RLIMIT_NOFILE");
	if (recvmsg(WK_FD_SYNC, &mh, 0) != 1 || go != 'n') {
		errno = errno ? errno : EPROTO;
		return -1;
	}
	close(WK_FD_SYNC);
	return 0;
}

/* An exec worker: the tool's pipes in the descriptor map (wk_exec.c), and
 * SIGPIPE ignored, so that a tool that stops reading its input costs the
 * runner a write error, not its life. The tool inherits the ignoring (an
 * exec keeps ignored signals ignored): its own writes to a closed pipe
 * fail with EPIPE instead of killing it. */
static int exec_runner(struct wk_detail *d)
{
	if (wk_exec_fds(d) < 0)
		return -1;
	strcpy(d->text, "ignore SIGPIPE");
	return signal(SIGPIPE, SIG_IGN) == SIG_ERR ? -1 : 0;
}

/*
 * The order, and why each step sits where it does:
 *  0  cgroups (v1): before anything else, so all we allocate and run is
 *     charged and limited there. (Under v2 the zygote moves us by pid
 *     meanwhile.) Then the bulk regions, mapped and their descriptors
 *     closed: no round trip to the supervisor before the plugin loads.
 *     Both before step 1, whose close_range would close what the zygote
 *     passed; a failure is reported once 1 is done.
 *     Then nested user namespaces forbidden (max_user_namespaces 0 in
 *     ours): here because it needs the zygote's /proc/sys/user, which
 *     step 1 closes, and CAP_SYS_RESOURCE over our namespace (until 9).
 *  1  fds: fixed map first, so every later failure can report on WK_FD_SYNC.
 *     An exec worker's pipes for its tool join the map here (exec_runner).
 *  2  die with parent: before anything that can block, so no orphan survives
 *     a dead zygote (the zygote itself dies with the supervisor). The
 *     kernel clears it at step 6 as root (a new host uid): see 9b.
 *  3  wait for uid/gid maps: identity-dependent steps need the maps.
 *  4  private mounts, the profile's data bind sources cloned (open_tree):
 *     still with the zygote's host identity, which can reach the paths
 *     the supervisor resolved; the new uid might lack search permission.
 *     Steps 4 and 7 are done already when the zygote cloned us inside its
 *     empty root (as root, without data binds: see make_empty_root): our
 *     mount namespace is then one empty tmpfs, read-only to its superblock.
 *  5  securebits locked (needs CAP_SETPCAP); NO_SETUID_FIXUP also keeps
 *     our namespace capabilities across the next step.
 *  6  identity (uid/gid 1000 inside): needs CAP_SETUID/CAP_SETGID, and
 *     must precede 7: an unmapped fsuid cannot create the mount points.
 *     Then a private session keyring: after 6, so it is the worker uid's
 *     (owner and quota), and before any plugin code can reach the inherited one.
 *  7  empty tmpfs root, read-only data binds, pivot_root, old root detached,
 *     root read-only: needs CAP_SYS_ADMIN over our mount namespace.
 *  8  hostname: needs CAP_SYS_ADMIN over our uts namespace.
 *  9  capabilities: bounding and ambient first (CAP_SETPCAP), then all sets.
 *  9b die with parent, again: after the last credential change (6 and 9),
 *     which cleared it; the exchange with the zygote at 14 proves it was
 *     still alive once this was set (die_with_parent_again).
 * 10  no_new_privs: seccomp without CAP_SYS_ADMIN requires it.
 * 11  rlimits: once caps are gone nothing can raise them back. All but
 *     RLIMIT_NOFILE: sending a descriptor fails (ETOOMANYREFS) once the
 *     sender's NOFILE is below the descriptors its user has in flight,
 *     and unprivileged workers all share the caller's user. The zygote
 *     sets it instead, hard and soft, at step 14.
 * 12  environment: empty (the zygote was started with none; verified here);
 *     scheduling class SCHED_BATCH (a hint, not a layer: see batch_class).
 *     Then Landlock: needs no_new_privs (10); its rules open the binds
 *     in the final root (7); before 13, whose run set need not allow it.
 * 13  seccomp with a listener: last kernel step, irreversible.
 * 14  hand the listener to the zygote, wait while it lowers our
 *     RLIMIT_NOFILE (prlimit as owner of our user namespace), close the
 *     sync socket, leaving exactly fds 2 and 3. The zygote's answer also
 *     shows it outlived 9b: a zygote that died before can no longer
 *     answer, and we exit on the end of file.
 * Only then does wk_runtime_main() dlopen the dependencies and the plugin:
 * that is the first instruction of plugin code (its ELF constructors), and
 * it runs under every layer above. The filter's init-only syscalls (the
 * loader's openat and executable mappings) go to the supervisor, which
 * allows them only until the worker reports READY after caisson_plugin_init;
 * from READY on, every notification kills the worker (the seal), but an
 * open/openat the run set allows (kept NOTIFY for the loader), which it
 * continues under Landlock and the empty root. The
 * plugin and its libraries are never in the root: the supervisor answers
 * the loader's opens of them with descriptors it opened (notify.c). With
 * data binds, after READY and before the first request, the zygote (or,
 * unprivileged, its helper) empties the root (wk_mount_clear_root): the
 * binds are for loading and init only.
 */
void wk_lockdown(const struct wk_config *cfg, int ipc, int sync, int log, const struct wk_inherited *in)
{
	struct wk_detail d = { "" }, d0 = { "" };
	int trees[WK_MAX_TREES];
	int step = 0, listener, rc, step0 = -1, errno0 = 0;

	if (join_cgroups(in->cg, in->ncg, &d0) < 0)
		step0 = IPC_STEP_CGROUP;
	else if (in->regions && wk_runtime_map_regions(in->regions, in->in_size, in->out_size, in->cov_size, &d0) < 0)
		step0 = IPC_STEP_REGIONS;
	else if (wk_userns_forbid_nested(in->sysuser, &d0) < 0)
		step0 = IPC_STEP_USERNS_LIMIT;
	if (step0 >= 0)
		errno0 = errno ? errno : EIO;
	if (wk_fds_arrange(ipc, sync, log, cfg->exec ? in->interp : -1, &d) < 0) {
		/* The sync socket may not be in place: report on whatever we have. */
		if (sync != WK_FD_SYNC)
			dup2(sync, WK_FD_SYNC);
		die(IPC_STEP_FDS, &d);
	}
	if (step0 >= 0) {
		errno = errno0;
		die(step0, &d0);
	}
	if (cfg->exec)
		STEP(STEP_FDS, exec_runner(&d));
	STEP(STEP_DEATHSIG, die_with_parent(&d));
	STEP(STEP_SYNC, wait_for_maps(&d));
	for (size_t i = 0; i < WK_MAX_TREES; i++)
		trees[i] = -1;
	if (!in->empty_root && wk_mount_clone_sources(cfg, trees, &step, &d) < 0)
		die(step, &d);
	STEP(STEP_SECUREBITS, wk_caps_lock_securebits(&d));
	STEP(STEP_IDENTITY, wk_userns_switch(&d));
	STEP(STEP_KEYRING, wk_keyring_private(&d));
	rc = in->empty_root ? 0 : wk_mount_build_root(cfg, trees, &step, &d);
	for (size_t i = 0; i < WK_MAX_TREES; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	if (rc < 0)
		die(step, &d);
	STEP(STEP_HOSTNAME, set_hostname(&d));
	STEP(STEP_CAPS, wk_caps_drop(&d));
	STEP(STEP_DEATHSIG, die_with_parent_again(&d));
	STEP(STEP_NNP, no_new_privs(&d));
	STEP(STEP_RLIMITS, wk_rlimit_apply(cfg, &d));
	STEP(STEP_ENV, clear_env(&d));
	STEP(STEP_SCHED, batch_class(&d));
	STEP(STEP_LANDLOCK, wk_landlock_apply(cfg, &d));
	listener = wk_seccomp_load(cfg, &d);
	STEP(STEP_SECCOMP, listener);
	STEP(STEP_LISTENER, hand_over_listener(listener, &d));
}
