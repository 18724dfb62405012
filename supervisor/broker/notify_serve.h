/* Served opens, shared by the plugin and exec rules of the seccomp
 * listener (notify.c, notify_exec.c). Runs in the supervisor. */
#ifndef CAISSON_NOTIFY_SERVE_H
#define CAISSON_NOTIFY_SERVE_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipc/ipc_config.h"

/* A NUL-terminated string of at most len bytes at addr in process pid; 0,
 * or -1 when longer or not readable. */
int nf_read_string(pid_t pid, unsigned long long addr, char *buf, size_t len);
/* Answers notification id with the error err. */
void nf_fail_call(int fd, uint64_t id, struct seccomp_notif_resp *resp, int err);
/* An open or openat, read-only, of a file of cfg's resolved set (plugin or
 * tool, and its libraries) by process pid: served with the supervisor's
 * descriptor (true), or false for any other call. *host_err: EMFILE or
 * ENFILE when our own open failed for want of descriptors. */
bool nf_serve_open(int fd, pid_t pid, const struct wk_config *cfg, const struct seccomp_notif *req,
		   struct seccomp_notif_resp *resp, int *host_err);

#endif
