/* The worker's filesystem: an empty tmpfs root, read-only binds of exactly
 * the plugin, its resolved libraries (exec allowed) and the profile's data
 * files (noexec), then pivot_root with the old root detached. Runs in the
 * worker child inside its own mount and user namespaces, with CAP_SYS_ADMIN
 * over them only. Staging happens on /tmp of the private copy of the host's
 * mount tree (as bubblewrap does); nothing is visible outside the namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipc_proto.h"
#include "wk.h"

#define WK_STAGE "/tmp"

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

static int bind_ro(const char *src, unsigned long extra, struct wk_detail *d)
{
	char target[WK_PATH_MAX + sizeof(WK_STAGE)];
	int fd;

	struct stat st;

	snprintf(target, sizeof(target), WK_STAGE "%s", src);
	if (stat(src, &st) < 0)
		return fail(d, "stat", src);
	if (make_parents(target) < 0)
		return fail(d, "mkdir for", src);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return fail(d, "create mount point for", src);
	} else {
		fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
		if (fd < 0 && errno != EEXIST)
			return fail(d, "create mount point for", src);
		if (fd >= 0)
			close(fd);
	}
	if (mount(src, target, NULL, MS_BIND, NULL) < 0)
		return fail(d, "bind", src);
	/* A bind ignores flags; read-only takes a second, remount call. */
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | extra,
		  NULL) < 0)
		return fail(d, "remount read-only", src);
	return 0;
}

int wk_mount_root(const struct wk_config *cfg, int *step, struct wk_detail *d)
{
	*step = IPC_STEP_MOUNT_PRIVATE;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(d, "mount --make-rprivate", "/");
	*step = IPC_STEP_MOUNT_TMPFS;
	if (mount("caisson", WK_STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=64k,nr_inodes=256,mode=0755") < 0)
		return fail(d, "mount tmpfs on", WK_STAGE);
	*step = IPC_STEP_BIND;
	if (bind_ro(cfg->plugin, 0, d) < 0)
		return -1;
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		if (bind_ro(cfg->deps[i], 0, d) < 0)
			return -1;
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		if (bind_ro(cfg->binds[i], MS_NOEXEC, d) < 0)
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
