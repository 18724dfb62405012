/* The worker's filesystem: an empty tmpfs root, read-only noexec binds of
 * exactly the profile's bind_ro and data paths (none in most profiles), the
 * scratch tmpfs at /tmp when the profile asks for one, then pivot_root
 * with the old root detached. The plugin and its libraries are
 * never mounted: the supervisor answers the loader's opens of them with
 * its own descriptors (notify.c). Runs in the
 * worker child inside its own mount and user namespaces, with CAP_SYS_ADMIN
 * over them only. Staging happens on /tmp of the private copy of the host's
 * mount tree (as bubblewrap does); nothing is visible outside the namespace.
 * Bind sources are cloned (open_tree) before the staging tmpfs hides them. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipc_proto.h"
#include "wk.h"

#define WK_STAGE "/tmp"
#define WK_SCRATCH "/tmp"

static int fail(struct wk_detail *d, const char *what, const char *path)
{
	snprintf(d->text, sizeof(d->text), "%s %.200s", what, path);
	return -1;
}

/* mkdir -p of target's parent directories inside the staging root. */
static int make_parents(char *target)
{
	for (char *s = target + strlen(WK_STAGE) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(target, 0755) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* Clones src as a detached mount, resolved in the host's view (symlinks
 * included) before anything is mounted over it. */
static int clone_src(const char *src, struct wk_detail *d)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		fail(d, "open_tree", src);
	return fd;
}

/* A data source: opened with no symbolic link anywhere on its path (the
 * canonical path the lint checked, or nothing), a directory or regular file
 * only, then cloned alone (no submounts) from that descriptor. */
static int clone_data(const char *src, struct wk_detail *d)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, src, &how, sizeof(how)), tree = -1, saved;
	struct stat st;

	if (fd < 0)
		return fail(d, "open (no symbolic links) data", src);
	if (fstat(fd, &st) < 0) {
		fail(d, "stat data", src);
	} else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		fail(d, "data is not a directory or regular file:", src);
	} else {
		tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			fail(d, "open_tree data", src);
	}
	saved = errno;
	close(fd);
	errno = saved;
	return tree;
}

/* The scratch tmpfs: private to this worker, size-capped, owned by the
 * worker's uid, mode 0700, nodev, nosuid, noexec. */
static int mount_scratch(const struct wk_config *cfg, struct wk_detail *d)
{
	char opts[96];

	if (!cfg->scratch_bytes)
		return 0;
	if (mkdir(WK_STAGE WK_SCRATCH, 0700) < 0)
		return fail(d, "create mount point for scratch", WK_SCRATCH);
	snprintf(opts, sizeof(opts), "size=%llu,mode=0700,uid=%u,gid=%u", (unsigned long long)cfg->scratch_bytes,
		 WK_INNER_ID, WK_INNER_ID);
	if (mount("scratch", WK_STAGE WK_SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return fail(d, "mount scratch tmpfs on", WK_SCRATCH);
	return 0;
}

/* Attaches a cloned source at the same path inside the staging root, then
 * makes it read-only and noexec (a bind ignores flags; that takes a
 * remount). */
static int attach_ro(int tree, const char *src, struct wk_detail *d)
{
	char target[WK_PATH_MAX + sizeof(WK_STAGE)];
	struct stat st;
	int fd;

	snprintf(target, sizeof(target), WK_STAGE "%s", src);
	if (fstat(tree, &st) < 0)
		return fail(d, "stat", src);
	if (make_parents(target) < 0)
		return fail(d, "mkdir for", src);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return fail(d, "create mount point for", src);
	} else {
		fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
		if (fd < 0)
			return fail(d, "create mount point for", src);
		close(fd);
	}
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail(d, "move_mount", src);
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return fail(d, "remount read-only", src);
	return 0;
}

int wk_mount_clone_sources(const struct wk_config *cfg, int *trees, int *step, struct wk_detail *d)
{
	*step = IPC_STEP_MOUNT_PRIVATE;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(d, "mount --make-rprivate", "/");
	*step = IPC_STEP_BIND;
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		if ((trees[i] = clone_src(cfg->binds[i], d)) < 0)
			return -1;
	*step = IPC_STEP_DATA;
	for (uint32_t i = 0; i < cfg->ndata; i++)
		if ((trees[cfg->nbinds + i] = clone_data(cfg->data[i], d)) < 0)
			return -1;
	return 0;
}

int wk_mount_build_root(const struct wk_config *cfg, const int *trees, int *step, struct wk_detail *d)
{
	*step = IPC_STEP_MOUNT_TMPFS;
	if (mount("caisson", WK_STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=64k,nr_inodes=1024,mode=0755") < 0)
		return fail(d, "mount tmpfs on", WK_STAGE);
	*step = IPC_STEP_BIND;
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		if (attach_ro(trees[i], cfg->binds[i], d) < 0)
			return -1;
	*step = IPC_STEP_DATA;
	for (uint32_t i = 0; i < cfg->ndata; i++)
		if (attach_ro(trees[cfg->nbinds + i], cfg->data[i], d) < 0)
			return -1;
	*step = IPC_STEP_SCRATCH;
	if (mount_scratch(cfg, d) < 0)
		return -1;
	*step = IPC_STEP_PIVOT;
	if (chdir(WK_STAGE) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(d, "pivot_root to", WK_STAGE);
	/* The old root now sits on top of the new one at "."; detach it whole. */
	*step = IPC_STEP_DETACH;
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return fail(d, "umount2 old root", "/");
	*step = IPC_STEP_REMOUNT_RO;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return fail(d, "remount read-only", "/");
	return 0;
}

/* Removes what attach_ro created for src in the root: its mount point,
 * then its parent directories, deepest first. ENOENT (a point inside
 * another bind, or a parent already removed for an earlier path) is
 * skipped; ENOTEMPTY ends the walk (another path still needs that
 * parent, and so all above it). The caller checks the root is empty. */
static int remove_point(const char *src, struct wk_detail *d)
{
	char p[WK_PATH_MAX];
	char *s;

	snprintf(p, sizeof(p), "%s", src);
	if (unlink(p) < 0 && (errno != EISDIR || rmdir(p) < 0) && errno != ENOENT && errno != ENOTEMPTY)
		return fail(d, "remove mount point", src);
	while ((s = strrchr(p, '/')) && s != p) {
		*s = '\0';
		if (rmdir(p) == 0 || errno == ENOENT)
			continue;
		if (errno == ENOTEMPTY)
			break;
		return fail(d, "remove directory", p);
	}
	return 0;
}

/* Whether name, an entry of "/", is what stays for the worker's life: the
 * scratch mount point, or the first component of a data path. */
static bool kept(const struct wk_config *cfg, const char *name)
{
	size_t n = strlen(name);

	if (cfg->scratch_bytes && strcmp(name, WK_SCRATCH + 1) == 0)
		return true;
	for (uint32_t i = 0; i < cfg->ndata; i++)
		if (strncmp(cfg->data[i] + 1, name, n) == 0 && (cfg->data[i][n + 1] == '/' || cfg->data[i][n + 1] == '\0'))
			return true;
	return false;
}

/* Whether the directory "/" holds nothing but what stays (kept): one
 * getdents64, no allocation (this runs in the zygote, whose heap a worker
 * shares copy-on-write). */
static int root_is_empty(const struct wk_config *cfg, struct wk_detail *d)
{
	uint8_t buf[1024] __attribute__((aligned(8)));
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return fail(d, "open", "/");
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *e = (const struct dirent64 *)(buf + off);
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !kept(cfg, e->d_name)) {
				close(fd);
				errno = ENOTEMPTY;
				return fail(d, "left in the root:", e->d_name);
			}
			off += e->d_reclen;
		}
	}
	close(fd);
	return n < 0 ? fail(d, "read directory", "/") : 0;
}

int wk_mount_clear_root(const struct wk_config *cfg, struct wk_detail *d)
{
	for (uint32_t i = cfg->nbinds; i-- > 0;)
		if (umount2(cfg->binds[i], MNT_DETACH) < 0)
			return fail(d, "umount2", cfg->binds[i]);
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail(d, "remount read-write", "/");
	for (uint32_t i = cfg->nbinds; i-- > 0;)
		if (remove_point(cfg->binds[i], d) < 0)
			return -1;
	if (root_is_empty(cfg, d) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return fail(d, "remount read-only", "/");
	return 0;
}
