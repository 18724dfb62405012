/* bench_probe: the physical floor of a sandboxed process (figures 1 and 6).
 * A small program, run by caisson_bench as root or not, that compiles a
 * profile's seccomp filter once and then, per command on stdin, clone3s a
 * child with 7 namespaces (user, pid, mount, net, ipc, uts, cgroup), writes
 * its uid/gid map, and lets the child pivot_root into an empty read-only
 * tmpfs, drop every capability, set no_new_privs, load the precompiled
 * filter and send a ready byte. Commands (one byte; answer on stdout):
 *   s  spawn, wait for ready, answer 'r'; the child exits and is reaped
 *   h  spawn and hold the child idle; answer its pid (int32)
 *   k  kill and reap every held child; answer 'k'
 * usage: bench_probe PROFILE */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/profile_load.h"

#define PROBE_ID 0x6fff0000u /* as root: a host uid/gid nothing else uses */
#define PROBE_HELD_MAX 4096

static struct sock_fprog probe_prog;
static pid_t probe_held[PROBE_HELD_MAX];
static int probe_nheld;

/* In the child: everything after the uid map, in caisson's order. */
static void probe_child(int sync_fd, int ready_fd, int hold)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	char b;

	memset(data, 0, sizeof(data));
	if (read(sync_fd, &b, 1) != 1)
		_exit(1);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("probe", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0 ||
	    chdir("/tmp") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0 ||
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		_exit(2);
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			_exit(3);
	if (syscall(SYS_capset, &hdr, data) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &probe_prog) < 0)
		_exit(4);
	if (write(ready_fd, "r", 1) != 1)
		_exit(5);
	if (hold)
		while (read(sync_fd, &b, 1) != 0) /* blocks until killed */
			;
	_exit(0);
}

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return rc;
}

static int write_maps(pid_t pid)
{
	char map[64];
	unsigned uid = getuid() == 0 ? PROBE_ID : getuid(), gid = getuid() == 0 ? PROBE_ID : getgid();

	if (write_file(pid, "setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (write_file(pid, "uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	return write_file(pid, "gid_map", map);
}

/* Spawns one sandboxed child; its pid once it said ready, or -1. */
static pid_t probe_spawn(int hold)
{
	struct clone_args ca = {
		.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
			 CLONE_NEWUTS | CLONE_NEWCGROUP,
		.exit_signal = SIGCHLD,
	};
	int sync[2], ready[2];
	pid_t pid;
	char b = 0;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(sync[0]);
		close(sync[1]);
		return -1;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		probe_child(sync[0], ready[1], hold);
	close(ready[1]);
	close(sync[0]);
	if (pid > 0 && (write_maps(pid) < 0 || write(sync[1], "g", 1) != 1 || read(ready[0], &b, 1) != 1 ||
			b != 'r')) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	/* A held child blocks reading sync until it is killed: the probe
	 * keeps the write end open for it. */
	if (!hold || pid < 0)
		close(sync[1]);
	return pid;
}

static int probe_load(const char *path)
{
	static struct profile prof;
	static struct policy pol;
	char err[512];

	if (profile_load(path, &prof, err, sizeof(err)) < 0 || policy_build(&prof, &pol, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_probe: %s\n", err);
		return -1;
	}
	probe_prog.len = (unsigned short)pol.ninsns;
	probe_prog.filter = pol.insns;
	return 0;
}

static void probe_release(void)
{
	for (int i = 0; i < probe_nheld; i++)
		kill(probe_held[i], SIGKILL);
	for (int i = 0; i < probe_nheld; i++)
		waitpid(probe_held[i], NULL, 0);
	probe_nheld = 0;
}

int main(int argc, char **argv)
{
	char op;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_probe PROFILE\n");
		return 2;
	}
	if (probe_load(argv[1]) < 0)
		return 1;
	while (read(0, &op, 1) == 1) {
		if (op == 's') {
			pid_t pid = probe_spawn(0);

			if (write(1, pid > 0 ? "r" : "f", 1) != 1)
				break;
			if (pid > 0)
				waitpid(pid, NULL, 0);
		} else if (op == 'h') {
			int32_t pid = probe_nheld < PROBE_HELD_MAX ? probe_spawn(1) : -1;

			if (pid > 0)
				probe_held[probe_nheld++] = pid;
			if (write(1, &pid, sizeof(pid)) != sizeof(pid))
				break;
		} else if (op == 'k') {
			probe_release();
			if (write(1, "k", 1) != 1)
				break;
		}
	}
	probe_release();
	return 0;
}
