/* The supervisor's side of the zygote: starts caisson-zygote with
 * posix_spawn (never a fork of the calling process), sends it the worker
 * configuration once, asks it for workers and dispatches what it reports;
 * at the end, has it kill and reap every worker and reaps it. Runs in the
 * supervisor, on the caller's event_base. Returns -1 with a message in err
 * on failure; never exits. */
#ifndef CAISSON_ZYG_H
#define CAISSON_ZYG_H

#include <event2/event.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc_codec.h"
#include "ipc/ipc_config.h"

struct zyg_ops {
	/* fds: pidfd, ipc socket, seccomp listener, log pipe; ownership passes. */
	void (*spawned)(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4]);
	void (*spawn_failed)(void *arg, uint64_t id, uint32_t step, int err, const char *text);
	void (*exited)(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us);
	/* The answer to zyg_clear_root: err 0 when the root is empty. */
	void (*root_cleared)(void *arg, uint64_t id, int err, const char *text);
	/* The zygote died or broke protocol: every worker is gone with it. */
	void (*lost)(void *arg, const char *why);
	/* A worker was spawned but its descriptors could not be received
	 * (err: EMFILE or ENFILE here): its sockets are closed, so it ends
	 * alone, and its exit is reported as any other. */
	void (*spawned_lost)(void *arg, uint64_t id, pid_t pid, int err);
};

struct zyg {
	pid_t pid;
	int ctl;
	struct event *ev;
	struct zyg_ops ops;
	void *arg;
	uint8_t *buf;
};

/* A zygote started ahead of the configuration it will serve, so that its
 * exec overlaps the caller's profile parse and filter compile (a one-shot
 * command): its pid and our end of the channel. */
struct zyg_launched {
	pid_t pid; /* 0: none */
	int ctl;
};
int zyg_launch(struct zyg_launched *l, char *err, size_t errlen);
/* Ends and reaps a launched zygote that zyg_start did not take. */
void zyg_launched_drop(struct zyg_launched *l);

/* Takes over pre when it holds a launched zygote (pre is emptied), else
 * launches one; then sends it cfg and watches the channel. */
int zyg_start(struct zyg *z, struct event_base *base, const struct wk_config *cfg, const struct zyg_ops *ops,
	      void *arg, struct zyg_launched *pre, char *err, size_t errlen);
/* Asks for a worker for slot; with regions (input read-only open, output,
 * and coverage when cov_size is not 0) of the given sizes when its
 * configuration has bulk regions, else NULL. */
int zyg_spawn(struct zyg *z, uint32_t slot, uint64_t id, const int *regions, uint64_t in_size,
	      uint64_t out_size, uint64_t cov_size);
/* Asks the zygote to empty a READY worker's root (see wk_mount_clear_root). */
int zyg_clear_root(struct zyg *z, uint64_t id, int pidfd);
/* Has the zygote kill and reap every worker and exit, and reaps it; the
 * caller is blocked meanwhile (a few milliseconds; at most ZYG_END_MS). */
void zyg_stop(struct zyg *z);
/* Path of caisson-zygote (libexec.h says where it looks); -1 with the
 * one-line message naming every place looked in err. */
int zyg_path(char *out, size_t len, char *err, size_t errlen);

#endif
