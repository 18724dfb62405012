/* User namespace identity for a worker. wk_userns_write_maps() runs in the
 * zygote (root or the caller's uid) right after clone3; wk_userns_switch()
 * runs in the child, inside its new user namespace, before caps are dropped.
 * Root supervisor: slot N maps inner 1000 to host uid/gid base+N, so no two
 * live workers share a host identity. Unprivileged: inner 1000 maps to the
 * caller's own ids (the only mapping the kernel allows without CAP_SETUID).
 * wk_userns_forbid_nested() runs in the child too, first thing, with the
 * full capabilities the new namespace gave it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wk.h"

static int write_file(pid_t pid, const char *name, const char *text, struct wk_detail *d)
{
	char path[64];
	size_t len = strlen(text);
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(d->text, sizeof(d->text), "open %s", path);
		return -1;
	}
	n = write(fd, text, len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		snprintf(d->text, sizeof(d->text), "write %s \"%.40s\"", path, text);
		errno = n < 0 ? saved : EIO;
		return -1;
	}
	return 0;
}

int wk_userns_write_maps(pid_t child, const struct wk_config *cfg, uint32_t slot,
			 uint32_t *host_uid, struct wk_detail *d)
{
	char map[64];
	uid_t uid = cfg->uid_base ? cfg->uid_base + slot : getuid();
	gid_t gid = cfg->uid_base ? cfg->gid_base + slot : getgid();

	if (cfg->uid_base && slot >= cfg->max_slots) {
		snprintf(d->text, sizeof(d->text), "slot %u beyond %u", slot, cfg->max_slots);
		errno = ERANGE;
		return -1;
	}
	/* setgroups must be denied before an unprivileged gid_map write; denying
	 * it as root too keeps every worker unable to ever call setgroups. */
	if (write_file(child, "setgroups", "deny", d) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", WK_INNER_ID, (unsigned)uid);
	if (write_file(child, "uid_map", map, d) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", WK_INNER_ID, (unsigned)gid);
	if (write_file(child, "gid_map", map, d) < 0)
		return -1;
	*host_uid = uid;
	return 0;
}

int wk_userns_switch(struct wk_detail *d)
{
	/* gid first: after setresuid the gid change would need caps we keep
	 * only until wk_caps_drop(), but the order makes that explicit. */
	if (setresgid(WK_INNER_ID, WK_INNER_ID, WK_INNER_ID) < 0) {
		snprintf(d->text, sizeof(d->text), "setresgid(%u)", WK_INNER_ID);
		return -1;
	}
	if (setresuid(WK_INNER_ID, WK_INNER_ID, WK_INNER_ID) < 0) {
		snprintf(d->text, sizeof(d->text), "setresuid(%u)", WK_INNER_ID);
		return -1;
	}
	return 0;
}

/* No nested user namespace in a worker, whatever its filter allows: our own
 * user namespace's max_user_namespaces becomes 0 (the layer bubblewrap's
 * --disable-userns adds), so unshare/clone(CLONE_NEWUSER) fail with ENOSPC
 * and no namespace with a fresh capability set can ever be made here. The
 * kernel resolves /proc/sys/user/ entries in the opener's user namespace at
 * lookup, so an open through the zygote's /proc/sys/user directory (the
 * worker has no /proc) reaches ours. Writing needs CAP_SYS_RESOURCE over
 * our namespace, held until wk_caps_drop() and never again: nothing in the
 * worker can raise the limit back. Read back to be sure it holds. */
int wk_userns_forbid_nested(int sysuser, struct wk_detail *d)
{
	char back[8] = "";
	ssize_t n = -1;
	int fd, saved;

	strcpy(d->text, "open /proc/sys/user/max_user_namespaces (the zygote's /proc/sys/user)");
	if (sysuser < 0) {
		errno = EBADF;
		return -1;
	}
	fd = openat(sysuser, "max_user_namespaces", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	strcpy(d->text, "write 0 to our user namespace's max_user_namespaces");
	if (write(fd, "0\n", 2) == 2)
		n = pread(fd, back, sizeof(back) - 1, 0);
	saved = errno;
	close(fd);
	if (n != 2 || strcmp(back, "0\n")) {
		errno = n < 0 ? saved : EIO;
		return -1;
	}
	return 0;
}
