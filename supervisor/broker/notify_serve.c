/* Served opens: the seccomp listener's answers shared by notify.c (a
 * plugin worker's loader) and notify_exec.c (an exec worker's tool): a
 * file of the resolved set, opened by the supervisor and installed in the
 * caller as the call's result. Runs in the supervisor. */
#include "notify_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* The kernel's O_LARGEFILE on x86-64, which glibc's headers define as 0
 * there but a caller may still pass. */
#define NF_O_LARGEFILE 0100000

/* A NUL-terminated string of at most len bytes (NUL included) at addr in
 * the worker, read a page (4 KiB, x86-64) at a time, so that one ending
 * just before an unmapped page is still read whole; 0, or -1 when it is
 * longer or not readable. */
int nf_read_string(pid_t pid, unsigned long long addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t room = 4096 - ((addr + got) & 4095), want = room < len - got ? room : len - got;
		struct iovec local = { buf + got, want }, remote = { (void *)(uintptr_t)(addr + got), want };

		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)want)
			return -1;
		if (memchr(buf + got, '\0', want))
			return 0;
		got += want;
	}
	return -1;
}

/* Whether path is one of the files resolved for the worker to load: its
 * plugin or one of its libraries, by the absolute path in cfg. */
static bool nf_load_file(const struct wk_config *cfg, const char *path)
{
	if (!strcmp(path, cfg->plugin))
		return true;
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		if (!strcmp(path, cfg->deps[i]))
			return true;
	return false;
}

void nf_fail_call(int fd, uint64_t id, struct seccomp_notif_resp *resp, int err)
{
	resp->id = id;
	resp->val = 0;
	resp->error = -err;
	resp->flags = 0;
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* A file resolved for loading, by the canonical path the resolver
 * stored (elf_resolve.c): no symlink is followed (one that appeared since
 * is refused), and the invoking user, the real uid, must still be able to
 * read it: the worker gets nothing its user could not read. */
static int nf_open_load_file(const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_NO_SYMLINKS };

	if (faccessat(AT_FDCWD, path, R_OK, 0) < 0)
		return -1;
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* The loader opening a file it may load, read-only (open or openat with
 * O_RDONLY, O_CLOEXEC and O_LARGEFILE at most; an absolute path, so an
 * openat's dirfd plays no part): the supervisor opens that file itself, a
 * regular file or nothing, and the kernel installs our descriptor in the
 * worker as the call's result (SECCOMP_ADDFD_FLAG_SEND). So the plugin and
 * its libraries are never in the worker's filesystem: they reach it as
 * the descriptors its loader maps. What the worker's memory says after we
 * read the path does not matter: we open the path we compared. Returns
 * false for any other call (the caller continues it in the empty root). */
bool nf_serve_open(int fd, pid_t pid, const struct wk_config *cfg, const struct seccomp_notif *req,
			  struct seccomp_notif_resp *resp, int *host_err)
{
	const struct seccomp_data *sd = &req->data;
	char path[WK_PATH_MAX];
	uint64_t addr, flags;
	struct seccomp_notif_addfd add;
	struct stat st;
	int file;

	if (sd->arch != AUDIT_ARCH_X86_64 || (sd->nr != SYS_openat && sd->nr != SYS_open))
		return false;
	addr = sd->nr == SYS_openat ? sd->args[1] : sd->args[0];
	flags = sd->nr == SYS_openat ? sd->args[2] : sd->args[1];
	if ((flags & ~(uint64_t)(O_CLOEXEC | NF_O_LARGEFILE)) != O_RDONLY)
		return false;
	if (nf_read_string(pid, addr, path, sizeof(path)) < 0 || !nf_load_file(cfg, path))
		return false;
	file = nf_open_load_file(path);
	if (file < 0) {
		if (errno == EMFILE || errno == ENFILE)
			*host_err = errno;
		nf_fail_call(fd, req->id, resp, errno);
		return true;
	}
	if (fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		nf_fail_call(fd, req->id, resp, EACCES);
	} else {
		add = (struct seccomp_notif_addfd){ .id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND,
						    .srcfd = (uint32_t)file,
						    .newfd_flags = (uint32_t)(flags & O_CLOEXEC) };
		/* Not installed (its descriptor limit, say): the call fails
		 * with why. ENOENT: the worker is gone, or a signal withdrew
		 * the call, which then comes again: no answer either way. */
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 && errno != ENOENT)
			nf_fail_call(fd, req->id, resp, errno);
	}
	close(file);
	return true;
}
