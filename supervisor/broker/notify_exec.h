/* An exec worker's notifications (caisson exec), judged before the rest of
 * notify.c's rules: the runner's one fork, its child's one exec of the
 * interpreter with exactly the expected command line, and, for the tool's
 * life, its loader's opens of the resolved set (served as descriptors) and
 * its executable mappings of those files (file-backed, never writable or
 * anonymous). Everything else falls through to the plugin rules. Runs in
 * the supervisor. */
#ifndef CAISSON_NOTIFY_EXEC_H
#define CAISSON_NOTIFY_EXEC_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc_argv.h"
#include "ipc/ipc_config.h"

/* Per pool: the resolved set's identities and the expected command line. */
struct nfx_pool {
	const struct wk_config *cfg;
	uint32_t nfiles;
	dev_t dev[WK_MAX_DEPS + 2];
	ino_t ino[WK_MAX_DEPS + 2];
	unsigned uses; /* IPC_ARGV_USES_IN, _OUT: the runner's two opens in scratch */
	int argc;
	char *argv[IPC_ARGV_SLOTS];
	char *buf; /* IPC_ARGV_BUF bytes, holding argv */
};

/* Per worker: what it has been allowed so far. */
struct nfx_worker {
	bool forked, execed, in_opened, out_opened;
	pid_t tool;     /* host pid of the tool once exec'd, else 0 */
	int tool_pidfd; /* -1 before */
};

/* 0, or -1 with err (a file of the set cannot be stat'ed, the command line
 * does not build). cfg must outlive the pool. */
int nfx_pool_init(struct nfx_pool *xp, const struct wk_config *cfg, char *err, size_t errlen);
void nfx_pool_free(struct nfx_pool *xp);
void nfx_worker_init(struct nfx_worker *xw);
void nfx_worker_free(struct nfx_worker *xw);

/* Judges req of worker pid (host pid of the runner) on listener fd: true
 * when it answered the call (continued, served, or failed it with an
 * errno), false when the plugin rules decide. *host_err as nf_judge's. */
bool nfx_judge(int fd, pid_t pid, const struct nfx_pool *xp, struct nfx_worker *xw, const struct seccomp_notif *req,
	       struct seccomp_notif_resp *resp, int *host_err);

#endif
