/* Landlock beneath the filter. Runs in the worker child during its
 * lockdown, after no_new_privs and with its root final (the data binds
 * mounted), before the seccomp filter. The ruleset handles every right
 * the kernel's ABI knows (wk_landlock.h): filesystem access is denied
 * except reading beneath each bind_ro and data path, and reading, writing,
 * creating and removing files and directories beneath the scratch tmpfs
 * at /tmp (never executing, nor making devices, sockets, FIFOs or
 * symbolic links there), TCP bind and connect
 * are denied, abstract UNIX sockets and signals are scoped to the worker.
 * So a profile whose exceptions open the filter to the open family still
 * reaches only its declared data, read-only. The plugin and its libraries
 * arrive as descriptors the supervisor opened (notify.c): Landlock checks
 * paths at open time, in the opener's domain, and mapping them (even
 * executable) is not a Landlock access; execute applies to execve only:
 * an exec worker gets it for its interpreter's descriptor alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wk.h"
#include "wk_landlock.h"

#define WK_LL_RULE_PATH_BENEATH 1

struct wk_ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* Access beneath one path: read_file, and read_dir for a directory; with
 * write, also the scratch rights. */
static int allow_path(int ruleset, const char *path, bool write, uint64_t handled, struct wk_detail *d)
{
	struct wk_ll_path_beneath pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), rc = -1, saved;

	snprintf(d->text, sizeof(d->text), "landlock rule for %.200s", path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0) {
		pb.parent_fd = fd;
		pb.allowed_access = (WK_LL_FS_READ_FILE | (S_ISDIR(st.st_mode) ? WK_LL_FS_READ_DIR : 0) |
				     (write ? WK_LL_FS_SCRATCH : 0)) & handled;
		rc = (int)syscall(SYS_landlock_add_rule, ruleset, WK_LL_RULE_PATH_BENEATH, &pb, 0);
	}
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* An exec worker's interpreter, by its descriptor alone: exec re-opens
 * it in our domain, which must grant execute and read on that one file
 * (the tool and its libraries are only mapped: no Landlock access). */
static int allow_interp(int ruleset, uint64_t handled, struct wk_detail *d)
{
	struct wk_ll_path_beneath pb = { .allowed_access = (WK_LL_FS_EXECUTE | WK_LL_FS_READ_FILE) & handled,
					 .parent_fd = WK_FD_INTERP };

	snprintf(d->text, sizeof(d->text), "landlock rule for the exec interpreter");
	return (int)syscall(SYS_landlock_add_rule, ruleset, WK_LL_RULE_PATH_BENEATH, &pb, 0);
}

int wk_landlock_apply(const struct wk_config *cfg, struct wk_detail *d)
{
	uint32_t abi = cfg->landlock_abi;
	struct wk_landlock_attr attr = { .handled_access_fs = wk_landlock_fs(abi),
					 .handled_access_net = wk_landlock_net(abi),
					 .scoped = wk_landlock_scoped(abi) };
	int ruleset, rc = 0, saved;

	if (abi == 0)
		return 0;
	snprintf(d->text, sizeof(d->text), "landlock_create_ruleset(ABI %u)", abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, wk_landlock_attr_size(abi), 0);
	if (ruleset < 0)
		return -1;
	for (uint32_t i = 0; i < cfg->nbinds && rc == 0; i++)
		rc = allow_path(ruleset, cfg->binds[i], false, attr.handled_access_fs, d);
	for (uint32_t i = 0; i < cfg->ndata && rc == 0; i++)
		rc = allow_path(ruleset, cfg->data[i], false, attr.handled_access_fs, d);
	if (cfg->scratch_bytes && rc == 0)
		rc = allow_path(ruleset, "/tmp", true, attr.handled_access_fs, d);
	if (rc == 0 && cfg->exec)
		rc = allow_interp(ruleset, attr.handled_access_fs, d);
	if (rc == 0) {
		snprintf(d->text, sizeof(d->text), "landlock_restrict_self(ABI %u)", abi);
		rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
	}
	saved = errno;
	close(ruleset);
	errno = saved;
	return rc;
}
