/* The worker configuration: the plain, validated settings the supervisor
 * sends the zygote once (Z_CONFIG). The worker never sees a profile file.
 * Pure encode/decode with every count and length bounded; -1 with errno
 * (EINVAL/EMSGSIZE) on failure. */
#ifndef CAISSON_IPC_CONFIG_H
#define CAISSON_IPC_CONFIG_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc_proto.h"

#define WK_PATH_MAX 1024u  /* including the NUL */
#define WK_MAX_INSNS 4096u /* BPF_MAXINSNS */
#define WK_MAX_DEPS 64u
#define WK_MAX_BINDS 32u
#define WK_MAX_ARGS 32u
#define WK_MAX_CGROUPS 2u /* v1: memory and pids hierarchies; v2: one */
#define WK_LANDLOCK_ABI_LIMIT 64u /* a sane bound on a Landlock ABI version */
/* Half of glibc's largest mmap threshold on 64 bits (32 MiB), which the
 * worker sets just above the prefault size to keep big allocations on the
 * touched heap. */
#define WK_PREFAULT_MAX (16ull << 20)

struct wk_config {
	/* Identity. Root supervisor: slot N runs as host uid/gid base + N.
	 * base 0: unprivileged, the worker maps the supervisor's own ids. */
	uint32_t uid_base, gid_base, max_slots;
	/* Limits applied inside the worker (the supervisor enforces the rest). */
	uint64_t cpu_ms, memory_bytes, output_bytes, input_bytes;
	uint32_t open_files;
	/* Bytes of heap, and of each bulk region, the worker touches before
	 * it reports READY, so a fresh worker's first request does not pay a
	 * first-touch fault per page (0: none). */
	uint64_t prefault_bytes;
	/* A fuzz target's worker: the size of its coverage region
	 * (ipc_cov.h, sent with Z_SPAWN_FUZZ); 0 for every other worker. */
	uint64_t cov_bytes;
	/* 1: no bulk regions though an answer may outgrow one message (it
	 * streams in W_OUTPUT chunks): a one-shot run whose inputs each fit
	 * one message (input_bytes <= IPC_INLINE_MAX, no coverage region). */
	uint32_t no_regions;
	/* 1: each cgroups[] directory is the worker's own (a pool of one
	 * worker, its limits on the pool's directory), not <dir>/w<N>. */
	uint32_t cgroup_flat;
	/* Landlock ABI the worker's ruleset is built for (wk_landlock.h);
	 * 0: none (the kernel has no Landlock and the profile allows that). */
	uint32_t landlock_abi;
	/* 1: an exec worker (caisson exec): the runner (worker/wk_exec.c)
	 * runs the tool instead of loading a plugin. Then plugin is the
	 * tool, deps every library it needs (dependencies first), args its
	 * ARGS template (placeholders: ipc_argv.h) and interp its ELF
	 * interpreter, which the zygote opens and every worker inherits as
	 * WK_FD_INTERP (worker/wk.h). 0: a plugin worker (interp empty). */
	uint32_t exec;
	/* The one seccomp program every worker loads (compiled once). */
	uint32_t ninsns;
	struct sock_filter insns[WK_MAX_INSNS];
	/* Plugin, its resolved dependencies in load order, data binds, args. */
	char plugin[WK_PATH_MAX];
	char interp[WK_PATH_MAX];
	uint32_t ndeps, nbinds, nargs;
	char deps[WK_MAX_DEPS][WK_PATH_MAX];
	char binds[WK_MAX_BINDS][WK_PATH_MAX];
	char args[WK_MAX_ARGS][WK_PATH_MAX];
	/* The pool's cgroup directories: worker N joins <dir>/w<N>, or <dir>
	 * itself when cgroup_flat (which
	 * the supervisor created and limited) during its lockdown, before it
	 * may load the plugin (zygote.c). None when the host gives us no cgroup. */
	uint32_t ncgroups;
	char cgroups[WK_MAX_CGROUPS][WK_PATH_MAX];
	/* [filesystem] data: host paths mounted read-only (nodev, nosuid,
	 * noexec; that one mount, no submounts) at the same path for the
	 * worker's whole life, unlike binds (cleared at READY). scratch: bytes
	 * of the worker's private tmpfs at /tmp (0: none), at most
	 * memory_bytes. */
	uint32_t ndata;
	uint64_t scratch_bytes;
	char data[WK_MAX_BINDS][WK_PATH_MAX];
};

/* Whether workers of this configuration get bulk regions (Z_SPAWN_SHM):
 * when a request or an answer can outgrow one message, unless
 * no_regions says the requests fit one and answers stream. The supervisor
 * sends them with the spawn; the child maps them during its lockdown,
 * before it loads the plugin. */
static inline int wk_config_bulk_regions(const struct wk_config *c)
{
	if (c->no_regions)
		return 0;
	return c->input_bytes > IPC_INLINE_MAX || c->output_bytes >= IPC_INLINE_MAX || c->cov_bytes;
}

/* The worker's RLIMIT_FSIZE: no file is writable but on the scratch
 * tmpfs, whose size (in whole pages) runs out first, so a write there ends
 * in ENOSPC at the cap, never SIGXFSZ; without scratch, 0. */
static inline uint64_t wk_config_fsize(const struct wk_config *c)
{
	return c->scratch_bytes ? ((c->scratch_bytes + 4095) & ~4095ull) + 4096 : 0;
}

/* A configuration is 160 KiB, nearly all of it the unused tail of its
 * arrays; a first write to a page costs a fault (11-14 us on a VM), so
 * clearing or copying the whole struct cost a one-shot run ~80 faults.
 * Only entries below their counts are ever read (encode, decode and every
 * user go by the counts): reset zeroes the scalars and counts, copy copies
 * those and the used entries. */
void wk_config_reset(struct wk_config *c);
void wk_config_copy(struct wk_config *dst, const struct wk_config *src);

/* Encodes into buf (cap bytes); returns the length or -1. */
ssize_t wk_config_encode(const struct wk_config *c, uint8_t *buf, size_t cap);
/* Decodes and validates (absolute paths, no "..", bounds); 0 or -1. */
int wk_config_decode(const uint8_t *buf, size_t len, struct wk_config *c);

#endif
