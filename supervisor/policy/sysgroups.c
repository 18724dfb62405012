/* Syscall groups, argument rules and the dangerous list; see sysgroups.h.
 * Pure data run in the supervisor. Changing a group's members changes what
 * every profile naming it allows: bump SYSGROUPS_VOCABULARY and update
 * docs/syscall-groups.md in the same change. */
#include "sysgroups.h"

#include <errno.h>
#include <string.h>

#define SYSGROUPS_DEPTH_MAX 4

static const struct sysgroups_group sysgroups_table[] = {
	{ "@ipc-io", "read write readv writev recvmsg sendmsg close",
	  "talk on the IPC socket and close received descriptors" },
	{ "@memory", "mmap mprotect pkey_mprotect munmap mremap brk madvise",
	  "manage memory; never executable (PROT_EXEC refused by argument rule)" },
	{ "@sync", "futex sched_yield", "locks inside a single-threaded worker" },
	{ "@time", "clock_gettime clock_getres gettimeofday time nanosleep clock_nanosleep",
	  "read clocks and sleep (vDSO fallbacks)" },
	{ "@process-self",
	  "exit exit_group getpid gettid rt_sigreturn rt_sigprocmask rt_sigaction sigaltstack "
	  "restart_syscall getrandom",
	  "exit, handle own signals, ask own ids, get random bytes" },
	{ "@default", "@ipc-io @memory @sync @time @process-self",
	  "the baseline every compute plugin needs" },
	{ "@fd-query", "fstat lseek fcntl", "inspect already-open descriptors (fcntl: F_GETFD/F_GETFL)" },
	{ SYSGROUPS_LOADER,
	  "openat open newfstatat fstat statx lseek pread64 readlink readlinkat access faccessat "
	  "faccessat2 getdents64 mmap mprotect getcwd",
	  "what the dynamic loader needs to map the plugin and its libraries; init only" },
	{ "@network",
	  "socket connect bind listen accept accept4 sendto recvfrom getsockname getpeername "
	  "getsockopt setsockopt shutdown",
	  "sockets and network I/O; dangerous members need an [exception]" },
};

static const struct sysgroups_danger sysgroups_danger_table[] = {
	{ "execve", "replaces the process image", false },
	{ "execveat", "replaces the process image", false },
	{ "uselib", "loads a library as executable code", false },
	{ "ptrace", "inspects and controls other processes", false },
	{ "process_vm_readv", "reads another process's memory", false },
	{ "process_vm_writev", "writes another process's memory", false },
	{ "kcmp", "probes other processes' kernel objects", false },
	{ "pidfd_open", "takes a handle on another process", false },
	{ "pidfd_getfd", "copies another process's descriptors", false },
	{ "mount", "changes the mount table", false },
	{ "umount2", "changes the mount table", false },
	{ "pivot_root", "changes the root directory", false },
	{ "chroot", "changes the root directory", false },
	{ "move_mount", "changes the mount table", false },
	{ "open_tree", "clones mounts", false },
	{ "fsopen", "creates a filesystem context", false },
	{ "fsconfig", "configures a filesystem context", false },
	{ "fsmount", "creates a mount", false },
	{ "fspick", "reconfigures a mounted filesystem", false },
	{ "mount_setattr", "changes mount attributes", false },
	{ "name_to_handle_at", "names files by handle, bypassing paths", false },
	{ "open_by_handle_at", "opens files by handle, bypassing paths", false },
	{ "unshare", "creates namespaces", false },
	{ "setns", "enters other namespaces", false },
	{ "clone", "creates processes or threads", false },
	{ "clone3", "creates processes or threads", false },
	{ "fork", "creates processes", false },
	{ "vfork", "creates processes", false },
	{ "bpf", "loads eBPF programs into the kernel", false },
	{ "perf_event_open", "large kernel attack surface and side channels", false },
	{ "io_uring_setup", "runs I/O outside the seccomp filter's view", false },
	{ "io_uring_enter", "runs I/O outside the seccomp filter's view", false },
	{ "io_uring_register", "runs I/O outside the seccomp filter's view", false },
	{ "userfaultfd", "stalls kernel page faults, an exploitation primitive", false },
	{ "keyctl", "reaches the kernel keyrings", false },
	{ "add_key", "reaches the kernel keyrings", false },
	{ "request_key", "reaches the kernel keyrings", false },
	{ "kexec_load", "loads a new kernel", false },
	{ "kexec_file_load", "loads a new kernel", false },
	{ "init_module", "loads kernel modules", false },
	{ "finit_module", "loads kernel modules", false },
	{ "delete_module", "removes kernel modules", false },
	{ "personality", "changes the execution domain, e.g. READ_IMPLIES_EXEC", false },
	{ "modify_ldt", "changes the x86 descriptor table", false },
	{ "iopl", "raw I/O port access", false },
	{ "ioperm", "raw I/O port access", false },
	{ "seccomp", "changes the seccomp state", false },
	{ "socket", "creates sockets, network access", false },
	{ "socketpair", "creates sockets", false },
	{ "connect", "connects sockets, network access", false },
	{ "bind", "binds sockets, network access", false },
	{ "listen", "accepts connections, network access", false },
	{ "accept", "accepts connections, network access", false },
	{ "accept4", "accepts connections, network access", false },
	{ "ioctl", "per-driver interface; needs argument rules profiles cannot express", false },
	{ "prctl", "process attributes; needs argument rules profiles cannot express", false },
	{ "open", "opens files after the filter is sealed", true },
	{ "openat", "opens files after the filter is sealed", true },
	{ "openat2", "opens files after the filter is sealed", true },
	{ "creat", "creates files after the filter is sealed", true },
	{ "setuid", "changes credentials", false },
	{ "setgid", "changes credentials", false },
	{ "setreuid", "changes credentials", false },
	{ "setregid", "changes credentials", false },
	{ "setresuid", "changes credentials", false },
	{ "setresgid", "changes credentials", false },
	{ "setfsuid", "changes credentials", false },
	{ "setfsgid", "changes credentials", false },
	{ "setgroups", "changes credentials", false },
	{ "capset", "changes capabilities", false },
	{ "kill", "signals other processes", false },
	{ "tkill", "signals other threads", false },
	{ "tgkill", "signals other processes' threads", false },
	{ "rt_sigqueueinfo", "signals other processes", false },
	{ "rt_tgsigqueueinfo", "signals other processes' threads", false },
	{ "pidfd_send_signal", "signals other processes", false },
	{ "setrlimit", "changes resource limits", false },
	{ "prlimit64", "changes resource limits, also of other processes", false },
	{ "migrate_pages", "moves another process's pages", false },
	{ "move_pages", "moves another process's pages", false },
	{ "swapon", "system administration", false },
	{ "swapoff", "system administration", false },
	{ "reboot", "system administration", false },
	{ "acct", "system administration", false },
	{ "quotactl", "system administration", false },
	{ "quotactl_fd", "system administration", false },
	{ "syslog", "reads the kernel log", false },
	{ "fanotify_init", "watches filesystem activity", false },
	{ "settimeofday", "sets the system clock", false },
	{ "clock_settime", "sets the system clock", false },
	{ "clock_adjtime", "sets the system clock", false },
	{ "adjtimex", "sets the system clock", false },
	{ "sethostname", "system administration", false },
	{ "setdomainname", "system administration", false },
	{ "vhangup", "system administration", false },
};

static const struct {
	const char *name;
	enum sysgroups_rule rule;
} sysgroups_rules[] = {
	{ "mmap", SYSGROUPS_RULE_PROT_NOEXEC },
	{ "mprotect", SYSGROUPS_RULE_PROT_NOEXEC },
	{ "pkey_mprotect", SYSGROUPS_RULE_PROT_NOEXEC },
	{ "fcntl", SYSGROUPS_RULE_FCNTL_QUERY },
};

#define SYSGROUPS_N(a) (sizeof(a) / sizeof((a)[0]))

const struct sysgroups_group *sysgroups_find(const char *name)
{
	for (size_t i = 0; i < SYSGROUPS_N(sysgroups_table); i++)
		if (strcmp(sysgroups_table[i].name, name) == 0)
			return &sysgroups_table[i];
	return NULL;
}

static int sysgroups_walk(const char *group, int depth, int (*fn)(const char *, void *), void *arg)
{
	const struct sysgroups_group *g = sysgroups_find(group);
	const char *p;
	char tok[SYSGROUPS_NAME_MAX];
	int rc;

	if (!g) {
		errno = ENOENT;
		return -1;
	}
	if (depth >= SYSGROUPS_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	for (p = g->members; *p;) {
		size_t len = strcspn(p, " ");

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(tok)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		rc = tok[0] == '@' ? sysgroups_walk(tok, depth + 1, fn, arg) : fn(tok, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int sysgroups_expand(const char *group, int (*fn)(const char *sys, void *arg), void *arg)
{
	return sysgroups_walk(group, 0, fn, arg);
}

const struct sysgroups_danger *sysgroups_dangerous(const char *sys)
{
	for (size_t i = 0; i < SYSGROUPS_N(sysgroups_danger_table); i++)
		if (strcmp(sysgroups_danger_table[i].name, sys) == 0)
			return &sysgroups_danger_table[i];
	return NULL;
}

enum sysgroups_rule sysgroups_rule(const char *sys)
{
	for (size_t i = 0; i < SYSGROUPS_N(sysgroups_rules); i++)
		if (strcmp(sysgroups_rules[i].name, sys) == 0)
			return sysgroups_rules[i].rule;
	return SYSGROUPS_RULE_NONE;
}

const char *sysgroups_rule_text(enum sysgroups_rule rule)
{
	switch (rule) {
	case SYSGROUPS_RULE_NONE:
		return "";
	case SYSGROUPS_RULE_PROT_NOEXEC:
		return "only when (arg2 & PROT_EXEC) == 0";
	case SYSGROUPS_RULE_FCNTL_QUERY:
		return "only when arg1 is F_GETFD or F_GETFL";
	}
	return "";
}

const struct sysgroups_group *sysgroups_groups(size_t *n)
{
	*n = SYSGROUPS_N(sysgroups_table);
	return sysgroups_table;
}

const struct sysgroups_danger *sysgroups_dangers(size_t *n)
{
	*n = SYSGROUPS_N(sysgroups_danger_table);
	return sysgroups_danger_table;
}
