/* Per-worker cgroups: a memory limit the kernel enforces on what a worker
 * really uses (page cache and kernel memory included), a pids limit, and
 * an OOM counter that names the death. Runs in the supervisor. Detects at
 * run time what the host offers: cgroup v2 with the memory controller
 * delegated to our cgroup, else the v1 memory (and pids) hierarchies where
 * we may create directories, else nothing (the rlimits remain). Each pool
 * gets a directory beside the supervisor's own cgroup,
 * caisson.<pid>.<n>, and worker slot N the subdirectory wN, which the
 * worker joins during its lockdown (wk_config.cgroups; zygote.c); a flat
 * pool (a one-shot run's single worker) has no wN level: its workers join
 * the pool's directory, which holds the limits (wk_config.cgroup_flat). Every
 * directory is removed when its pool ends; those of a supervisor killed
 * before it could (SIGKILL, a crash) are removed by the next supervisor
 * that starts beside them (cg_stale.c). */
#ifndef CAISSON_CGROUP_H
#define CAISSON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_config.h"

enum cg_version { CG_NONE = 0, CG_V1 = 1, CG_V2 = 2 };

struct cg {
	enum cg_version ver;
	/* v2: dirs[0] only. v1: dirs[0] memory, dirs[1] pids ("" if absent). */
	char dirs[WK_MAX_CGROUPS][WK_PATH_MAX];
	bool flat; /* the slots' directory is dirs[i] itself: no wN, no subtree controllers */
	char why[256]; /* CG_NONE: why no cgroup is used */
};

/* Detects and creates the pool's directories (flat: see above). Never
 * fails: without a usable hierarchy ver is CG_NONE and why says what was
 * missing. */
void cg_setup(struct cg *c, bool flat);
/* The same under explicit roots (tests): v2 root, or v1 memory and pids
 * roots; "" for an absent one. own is the supervisor's cgroup path. */
void cg_setup_at(struct cg *c, enum cg_version ver, const char *root_a, const char *root_b, const char *own,
		 bool flat);
/* Creates slot's directory with its limits (flat: writes the limits into
 * the pool's); -1 with a message in err. */
int cg_worker_create(const struct cg *c, uint32_t slot, uint64_t memory_bytes, uint32_t pids, char *err,
		     size_t errlen);
/* How many OOM kills slot's cgroup has seen (it outlives its workers:
 * compare with the count when the worker started); -1 if unreadable. */
long long cg_worker_oom_kills(const struct cg *c, uint32_t slot);
/* Whether slot's directories exist and hold no process (reusable). */
bool cg_worker_empty(const struct cg *c, uint32_t slot);
/* Removes slot's directory (its worker must be gone; flat: nothing). */
void cg_worker_remove(const struct cg *c, uint32_t slot);
/* Removes the pool's directories, waiting briefly for dying workers. */
void cg_teardown(struct cg *c);
const char *cg_name(const struct cg *c);

/* Where this process's pools would make their caisson.<pid>.<n>: the
 * parent directory in each hierarchy mounted here (v2, v1 memory, v1 pids),
 * whether or not cg_setup uses it. Returns how many (at most 3). */
#define CG_MAX_PARENTS 3
int cg_parents(char out[CG_MAX_PARENTS][WK_PATH_MAX]);

/* cg_stale.c: removes, under every cg_parents directory, each
 * caisson.<pid>.<n> of another pid whose owner is gone
 * (cg_stale_owner_gone), with its worker directories. */
void cg_sweep_stale(void);
/* The same, the first time it is called in the process: the broker calls
 * it once its first spawn is on its way, so that the sweep overlaps that
 * spawn instead of delaying it. */
void cg_sweep_stale_once(void);
/* Whether the supervisor that made a directory at dir_made_ns is gone:
 * no live process has its pid (alive false: none, or a zombie), or the
 * one that has it started after the directory was made (owner_start_ns),
 * the pid having been reused. Both times on CLOCK_BOOTTIME. A live process
 * that started before (within a second, for clock granularity) is taken
 * to be the owner: a live supervisor's directories are never touched. */
bool cg_stale_owner_gone(bool alive, uint64_t owner_start_ns, uint64_t dir_made_ns);

#endif
