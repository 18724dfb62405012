/* The caisson wire protocol, on one screen. Included by the supervisor, the
 * zygote and the worker. Every message type is declared once in IPC_MESSAGES;
 * the enum, the names used in logs and the decoder's limits all come from it.
 * Changing the table (a row, a bound, a state) or the configuration's
 * encoding (ipc_config.c; version 11 added exec and interp)
 * bumps IPC_VERSION. */
#ifndef CAISSON_IPC_PROTO_H
#define CAISSON_IPC_PROTO_H

#include <stdint.h>

#define IPC_VERSION 11u
#define IPC_MAGIC (0xCA150000u | IPC_VERSION) /* magic and version in one word */
#define IPC_HDR_LEN 24u
#define IPC_INLINE_MAX (60u * 1024u) /* larger payloads travel in the worker's shared regions */
#define IPC_TEXT_MAX 256u            /* error texts, NUL added by the decoder */
#define IPC_CONFIG_MAX (192u * 1024u)
#define IPC_MAX_FDS 4u
#define IPC_REC_HDR 12u /* a W_REQUESTS record's id and length */
#define IPC_SHM_MAX (2ull << 30) /* a bulk region: the 1G input or output cap, rounded up */
#define IPC_COV_MAX (64ull << 20) /* a fuzz worker's coverage region (ipc_cov.h) */

/* Who sends a message to whom. S = supervisor, W = worker, Z = zygote,
 * C = a worker child still in trusted lockdown, talking to its zygote. */
enum ipc_dir { IPC_S2W = 1, IPC_W2S, IPC_S2Z, IPC_Z2S, IPC_C2Z };

/* Receiver states in which a message is legal (bit mask). For W2S these are
 * the supervisor's view of the worker; the other directions have one state. */
#define ST_SPAWNING 0x1u /* locked, plugin loading and initialising */
#define ST_IDLE 0x2u     /* sealed, waiting for a request */
#define ST_BUSY 0x4u     /* handling the request with the current id */
#define ST_ANY 0x7u

/* X(name, id, direction, min payload, max payload, fds carried, legal states)
 * "fds carried" is exact: a message with a different number of fds is
 * malformed. Only supervisor- and zygote-sent rows carry fds; a worker can
 * never hand the supervisor a descriptor. */
#define IPC_MESSAGES(X)                                                        \
	/* supervisor -> zygote: worker configuration, once, before any spawn */ \
	X(Z_CONFIG, 1, IPC_S2Z, 16, IPC_CONFIG_MAX, 0, ST_ANY)                 \
	/* supervisor -> zygote: spawn a worker for slot N (u32 slot, u32 0) */ \
	X(Z_SPAWN, 2, IPC_S2Z, 8, 8, 0, ST_ANY)                                \
	/* zygote -> supervisor: locked worker; fds pidfd, ipc, notify, log */ \
	X(Z_SPAWNED, 3, IPC_Z2S, 8, 8, 4, ST_ANY)                              \
	/* zygote -> supervisor: lockdown step failed (u32 step, i32 errno, text) */ \
	X(Z_SPAWN_FAILED, 4, IPC_Z2S, 8, 8 + IPC_TEXT_MAX, 0, ST_ANY)          \
	/* zygote -> supervisor: a worker was reaped (pid, status, rusage) */  \
	X(Z_EXITED, 5, IPC_Z2S, 32, 32, 0, ST_ANY)                             \
	/* child -> zygote: lockdown done; carries the seccomp listener fd */  \
	X(Z_LOCKED, 6, IPC_C2Z, 0, 0, 1, ST_ANY)                               \
	/* child -> zygote: lockdown step failed (u32 step, i32 errno, text) */ \
	X(Z_LOCK_FAILED, 7, IPC_C2Z, 8, 8 + IPC_TEXT_MAX, 0, ST_ANY)           \
	/* supervisor -> zygote: worker is READY, empty its root; fd its pidfd */ \
	X(Z_CLEAR_ROOT, 8, IPC_S2Z, 0, 0, 1, ST_ANY)                            \
	/* zygote -> supervisor: root emptied (u32 step, i32 errno, 0 = done, text) */ \
	X(Z_ROOT_CLEARED, 9, IPC_Z2S, 8, 8 + IPC_TEXT_MAX, 0, ST_ANY)           \
	/* supervisor -> zygote: Z_SPAWN for a configuration with bulk regions, \
	 * which the child inherits and maps during its lockdown (u32 slot,     \
	 * u32 0, u64 input size, u64 output size); fds input (a read-only      \
	 * open), output: sealed memfds */                                     \
	X(Z_SPAWN_SHM, 10, IPC_S2Z, 24, 24, 2, ST_ANY)                          \
	/* supervisor -> zygote: Z_SPAWN_SHM for a fuzz target's worker, plus \
	 * its coverage region (ipc_cov.h), mapped writable by the child      \
	 * (u32 slot, u32 0, u64 input size, u64 output size, u64 coverage    \
	 * size); fds input (read-only open), output, coverage: sealed memfds */ \
	X(Z_SPAWN_FUZZ, 11, IPC_S2Z, 32, 32, 3, ST_ANY)                         \
	/* worker -> supervisor: plugin loaded, init returned 0; seal now */   \
	X(W_READY, 16, IPC_W2S, 0, 0, 0, ST_SPAWNING)                          \
	/* worker -> supervisor: plugin load or init failed (u32 step, i32 rc, text) */ \
	X(W_INIT_FAILED, 17, IPC_W2S, 8, 8 + IPC_TEXT_MAX, 0, ST_SPAWNING)     \
	/* supervisor -> worker: request bytes inline */                       \
	/* (to a fuzz target's worker, this and W_REQUEST_SHM carry a batch: \
	 * see IPC_FUZZ_BATCH below) */                                            \
	X(W_REQUEST, 18, IPC_S2W, 0, IPC_INLINE_MAX, 0, ST_IDLE)               \
	/* supervisor -> worker: the request is the first u64 bytes of the input region */ \
	X(W_REQUEST_SHM, 19, IPC_S2W, 8, 8, 0, ST_IDLE)                        \
	/* worker -> supervisor: a chunk of the answer to the current request */ \
	X(W_OUTPUT, 20, IPC_W2S, 1, IPC_INLINE_MAX, 0, ST_BUSY)                \
	/* worker -> supervisor: request finished (i32 rc, error text); from \
	 * an exec worker, rc is the tool's exit code (1..255) or             \
	 * IPC_EXEC_SIGNALED | the signal that killed it */                   \
	X(W_DONE, 21, IPC_W2S, 4, 4 + IPC_TEXT_MAX, 0, ST_BUSY)                \
	/* worker -> supervisor: the next u64 bytes of the answer are at the start \
	 * of the output region */                                             \
	X(W_OUTPUT_SHM, 23, IPC_W2S, 8, 8, 0, ST_BUSY)                         \
	/* worker -> supervisor: request finished with rc 0; the payload is the \
	 * answer's last piece (0..IPC_INLINE_MAX bytes): one message per small \
	 * call instead of W_OUTPUT + W_DONE */                                \
	X(W_OK, 24, IPC_W2S, 0, IPC_INLINE_MAX, 0, ST_BUSY)                    \
	/* supervisor -> worker: one or more requests sent while an earlier \
	 * one is still in hand ([pool] pipeline), as records (u64 id, u32 \
	 * length, the bytes), served in order after it and answered inline \
	 * only: the output region may still hold the earlier answer when \
	 * the worker reaches them */                                         \
	X(W_REQUESTS, 25, IPC_S2W, IPC_REC_HDR, IPC_INLINE_MAX, 0, ST_IDLE)    \
	/* worker -> supervisor: request finished with rc 0; the answer is the \
	 * first u64 bytes of the output region: one message per large answer  \
	 * instead of W_OUTPUT_SHM + W_OK (a supervisor woken by the first     \
	 * could find the second unsent) */                                    \
	X(W_OK_SHM, 26, IPC_W2S, 8, 8, 0, ST_BUSY)

/* An exec worker's W_DONE rc for a tool killed by a signal (since version
 * 11): this bit or'ed with the signal number (1..64). */
#define IPC_EXEC_SIGNALED 0x10000u

/* A fuzz target's batch (since version 9). To a worker spawned by
 * Z_SPAWN_FUZZ every request (W_REQUEST or W_REQUEST_SHM) is a batch of
 * inputs, so that one round trip carries many: u32 count (1..IPC_FUZZ_BATCH_MAX), then count records, each a
 * u32 length and that many bytes, tiling the request exactly (decoded by
 * ipc_batch_open/ipc_batch_next only). The worker runs them in order,
 * writing each one's index to its coverage region (IPC_COV_CURRENT_OFF)
 * before the call, so that the supervisor can name the input a worker died
 * on; it stops after the first input showing a coverage feature it has not
 * seen itself. Its answer is a W_OK (or W_REQUESTS' inline W_OK) whose
 * payload is the summary, IPC_FUZZ_BATCH_SUMMARY bytes: u32 inputs run (1..count),
 * u32 flags (IPC_FUZZ_BATCH_NEW: the last input run showed new coverage, its
 * counters are in the region). A plugin's answers and return codes within a
 * batch are counted against its output cap and dropped. */
#define IPC_FUZZ_BATCH_MAX 4096u
#define IPC_FUZZ_BATCH_HDR 4u
#define IPC_FUZZ_BATCH_REC 4u
#define IPC_FUZZ_BATCH_SUMMARY 8u
#define IPC_FUZZ_BATCH_NEW 1u

enum ipc_type {
#define IPC_ENUM(name, id, dir, lo, hi, nfd, st) IPC_##name = id,
	IPC_MESSAGES(IPC_ENUM)
#undef IPC_ENUM
};

/* Lockdown and load steps, named in SPAWN_FAILED errors. One table, so the
 * worker sends a number and the supervisor prints the name. */
#define IPC_STEPS(X)                                 \
	X(STEP_CLONE, "clone namespaces")            \
	X(STEP_DEATHSIG, "die with parent")          \
	X(STEP_USERMAP, "write uid/gid map")         \
	X(STEP_CGROUP, "join the worker's cgroup")   \
	X(STEP_REGIONS, "map the bulk regions")      \
	X(STEP_SYNC, "wait for zygote")              \
	X(STEP_MOUNT_PRIVATE, "make mounts private") \
	X(STEP_MOUNT_TMPFS, "mount empty root")      \
	X(STEP_BIND, "bind read-only file")          \
	X(STEP_PIVOT, "pivot_root")                  \
	X(STEP_DETACH, "detach old root")            \
	X(STEP_REMOUNT_RO, "remount root read-only") \
	X(STEP_HOSTNAME, "set hostname")             \
	X(STEP_IDENTITY, "switch uid/gid")           \
	X(STEP_SECUREBITS, "lock securebits")        \
	X(STEP_CAPS, "drop capabilities")            \
	X(STEP_NNP, "set no_new_privs")              \
	X(STEP_RLIMITS, "set resource limits")       \
	X(STEP_ENV, "clear environment")             \
	X(STEP_SCHED, "set scheduling class")        \
	X(STEP_USERNS_LIMIT, "forbid nested user namespaces") \
	X(STEP_KEYRING, "join a private session keyring") \
	X(STEP_LANDLOCK, "apply the Landlock ruleset") \
	X(STEP_FDS, "close descriptors")             \
	X(STEP_SECCOMP, "load seccomp filter")       \
	X(STEP_LISTENER, "hand over seccomp listener") \
	X(STEP_LOAD_DEP, "load dependency")          \
	X(STEP_LOAD_PLUGIN, "load plugin")           \
	X(STEP_PLUGIN_INIT, "plugin init")         \
	X(STEP_CLEAR_ROOT, "empty the root after load") \
	X(STEP_DATA, "mount read-only data")         \
	X(STEP_SCRATCH, "mount scratch tmpfs")

enum ipc_step {
#define IPC_STEP_ENUM(id, text) IPC_##id,
	IPC_STEPS(IPC_STEP_ENUM)
#undef IPC_STEP_ENUM
	IPC_STEP_COUNT
};

#endif
