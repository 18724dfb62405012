/* Worker-side lockdown steps, one per file (wk_*.c), and the checklist that
 * runs them in order (wk_lockdown.c). Runs in the freshly cloned worker child
 * of the zygote, before any plugin code. Error convention: every step
 * returns 0 or -1 with errno and fills *detail; wk_lockdown() turns the first
 * failure into one Z_LOCK_FAILED message naming the step, then _exits. */
#ifndef CAISSON_WK_H
#define CAISSON_WK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipc_config.h"

/* The worker's descriptor map, the only fds it holds once locked:
 *   2  log pipe (write end, non-blocking, bounded by the supervisor's reader)
 *   3  IPC socket (SOCK_SEQPACKET to the supervisor)
 * plus, only until the listener is handed over, WK_FD_SYNC to the zygote. */
#define WK_FD_LOG 2
#define WK_FD_IPC 3
#define WK_FD_SYNC 4
/* An exec worker's (wk_exec.c) further descriptors; 0, 1 and 2 are then
 * the tool's stdin, stdout and stderr (pipes), its log pipe moves to
 * WK_FD_EXEC_LOG, and every runner-side one is close-on-exec. */
#define WK_FD_INTERP 5   /* the tool's ELF interpreter, opened by the zygote */
#define WK_FD_EXEC_LOG 6 /* the log pipe (the runner's copy of the tool's stderr) */
#define WK_FD_TOOL_IN 7  /* write end of the tool's stdin */
#define WK_FD_TOOL_OUT 8 /* read end of its stdout */
#define WK_FD_TOOL_ERR 9 /* read end of its stderr */

#define WK_INNER_ID 1000u /* uid and gid inside every worker's namespace */

struct wk_detail {
	char text[256];
};

/* wk_userns.c */
int wk_userns_write_maps(pid_t child, const struct wk_config *cfg, uint32_t slot,
			 uint32_t *host_uid, struct wk_detail *d);
int wk_userns_switch(struct wk_detail *d);
/* sysuser: the zygote's /proc/sys/user directory (O_PATH). */
int wk_userns_forbid_nested(int sysuser, struct wk_detail *d);
/* wk_keyring.c */
int wk_keyring_private(struct wk_detail *d);
/* wk_mount.c: the profile's binds and data, cloned with the zygote's
 * identity (which can reach what the supervisor resolved); the root is
 * built after the switch to the worker's mapped uid (files cannot be
 * created by an unmapped one). trees holds nbinds, then ndata (at most
 * WK_MAX_TREES) detached mounts; the caller closes them. */
#define WK_MAX_TREES (2 * WK_MAX_BINDS)
int wk_mount_clone_sources(const struct wk_config *cfg, int *trees, int *step, struct wk_detail *d);
int wk_mount_build_root(const struct wk_config *cfg, const int *trees, int *step, struct wk_detail *d);
/* Once the plugin is initialised and sealed, the binds have no business
 * in the root: the zygote in the worker's mount namespace (as root), or a
 * zygote helper that joined its user and mount namespaces, detaches every
 * bind and removes the mount points, leaving "/" empty but for the data
 * mounts and the scratch tmpfs, and read-only. Only for a profile with
 * binds; without, "/" holds nothing else from the start. */
int wk_mount_clear_root(const struct wk_config *cfg, struct wk_detail *d);
/* wk_caps.c */
int wk_caps_lock_securebits(struct wk_detail *d);
int wk_caps_drop(struct wk_detail *d);
/* wk_rlimit.c */
int wk_rlimit_apply(const struct wk_config *cfg, struct wk_detail *d);
int wk_rlimit_set_nofile(pid_t pid, const struct wk_config *cfg, struct wk_detail *d);
/* wk_fds.c: interp, the exec interpreter's descriptor (-1: none), goes to
 * WK_FD_INTERP. */
int wk_fds_arrange(int ipc, int sync, int log, int interp, struct wk_detail *d);
/* wk_exec.c: the exec runner. fds: its descriptor map (a lockdown step,
 * after wk_fds_arrange); prepare: before READY; handle: one request, as a
 * plugin's handler; argv: the tool's full command line for a request's
 * arguments (NULL: none), into a static buffer. */
struct caisson_out;
struct wk_req_args;
int wk_exec_fds(struct wk_detail *d);
void wk_exec_prepare(const struct wk_config *cfg);
int wk_exec_handle(const uint8_t *in, size_t len, struct caisson_out *out);
int wk_exec_argv(const struct wk_config *cfg, const struct wk_req_args *ra, char **argv);
/* wk_landlock.c: no-op when cfg->landlock_abi is 0 */
int wk_landlock_apply(const struct wk_config *cfg, struct wk_detail *d);
/* wk_seccomp.c */
int wk_seccomp_load(const struct wk_config *cfg, struct wk_detail *d);
/* wk_lockdown.c: runs every step; returns only on success. What the
 * zygote opened for this worker, all closed here: cg, the ncg cgroup v1
 * "tasks" files; regions, the bulk regions (NULL without). */
struct wk_inherited {
	const int *cg;
	uint32_t ncg;
	bool empty_root; /* cloned into the zygote's empty root (no binds, data or scratch): nothing to mount */
	int sysuser;     /* the zygote's /proc/sys/user (O_PATH), -1 if it has none */
	int interp;      /* an exec configuration's interpreter (wk_exec.c), else -1 */
	const int *regions; /* input, output; and coverage when cov_size */
	uint64_t in_size, out_size, cov_size;
};
void wk_lockdown(const struct wk_config *cfg, int ipc, int sync, int log, const struct wk_inherited *in);
/* wk_runtime.c: maps the bulk regions (fds input, output, and coverage
 * when cov_size is not 0; closed here), called by wk_lockdown; then loads
 * the plugin (or a libFuzzer harness) and serves requests. */
int wk_runtime_map_regions(const int *fds, uint64_t in_size, uint64_t out_size, uint64_t cov_size,
			   struct wk_detail *d);
void wk_runtime_main(const struct wk_config *cfg) __attribute__((noreturn));
/* wk_cov.c: a fuzz target's coverage region (fd closed here). active: a
 * region is mapped (requests are batches, ipc_proto.h). batch_begin clears
 * the comparison slots; around each input, begin(index) writes its index
 * to the region and zeroes the counters, end returns true when they show a
 * feature this worker has not seen (and remembers it); publish copies the
 * counters of the last input into the region. resolve finds libc's
 * comparison functions behind the interposed ones. */
int wk_cov_map(int fd, uint64_t size, struct wk_detail *d);
bool wk_cov_active(void);
void wk_cov_batch_begin(void);
void wk_cov_begin(uint32_t index);
bool wk_cov_end(void);
void wk_cov_publish(void);
void wk_cov_resolve(void);

#endif
