/* A worker's seccomp user notification, judged. The kernel hands the
 * supervisor the syscall a worker's filter did not allow: while the worker
 * is loading its plugin, the policy's init set is answered, the loader's
 * opens of the plugin and its libraries with a descriptor the supervisor
 * opened (so they are never in the worker's filesystem), the rest with
 * CONTINUE; any
 * other call is a violation, named from the kernel's data (the worker can
 * forge none of it), except a signal the worker raised at itself (abort),
 * which is the crash it means. Runs in the supervisor. */
#ifndef CAISSON_NOTIFY_H
#define CAISSON_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct policy;
struct wk_config;
struct nfx_pool;
struct nfx_worker;

enum nf_verdict {
	NF_CONTINUED, /* answered CONTINUE, or nothing to read (EINTR, or a
		       * notification a signal withdrew: the call comes again) */
	NF_GONE,      /* the worker is gone (pidfd readable or listener hung
		       * up): its exit says why; stop watching */
	NF_BROKEN,    /* the listener failed: stop watching; text says why */
	NF_CRASHED,   /* a signal raised by the worker itself; *sig */
	NF_VIOLATION, /* text: the call, e.g. openat(AT_FDCWD, "/etc/passwd", O_RDONLY, 0x0) */
	NF_HOST_LIMIT, /* as NF_CONTINUED, but a loader's open failed here for want
			* of descriptors (*sig: EMFILE or ENFILE): its load will fail */
};

/* Receives one notification from listener fd of worker pid (pidfd: its
 * pidfd, polled to tell a dead worker from a withdrawn notification) and
 * judges it;
 * loading: the worker's configuration while it has not reported READY (the
 * init set is answered), else NULL; pol NULL: nothing is continued (every
 * notification is judged a violation). xp, xw: an exec worker's pool and
 * its own state (notify_exec.h), judged first once it is READY; NULL for a
 * plugin worker. text (len bytes) gets the detail of NF_BROKEN,
 * NF_CRASHED, NF_VIOLATION. */
enum nf_verdict nf_judge(int fd, pid_t pid, int pidfd, const struct policy *pol, const struct wk_config *loading,
			 const struct nfx_pool *xp, struct nfx_worker *xw, int *sig, char *text, size_t len);

#endif
