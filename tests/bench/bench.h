/* caisson_bench: the benchmark suite behind `make bench` (BENCHMARKS.md).
 * Each figure module measures caisson beside its floor and its peers,
 * interleaved in one run, and fills rows; bench_report.c prints the table
 * and writes the JSON. Runs as a plain process (root to run the peers and
 * read kernel counters). Helpers return -1 on failure and never exit. */
#ifndef CAISSON_BENCH_H
#define CAISSON_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caisson.h"

#define BENCH_MAX_ROWS 32
#define BENCH_MAX_PEERS 4
#define BENCH_CMD_MAX 1024
#define BENCH_ARGV_MAX 40

struct bench_samples {
	double *v;
	size_t n, cap;
};

struct bench_peer {
	char name[48];
	char cmd[BENCH_CMD_MAX];
	double p50;             /* NaN when unavailable */
	char unavailable[200];  /* why there is no number */
};

struct bench_row {
	char id[16];
	char name[80];
	char unit[12];
	bool higher_better;     /* throughput: a larger number is better */
	double p50, p99;        /* caisson; NaN when it could not be measured */
	char floor_name[80];
	double floor_p50;
	struct bench_peer peers[BENCH_MAX_PEERS];
	int npeers;
	char target[200];
	bool met;
	int iterations;
	char note[400];
};

struct bench_ctx {
	const char *build, *src;
	bool quick;             /* smoke test: tiny counts, no timing claims */
	struct bench_row rows[BENCH_MAX_ROWS];
	int nrows;
	char png_path[512];     /* the generated 1024x1024 PNG (figure 5) */
};

/* An external command: argv plus its printed form. */
struct bench_cmd {
	char *argv[BENCH_ARGV_MAX];
	char line[BENCH_CMD_MAX];
	char unavailable[200]; /* set by bench_cmd_check when it cannot run */
};

uint64_t bench_now_ns(void);
double bench_now_us(void);
void bench_add(struct bench_samples *s, double x);
double bench_pct(const struct bench_samples *s, double q);
void bench_samples_free(struct bench_samples *s);
/* Iterations: n normally, tiny in quick mode. */
int bench_iters(const struct bench_ctx *c, int n);

struct bench_row *bench_row_new(struct bench_ctx *c, const char *id, const char *name, const char *unit);
void bench_row_samples(struct bench_row *r, const struct bench_samples *s);
void bench_row_floor(struct bench_row *r, const char *name, double p50);
struct bench_peer *bench_row_peer(struct bench_row *r, const char *name, const struct bench_cmd *cmd,
				  const struct bench_samples *s);

/* Builds a command from a NULL-terminated list of words. */
void bench_cmd_init(struct bench_cmd *cmd, const char *const *words);
/* Runs it once (stderr captured): 0 when it exits 0, else -1 with the
 * reason in cmd->unavailable. */
int bench_cmd_check(struct bench_cmd *cmd);
/* Starts it with stdout to out_fd (-1: /dev/null); pid or -1. */
pid_t bench_cmd_start(const struct bench_cmd *cmd, int out_fd);
/* Starts it with stderr to err_fd, stdout to /dev/null; pid or -1. */
pid_t bench_cmd_start_err(const struct bench_cmd *cmd, int err_fd);
/* Runs it to completion; its wall time in us, or -1 if it failed. */
double bench_cmd_time_us(const struct bench_cmd *cmd);
/* One timed run of a peer into s (when record: warm-ups are not); a failed
 * run marks the command unavailable, and an unavailable one is not run. */
void bench_cmd_sample(struct bench_cmd *cmd, struct bench_samples *s, int record);

/* Runs the loop until the pool has n idle workers: 0, or -1 on timeout
 * or when its breaker opened. */
int bench_pool_wait_idle(struct event_base *base, caisson_pool *p, unsigned n, double timeout_s);

/* A pre-spawned echo pool of n workers (tests/bench/echo-prespawn.ini)
 * on its own base, waited for until all n are idle: 0, or -1 with err. */
struct bench_pool {
	struct event_base *base;
	caisson_pool *pool;
};
int bench_echo_pool_open(const struct bench_ctx *c, struct bench_pool *m, unsigned n, double timeout_s,
			 char *err, size_t errlen);
void bench_echo_pool_close(struct bench_pool *m);
/* The workers of this process's single pool: its zygote's children. */
int bench_pool_workers(pid_t *out, int max, pid_t *zygote);
/* Waits (up to 5 s) until none of pids runs any more (zombies whose
 * reaper is elsewhere count as gone). */
void bench_wait_gone(const pid_t *pids, int n);
void bench_sleep_ms(long ms);

/* /proc readers. */
int bench_children(pid_t parent, pid_t *out, int max);
int bench_descendants(pid_t root, pid_t *out, int max); /* root included */
bool bench_alive(pid_t pid); /* exists and is not a zombie */
long bench_minflt(pid_t pid); /* minor page faults so far */
bool bench_comm_is(pid_t pid, const char *comm);
long bench_pss_kib(pid_t pid);
long bench_status_num(pid_t pid, const char *key); /* e.g. "VmRSS:" (KiB) */
long bench_kernel_kib(void); /* Slab + KernelStack + PageTables, per-cpu counters folded */
long bench_meminfo_kib(const char *key);
/* The caisson-zygote children of this process (one per live pool). */
int bench_zygotes(pid_t *out, int max);

/* The sandbox probe (bench_probe): a small program that clone3s fully
 * sandboxed children on command (figures 1 and 6). */
struct bench_probe {
	pid_t pid;
	int to, from;
	char line[BENCH_CMD_MAX];
};
int bench_probe_start(const struct bench_ctx *c, struct bench_probe *p);
double bench_probe_spawn_us(struct bench_probe *p); /* request -> ready; -1 on failure */
pid_t bench_probe_hold(struct bench_probe *p);       /* an idle sandboxed child */
int bench_probe_release(struct bench_probe *p);      /* kills the held ones */
void bench_probe_stop(struct bench_probe *p);

/* Peer command lines shared by several figures. */
void bench_bwrap_cmd(struct bench_cmd *cmd, const char *const *extra, const char *const *prog);
void bench_firejail_cmd(struct bench_cmd *cmd, const char *const *prog);

/* The figures, in BENCHMARKS.md order. */
void bench_fig_spawn(struct bench_ctx *c);
void bench_fig_ipc(struct bench_ctx *c); /* 2, 3 and 4 */
void bench_fig_png(struct bench_ctx *c);
void bench_fig_memory(struct bench_ctx *c);
void bench_fig_syscall(struct bench_ctx *c);
void bench_fig_scale(struct bench_ctx *c);
void bench_fig_oneshot(struct bench_ctx *c); /* 9 */
void bench_fig_fuzz(struct bench_ctx *c);      /* 10, 10a */
void bench_fig_fuzz_find(struct bench_ctx *c); /* 10b */
void bench_fig_exec(struct bench_ctx *c);      /* 11 */
void bench_fig_serve(struct bench_ctx *c);     /* 12 */

void bench_report_table(const struct bench_ctx *c);
int bench_report_json(const struct bench_ctx *c, const char *path);

#endif
