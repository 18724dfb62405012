/* Probes of the probe plugin: host files, writes and code execution. Runs
 * inside a sealed worker whose root should be an empty read-only tmpfs and
 * whose filter should allow no open, no exec and no executable memory.
 * Raw syscall() everywhere, so the call the filter sees is the one named. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

static void open_path(const struct pctx *c, const char *path, int flags)
{
	char what[PROBE_PATH_MAX + 32];

	snprintf(what, sizeof(what), "openat(\"%s\")", path);
	probe_result(c, syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, 0600), what);
}

void probe_open_etc_passwd(const struct pctx *c) { open_path(c, "/etc/passwd", O_RDONLY); }
void probe_open_etc_shadow(const struct pctx *c) { open_path(c, "/etc/shadow", O_RDONLY); }
void probe_open_proc_self_status(const struct pctx *c) { open_path(c, "/proc/self/status", O_RDONLY); }
void probe_open_proc_self_mem(const struct pctx *c) { open_path(c, "/proc/self/mem", O_RDWR); }
void probe_open_proc_1_environ(const struct pctx *c) { open_path(c, "/proc/1/environ", O_RDONLY); }
void probe_open_proc_1_root(const struct pctx *c) { open_path(c, "/proc/1/root/etc/passwd", O_RDONLY); }
void probe_open_sys(const struct pctx *c) { open_path(c, "/sys/kernel/notes", O_RDONLY); }
void probe_open_dev_mem(const struct pctx *c) { open_path(c, "/dev/mem", O_RDONLY); }
void probe_open_dev_kmsg(const struct pctx *c) { open_path(c, "/dev/kmsg", O_RDONLY); }
void probe_open_dev_tty(const struct pctx *c) { open_path(c, "/dev/tty", O_RDWR | O_NOCTTY); }
void probe_create_file(const struct pctx *c) { open_path(c, "/caisson-probe", O_CREAT | O_EXCL | O_WRONLY); }

void probe_open_plugin(const struct pctx *c)
{
	if (!c->self[0]) {
		probe_say(c, "unsupported no plugin path given");
		return;
	}
	open_path(c, c->self, O_RDONLY);
}

void probe_open_root_dir(const struct pctx *c)
{
	char buf[4096];
	long fd = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0) {
		probe_result(c, fd, "openat(\"/\")");
		return;
	}
	n = syscall(SYS_getdents64, (int)fd, buf, sizeof(buf));
	probe_say(c, "escaped openat(\"/\") = %ld, getdents64 = %ld", fd, n);
}

void probe_openat2_passwd(const struct pctx *c)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };

	probe_result(c, syscall(SYS_openat2, AT_FDCWD, "/etc/passwd", &how, sizeof(how)), "openat2(\"/etc/passwd\")");
}

void probe_stat_etc_passwd(const struct pctx *c)
{
	struct stat st;

	probe_result(c, syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0), "newfstatat(\"/etc/passwd\")");
}

void probe_readlink_exe(const struct pctx *c)
{
	char buf[256];

	probe_result(c, syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, sizeof(buf)),
		     "readlinkat(\"/proc/self/exe\")");
}

void probe_open_by_handle(const struct pctx *c)
{
	struct {
		unsigned int bytes;
		int type;
		unsigned char handle[128];
	} fh = { .bytes = 128 };
	int mount_id;

	probe_result(c, syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh, &mount_id, 0), "name_to_handle_at(\"/\")");
}

/* /tmp is the declared scratch tmpfs when the profile has one (the
 * scratch-* probes test it): then the other well-known temporary place. */
void probe_write_tmp(const struct pctx *c)
{
	const char *path = c->scratch ? "/var/tmp/caisson-probe" : "/tmp/caisson-probe";
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0) {
		probe_result(c, fd, "openat(a temporary file)");
		return;
	}
	probe_say(c, "escaped openat(\"%s\", O_CREAT) = %ld, write = %ld", path, fd,
		  (long)syscall(SYS_write, (int)fd, "x", 1));
}

void probe_creat_file(const struct pctx *c)
{
	probe_result(c, syscall(SYS_creat, "/caisson-probe", 0600), "creat(\"/caisson-probe\")");
}

void probe_mkdir_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_mkdirat, AT_FDCWD, "/caisson-probe-dir", 0700), "mkdirat(\"/caisson-probe-dir\")");
}

void probe_rename_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_renameat2, AT_FDCWD, "/caisson-a", AT_FDCWD, "/caisson-b", 0), "renameat2");
}

void probe_link_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_linkat, AT_FDCWD, "/caisson-a", AT_FDCWD, "/caisson-b", 0), "linkat");
}

void probe_symlink_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_symlinkat, "/etc/passwd", AT_FDCWD, "/caisson-link"), "symlinkat");
}

void probe_mknod_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_mknodat, AT_FDCWD, "/caisson-null", S_IFCHR | 0600, makedev(1, 3)),
		     "mknodat(\"/caisson-null\", 1:3)");
}

void probe_chmod_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_fchmodat, AT_FDCWD, "/", 0777), "fchmodat(\"/\", 0777)");
}

void probe_truncate_root(const struct pctx *c)
{
	probe_result(c, syscall(SYS_truncate, "/caisson-probe", 0L), "truncate(\"/caisson-probe\")");
}

/* An exec that succeeds replaces the worker: the supervisor then sees the
 * worker end mid-request, which it reports as an error, never contained. */
void probe_execve_sh(const struct pctx *c)
{
	static char *const argv[] = { "sh", "-c", "exit 0", NULL };
	static char *const envp[] = { NULL };

	probe_result(c, syscall(SYS_execve, "/bin/sh", argv, envp), "execve(\"/bin/sh\")");
}

void probe_execveat_sh(const struct pctx *c)
{
	static char *const argv[] = { "sh", "-c", "exit 0", NULL };
	static char *const envp[] = { NULL };

	probe_result(c, syscall(SYS_execveat, AT_FDCWD, "/bin/sh", argv, envp, 0), "execveat(\"/bin/sh\")");
}

/* An empty memfd cannot run; reaching execveat at all is the escape. */
void probe_memfd_exec(const struct pctx *c)
{
	static char *const argv[] = { "probe", NULL };
	static char *const envp[] = { NULL };
	long fd = syscall(SYS_memfd_create, "caisson-probe", 0);
	long rc;

	if (fd < 0) {
		probe_result(c, fd, "memfd_create");
		return;
	}
	rc = syscall(SYS_execveat, (int)fd, "", argv, envp, AT_EMPTY_PATH);
	probe_say(c, "escaped memfd_create = %ld and execveat(memfd) reached the kernel (%s)", fd,
		  rc < 0 ? probe_errname(errno) : "returned");
}

static void map_prot(const struct pctx *c, int prot, const char *what)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		probe_say(c, "blocked %s", probe_errname(errno));
	else
		probe_say(c, "escaped %s mapped at %p", what, p);
}

void probe_mmap_exec(const struct pctx *c) { map_prot(c, PROT_READ | PROT_EXEC, "mmap(PROT_READ|PROT_EXEC)"); }
void probe_mmap_wx(const struct pctx *c) { map_prot(c, PROT_WRITE | PROT_EXEC, "mmap(PROT_WRITE|PROT_EXEC)"); }

static void reprotect(const struct pctx *c, int use_pkey)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long rc;

	if (p == MAP_FAILED) {
		probe_say(c, "unsupported mmap(PROT_READ|PROT_WRITE) failed: %s", probe_errname(errno));
		return;
	}
	rc = use_pkey ? syscall(SYS_pkey_mprotect, p, 4096, PROT_READ | PROT_EXEC, -1)
		      : syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC);
	probe_result(c, rc, use_pkey ? "pkey_mprotect(PROT_EXEC)" : "mprotect(PROT_EXEC)");
}

void probe_mprotect_exec(const struct pctx *c) { reprotect(c, 0); }
void probe_pkey_mprotect_exec(const struct pctx *c) { reprotect(c, 1); }

void probe_personality(const struct pctx *c)
{
	probe_result(c, syscall(SYS_personality, (unsigned long)READ_IMPLIES_EXEC), "personality(READ_IMPLIES_EXEC)");
}
