/* The host's limits a supervisor meets when it spawns workers: which
 * spawn errors mean "the host ran out of something" rather than "the
 * plugin or profile is broken", what ran out, in words and with the
 * number the kernel gives (pids cgroup, memory cgroup, RLIMIT_NOFILE,
 * RLIMIT_NPROC), and raising the soft descriptor limit. Runs in the
 * supervisor (and its library), unprivileged or root; reads /proc and
 * the supervisor's own cgroups only. */
#ifndef CAISSON_HOSTLIM_H
#define CAISSON_HOSTLIM_H

#include <stdbool.h>
#include <stddef.h>

/* Descriptors the supervisor keeps per live worker (README.md,
 * "Supervisor descriptors per worker"): pidfd, IPC socket, seccomp
 * listener, log pipe; two more (its bulk regions' memfds) in a pool of
 * one request per worker with regions. */
#define HL_FDS_PER_WORKER 4u

/* Whether a spawn that failed with err met a host limit: EAGAIN (clone:
 * a pids cgroup, RLIMIT_NPROC, threads-max), ENOMEM, EMFILE, ENFILE. */
bool hl_resource_errno(int err);
/* What ran out for err, e.g. "process limit (pids cgroup, max 300)",
 * "out of file descriptors (limit 8000; each worker needs 4)" (fds: what
 * a worker of the pool needs). */
void hl_name(int err, unsigned fds, char *buf, size_t len);
/* Raises the soft RLIMIT_NOFILE to the hard limit, once per process
 * (later calls only return the text): what it did, e.g. "raised soft
 * limit 1024 to the hard limit 524288". */
const char *hl_nofile_raise_once(void);

#endif
