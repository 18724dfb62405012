/* Probes of the probe plugin: mounts, nested namespaces, kernel attack
 * surface (bpf, perf, io_uring, keyrings, I/O ports, modules), the ia32 and
 * x32 entry points, credentials and resource limits. Runs inside a sealed
 * worker. A probe that creates a process makes the child exit at once. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "probe.h"

void probe_mount_tmpfs(const struct pctx *c) { probe_result(c, syscall(SYS_mount, "none", "/", "tmpfs", 0UL, NULL), "mount(tmpfs on /)"); }
void probe_umount_root(const struct pctx *c) { probe_result(c, syscall(SYS_umount2, "/", MNT_DETACH), "umount2(\"/\")"); }
void probe_pivot_root(const struct pctx *c) { probe_result(c, syscall(SYS_pivot_root, "/", "/"), "pivot_root"); }
void probe_chroot_root(const struct pctx *c) { probe_result(c, syscall(SYS_chroot, "/"), "chroot(\"/\")"); }
void probe_fsopen_tmpfs(const struct pctx *c) { probe_result(c, syscall(SYS_fsopen, "tmpfs", 0U), "fsopen(\"tmpfs\")"); }
void probe_swapon(const struct pctx *c) { probe_result(c, syscall(SYS_swapon, "/caisson-swap", 0), "swapon"); }

void probe_open_tree_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), "open_tree(\"/\", CLONE)");
}

void probe_unshare_user(const struct pctx *c) { probe_result(c, syscall(SYS_unshare, CLONE_NEWUSER), "unshare(CLONE_NEWUSER)"); }
void probe_unshare_net(const struct pctx *c) { probe_result(c, syscall(SYS_unshare, CLONE_NEWNET), "unshare(CLONE_NEWNET)"); }
void probe_setns_fd(const struct pctx *c) { probe_result(c, syscall(SYS_setns, 3, CLONE_NEWNET), "setns(3, CLONE_NEWNET)"); }

/* A child created by a probe leaves at once, touching nothing. */
static void child_exit(long rc)
{
	if (rc == 0)
		syscall(SYS_exit, 0);
}

void probe_clone_newuser(const struct pctx *c)
{
	long rc = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, NULL, NULL, 0UL);

	child_exit(rc);
	probe_result(c, rc, "clone(CLONE_NEWUSER)");
}

void probe_clone3_ns(const struct pctx *c)
{
	struct clone_args a;
	long rc;

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET;
	a.exit_signal = SIGCHLD;
	rc = syscall(SYS_clone3, &a, sizeof(a));
	child_exit(rc);
	probe_result(c, rc, "clone3(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET)");
}

void probe_bpf_map(const struct pctx *c)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	probe_result(c, syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a)), "bpf(BPF_MAP_CREATE)");
}

void probe_perf_event(const struct pctx *c)
{
	struct perf_event_attr pe;

	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_SOFTWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_SW_CPU_CLOCK;
	pe.disabled = 1;
	pe.exclude_kernel = 1;
	probe_result(c, syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0UL), "perf_event_open");
}

void probe_io_uring(const struct pctx *c)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	probe_result(c, syscall(SYS_io_uring_setup, 8, &p), "io_uring_setup");
}

void probe_userfaultfd(const struct pctx *c) { probe_result(c, syscall(SYS_userfaultfd, O_CLOEXEC), "userfaultfd"); }

/* The worker's own session keyring must be a private one: not the invoking
 * user's, whose keyrings (session and user, serials from the supervisor)
 * must be out of reach, by possession or by permission. */
void probe_keyctl(const struct pctx *c)
{
	long own = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	const long host[2] = { c->ses, c->ukr };
	char desc[128];
	int err = ENOKEY;

	if (own < 0) {
		probe_result(c, own, "keyctl(GET_KEYRING_ID)");
		return;
	}
	if (own == c->ses) {
		probe_say(c, "escaped the session keyring is the invoking user's (%ld)", own);
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (!host[i])
			continue;
		if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, host[i], desc, sizeof(desc)) >= 0) {
			probe_say(c, "escaped keyctl(DESCRIBE) of the invoking user's keyring %ld", host[i]);
			return;
		}
		err = errno;
	}
	probe_say(c, "blocked %s: own session keyring %ld; the invoking user's %ld and %ld out of reach",
		  probe_errname(err), own, c->ses, c->ukr);
}

void probe_add_key(const struct pctx *c)
{
	long rc;

	if (!c->ses) {
		probe_say(c, "unsupported no session keyring of the invoking user to aim at");
		return;
	}
	rc = syscall(SYS_add_key, "user", "caisson-probe", "x", 1, c->ses);
	if (rc >= 0)
		probe_say(c, "escaped add_key into the invoking user's session keyring %ld returned %ld", c->ses, rc);
	else
		probe_say(c, "blocked %s: add_key into the invoking user's session keyring %ld", probe_errname(errno),
			  c->ses);
}

void probe_tiocsti(const struct pctx *c)
{
	char ch = 'x';

	probe_result(c, syscall(SYS_ioctl, 2, TIOCSTI, &ch), "ioctl(TIOCSTI)");
}

void probe_finit_module(const struct pctx *c) { probe_result(c, syscall(SYS_finit_module, 3, "", 0), "finit_module"); }
void probe_syslog(const struct pctx *c) { probe_result(c, syscall(SYS_syslog, 10, NULL, 0), "syslog(SIZE_BUFFER)"); }

void probe_seccomp_change(const struct pctx *c)
{
	unsigned int action = SECCOMP_RET_KILL_PROCESS;

	probe_result(c, syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action), "seccomp(GET_ACTION_AVAIL)");
}

void probe_fanotify(const struct pctx *c)
{
	probe_result(c, syscall(SYS_fanotify_init, FAN_CLASS_NOTIF, O_RDONLY), "fanotify_init");
}

void probe_sethostname(const struct pctx *c)
{
	probe_result(c, syscall(SYS_sethostname, "caisson-probe", 13), "sethostname");
}

#if defined(__x86_64__)
void probe_ioperm(const struct pctx *c) { probe_result(c, syscall(SYS_ioperm, 0x80UL, 1UL, 1), "ioperm(0x80)"); }
void probe_iopl(const struct pctx *c) { probe_result(c, syscall(SYS_iopl, 3), "iopl(3)"); }

static sigjmp_buf int80_jmp;

static void int80_fault(int sig)
{
	siglongjmp(int80_jmp, sig);
}

/* getpid (ia32 number 20) through int 0x80: the filter must refuse the
 * foreign architecture. A kernel without ia32 emulation has no such entry
 * point and faults (SIGSEGV), which we catch and report as blocked. */
void probe_ia32_int80(const struct pctx *c)
{
	struct sigaction sa = { .sa_handler = int80_fault };
	long rc = 20;

	if (sigaction(SIGSEGV, &sa, NULL) < 0) {
		probe_say(c, "unsupported sigaction(SIGSEGV): %s", probe_errname(errno));
		return;
	}
	if (sigsetjmp(int80_jmp, 1)) {
		probe_say(c, "blocked SIGSEGV: int 0x80 faulted, no ia32 entry point on this kernel");
		return;
	}
	__asm__ volatile("int $0x80" : "+a"(rc) : : "memory", "r8", "r9", "r10", "r11");
	if (rc < 0 && rc > -4096)
		probe_say(c, "blocked %s", probe_errname((int)-rc));
	else
		probe_say(c, "escaped ia32 getpid returned %ld", rc);
}

/* getpid (39) with the x32 bit: refused by the filter, or ENOSYS from a
 * kernel built without x32. */
void probe_x32_syscall(const struct pctx *c)
{
	probe_result(c, syscall(39 | 0x40000000L), "x32 getpid");
}
#else
void probe_ioperm(const struct pctx *c) { probe_say(c, "unsupported x86 only"); }
void probe_iopl(const struct pctx *c) { probe_say(c, "unsupported x86 only"); }
void probe_ia32_int80(const struct pctx *c) { probe_say(c, "unsupported x86_64 only"); }
void probe_x32_syscall(const struct pctx *c) { probe_say(c, "unsupported x86_64 only"); }
#endif

void probe_setuid_0(const struct pctx *c) { probe_result(c, syscall(SYS_setuid, 0), "setuid(0)"); }
void probe_setgid_0(const struct pctx *c) { probe_result(c, syscall(SYS_setgid, 0), "setgid(0)"); }

void probe_setgroups_0(const struct pctx *c)
{
	gid_t g = 0;

	probe_result(c, syscall(SYS_setgroups, 1, &g), "setgroups([0])");
}

void probe_capset_all(const struct pctx *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0xff, sizeof(d));
	probe_result(c, syscall(SYS_capset, &h, d), "capset(all)");
}

static void raise_limit(const struct pctx *c, int res, rlim_t v, const char *what)
{
	struct rlimit rl = { .rlim_cur = v, .rlim_max = v };

	probe_result(c, syscall(SYS_prlimit64, 0, res, &rl, NULL), what);
}

void probe_setrlimit_cpu(const struct pctx *c)
{
	struct rlimit rl = { .rlim_cur = RLIM_INFINITY, .rlim_max = RLIM_INFINITY };

	probe_result(c, syscall(SYS_setrlimit, RLIMIT_CPU, &rl), "setrlimit(RLIMIT_CPU, unlimited)");
}

void probe_setpriority(const struct pctx *c)
{
	probe_result(c, syscall(SYS_setpriority, PRIO_PROCESS, 0, -20), "setpriority(-20)");
}

void probe_mlock(const struct pctx *c)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		probe_say(c, "unsupported mmap(PROT_READ|PROT_WRITE) failed: %s", probe_errname(errno));
		return;
	}
	probe_result(c, syscall(SYS_mlock, p, 4096UL), "mlock(one page)");
}

void probe_prlimit_nofile(const struct pctx *c) { raise_limit(c, RLIMIT_NOFILE, 1048576, "prlimit64(RLIMIT_NOFILE, 1048576)"); }
void probe_prlimit_as(const struct pctx *c) { raise_limit(c, RLIMIT_AS, RLIM_INFINITY, "prlimit64(RLIMIT_AS, unlimited)"); }
