/* caisson fuzz: coverage-guided fuzzing of a libFuzzer harness (or a
 * caisson plugin) inside sandboxed workers, with libFuzzer's command line.
 * Runs in the supervisor as the invoking user. Exit status as libFuzzer:
 * 0 nothing found, 77 a crash, violation or out-of-memory, 70 only
 * timeouts; 2 for usage or configuration errors, 1 when the run could not
 * go on (the target does not start, a file cannot be written). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker/pool.h"
#include "broker/setup.h"
#include "cli_args.h"
#include "cmd.h"
#include "fuzz/fz_batch.h"
#include "fuzz/fz_engine.h"
#include "fuzz/fz_minimize.h"
#include "fuzz/fz_mutate.h"
#include "ipc/ipc_cov.h"
#include "policy/policy.h"
#include "policy/profile_load.h"

#define FUZZ_MAX_DIRS 64
#define FUZZ_MAX_WORKERS 64
#define FUZZ_DICT_FILE_MAX (1u << 20)

static const char fuzz_usage[] =
	"usage: caisson fuzz [-v] -p PROFILE TARGET.so [-FLAG=VALUE...] [CORPUS_DIR...]\n"
	"       caisson fuzz -p PROFILE TARGET.so -minimize_crash=1 [-FLAG=VALUE...] INPUT\n"
	"\n"
	"Fuzzes TARGET.so, a libFuzzer harness (LLVMFuzzerTestOneInput, optional\n"
	"LLVMFuzzerInitialize) built with `clang -fsanitize=fuzzer-no-link -shared\n"
	"-fPIC` (UBSan as -fsanitize=undefined -fsanitize-trap=undefined; ASan as\n"
	"-fsanitize=address,fuzzer-no-link: the worker image gets its runtime\n"
	"preloaded, no RLIMIT_AS, and a memory cgroup is then required), or a\n"
	"caisson plugin, in persistent sandboxed workers (one unless -workers=N)\n"
	"confined by PROFILE.\n"
	"Coverage (8-bit counters) and comparison operands come back through a\n"
	"shared region; a fresh worker replaces one after any finding, and the\n"
	"fuzzer keeps going. Inputs are read from every CORPUS_DIR; new inputs are\n"
	"written to the first as <sha1>.\n"
	"\n"
	"  -p PROFILE             profile (.ini) confining the worker (required)\n"
	"  -runs=N                stop after N executions (corpus included; default: none)\n"
	"  -max_total_time=S      stop after S seconds (default: none)\n"
	"  -max_len=N             longest input generated (default 4096; at most the\n"
	"                         profile's input limit); lengths grow up to it\n"
	"  -seed=S                random seed: the same seed, target and corpus generate\n"
	"                         the same inputs (default: from the clock, printed)\n"
	"  -dict=FILE             dictionary: lines of [name=]\"value\" (\\\\, \\\", \\xHH)\n"
	"  -artifact_prefix=P     findings go to P<kind>-<sha1> (default ./)\n"
	"  -batch=N               inputs sent to the worker per message (default 64, at\n"
	"                         most 4096): it runs them in order, stopping after one\n"
	"                         with new coverage; a finding names the input it came\n"
	"                         from. -timeout holds per batch: an input past a\n"
	"                         batch's first that times out runs again alone\n"
	"                         and is a timeout only if it does so alone. With\n"
	"                         -seed, the same -batch gives the same inputs\n"
	"  -workers=N, -jobs=N    N persistent workers (default 1, at most 64), each\n"
	"                         fed batches by the one engine, sharing one corpus and\n"
	"                         one set of findings (libFuzzer's -jobs runs separate\n"
	"                         processes; here -jobs=N means N workers unless\n"
	"                         -workers says). The same -seed repeats a run's inputs\n"
	"                         with one worker only\n"
	"  -merge=1               merge: run every input of the first CORPUS_DIR, then\n"
	"                         of the others in order, copy into the first those\n"
	"                         that add coverage (as <sha1>), and stop; findings\n"
	"                         on the way are written as usual\n"
	"  -minimize_crash=1      with one input file in place of CORPUS_DIR: shrink it\n"
	"                         while it still ends in the same finding (its folding\n"
	"                         key: stack hash, or status and detail), deleting ever smaller\n"
	"                         chunks, each try one run (-runs=N bounds them); write\n"
	"                         <prefix>minimized-from-<sha1 of INPUT>, print\n"
	"                         CRASH_MIN; exit 0, or 1 if it does not reproduce a\n"
	"                         finding\n"
	"  -timeout=S             wall and CPU time per input (per batch: see -batch),\n"
	"                         at most the profile's\n"
	"  -rss_limit_mb=M        memory per worker, at most the profile's\n"
	"  -v                     forward the worker's stderr (bounded) to stderr\n"
	"\n"
	"Findings: crash-, timeout-, oom- and violation-<sha1> (a violation is a\n"
	"system call the profile forbids: open, execve, socket...), each with a\n"
	"sidecar <name>.txt holding the status, its detail, the sanitizer's verdict,\n"
	"the stack (symbolized outside the sandbox by llvm-symbolizer) and its hash,\n"
	"and the worker's log tail; written before the stats line counts them. A\n"
	"crash with a stack (a sanitizer's report, or the worker's own on a fault) is\n"
	"folded by the hash of its top 3 frames; other findings by status and detail\n"
	"(addresses masked; timeouts and out-of-memory by status alone): one artifact\n"
	"each, its sidecar ending with how often it was seen.\n"
	"`caisson run -p PROFILE TARGET.so ARTIFACT`\n"
	"reproduces one.\n"
	"Stats lines on stderr: #N INITED|NEW|pulse|FIND|DONE cov: ft: corp: exec/s: rss:\n"
	"and, at the end, how many worker processes served batches. On a terminal,\n"
	"pulse lines are a progress line rewritten in place (every 0.5 s).\n"
	"Exit status: 0 nothing found, 77 crash/violation/oom, 70 timeouts only,\n"
	"1 the run could not go on, 2 usage or configuration error.\n";

struct fuzz_args {
	const char *profile, *target, *dict;
	uint64_t timeout_s, rss_mb, workers, jobs;
	bool seeded;
	int verbose, minimize;
	char *dirs[FUZZ_MAX_DIRS];
	size_t ndirs;
	struct fz_opts o;
};

static int fuzz_num(const char *name, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n < lo || n > hi) {
		cli_usage_error("fuzz", "-%s wants a number from %llu to %llu, not '%s'", name, (unsigned long long)lo,
				(unsigned long long)hi, v);
		return -1;
	}
	*out = n;
	return 0;
}

/* One -name=value flag; unknown flags are refused, not ignored: a run
 * that silently does less than asked is worse than none. */
static int fuzz_flag(struct fuzz_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t k = eq ? (size_t)(eq - arg - 1) : 0;
	const char *v = eq ? eq + 1 : "";
	uint64_t n;

#define IS(name) (k == sizeof(name) - 1 && !strncmp(arg + 1, name, k))
	if (IS("runs"))
		return fuzz_num("runs", v, 0, UINT64_MAX, &a->o.runs);
	if (IS("max_total_time"))
		return fuzz_num("max_total_time", v, 0, 31u * 86400u, &a->o.max_total_time);
	if (IS("seed")) {
		a->seeded = true;
		return fuzz_num("seed", v, 0, UINT64_MAX, &a->o.seed);
	}
	if (IS("max_len")) {
		if (fuzz_num("max_len", v, 1, 1u << 30, &n) < 0)
			return -1;
		a->o.max_len = (size_t)n;
		return 0;
	}
	if (IS("batch")) {
		if (fuzz_num("batch", v, 1, IPC_FUZZ_BATCH_MAX, &n) < 0)
			return -1;
		a->o.batch = (uint32_t)n;
		return 0;
	}
	if (IS("workers"))
		return fuzz_num("workers", v, 1, FUZZ_MAX_WORKERS, &a->workers);
	if (IS("jobs"))
		return fuzz_num("jobs", v, 1, FUZZ_MAX_WORKERS, &a->jobs);
	if (IS("minimize_crash")) {
		if (fuzz_num("minimize_crash", v, 0, 1, &n) < 0)
			return -1;
		a->minimize = (int)n;
		return 0;
	}
	if (IS("merge")) {
		if (fuzz_num("merge", v, 0, 1, &n) < 0)
			return -1;
		a->o.merge = (int)n;
		return 0;
	}
	if (IS("timeout"))
		return fuzz_num("timeout", v, 1, 86400, &a->timeout_s);
	if (IS("rss_limit_mb"))
		return fuzz_num("rss_limit_mb", v, 1, 1u << 20, &a->rss_mb);
	if (IS("dict") && *v) {
		a->dict = v;
		return 0;
	}
	if (IS("artifact_prefix")) {
		a->o.artifact_prefix = v;
		return 0;
	}
#undef IS
	cli_usage_error("fuzz", "unknown or unsupported flag '%s'", arg);
	return -1;
}

/* libFuzzer's single-dash -name=value flags are not getopt's, so this
 * command parses its own line, with the shared conventions otherwise:
 * options anywhere, "--" ending them, usage errors by cli_usage_error. */
static int fuzz_parse(int argc, char **argv, struct fuzz_args *a)
{
	bool opts = true;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (opts && !strcmp(s, "--")) {
			opts = false;
		} else if (opts && (!strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "-help=1"))) {
			fputs(fuzz_usage, stdout);
			exit(0);
		} else if (opts && !strcmp(s, "-p")) {
			if (i + 1 == argc) {
				cli_usage_error("fuzz", "-p wants a PROFILE");
				return -1;
			}
			a->profile = argv[++i];
		} else if (opts && !strcmp(s, "-v")) {
			a->verbose = 1;
		} else if (opts && s[0] == '-' && s[1]) {
			if (fuzz_flag(a, s) < 0)
				return -1;
		} else if (!a->target) {
			a->target = s;
		} else if (a->ndirs == FUZZ_MAX_DIRS) {
			cli_usage_error("fuzz", "at most %d corpus directories", FUZZ_MAX_DIRS);
			return -1;
		} else {
			a->dirs[a->ndirs++] = argv[i];
		}
	}
	if (!a->profile || !a->target) {
		cli_usage_error("fuzz", "%s", !a->profile ? "-p PROFILE is required" : "TARGET.so is required");
		return -1;
	}
	/* libFuzzer's -jobs=N runs N sessions, -workers=M of them at once;
	 * here one session runs on M (or N) workers sharing one corpus. */
	a->o.workers = (uint32_t)(a->workers ? a->workers : a->jobs ? a->jobs : 1);
	if (a->minimize && (a->ndirs != 1 || a->o.merge)) {
		cli_usage_error("fuzz", "-minimize_crash=1 wants one input file (and no -merge)");
		return -1;
	}
	if (a->o.merge && a->ndirs < 2) {
		cli_usage_error("fuzz", "-merge=1 wants two or more corpus directories");
		return -1;
	}
	return 0;
}

static int fuzz_load_dict(const char *path, struct fz_dict *d)
{
	char *text = malloc(FUZZ_DICT_FILE_MAX + 1), err[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t n = -1;
	size_t len = 0;

	if (text && fd >= 0)
		while (len <= FUZZ_DICT_FILE_MAX && (n = read(fd, text + len, FUZZ_DICT_FILE_MAX + 1 - len)) > 0)
			len += (size_t)n;
	if (!text || fd < 0 || n < 0)
		fprintf(stderr, "caisson fuzz: -dict=%s: %s\n", path, strerror(errno));
	else if (len > FUZZ_DICT_FILE_MAX)
		fprintf(stderr, "caisson fuzz: -dict=%s: larger than 1 MiB\n", path);
	else if (fz_dict_parse(text, len, d, err, sizeof(err)) < 0)
		fprintf(stderr, "caisson fuzz: -dict=%s:%s\n", path, err);
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

/* The profile's limits, narrowed (never widened) by -timeout, -rss_limit_mb
 * and -max_len; the worker gets a coverage region and persists. */
static int fuzz_limits(struct fuzz_args *a, struct wk_config *cfg, struct pool_limits *lim,
		       struct pool_sizing *sz)
{
	if (a->timeout_s && a->timeout_s * 1000 > lim->wall_ms) {
		fprintf(stderr, "caisson fuzz: -timeout=%llu exceeds the profile's wall time (%llums)\n",
			(unsigned long long)a->timeout_s, (unsigned long long)lim->wall_ms);
		return -1;
	}
	if (a->rss_mb && (a->rss_mb << 20) > lim->memory_bytes) {
		fprintf(stderr, "caisson fuzz: -rss_limit_mb=%llu exceeds the profile's memory limit (%lluM)\n",
			(unsigned long long)a->rss_mb, (unsigned long long)(lim->memory_bytes >> 20));
		return -1;
	}
	if (a->o.max_len > lim->input_bytes) {
		fprintf(stderr, "caisson fuzz: -max_len=%zu exceeds the profile's input limit (%llu bytes)\n",
			a->o.max_len, (unsigned long long)lim->input_bytes);
		return -1;
	}
	if (a->timeout_s) {
		lim->wall_ms = lim->cpu_ms = a->timeout_s * 1000;
		cfg->cpu_ms = lim->cpu_ms;
	}
	if (a->rss_mb)
		lim->memory_bytes = cfg->memory_bytes = a->rss_mb << 20;
	lim->input_bytes = cfg->input_bytes = fz_batch_bytes(a->o.batch, a->o.max_len);
	cfg->cov_bytes = IPC_COV_SIZE;
	*sz = (struct pool_sizing){ .min_workers = a->o.workers, .max_workers = a->o.workers, .queue = a->o.workers,
				    .requests_per_worker = 1000000, .failure_threshold = 5, .pipeline = 1 };
	return 0;
}

static int fuzz_go(struct fuzz_args *a, const struct profile *prof, const struct policy *pol,
		   struct wk_config *cfg)
{
	struct pool_limits lim;
	struct pool_sizing sz;
	struct event_base *base = event_base_new();
	struct pool *pool = NULL;
	struct fz_report rep;
	char err[512];
	int rc = 2;

	setup_limits(prof, &lim);
	if (!base || fuzz_limits(a, cfg, &lim, &sz) < 0)
		goto out;
	if (!(pool = pool_new(base, pol, &lim, &sz, cfg, err, sizeof(err)))) {
		fprintf(stderr, "caisson fuzz: %s\n", err);
		goto out;
	}
	pool_set_verbose(pool, a->verbose);
	if (a->minimize) {
		rc = fz_minimize(pool, base, &a->o, a->dirs[0], err, sizeof(err)) < 0 ? 1 : 0;
		if (rc)
			fprintf(stderr, "caisson fuzz: %s\n", err);
		goto out_pool;
	}
	fprintf(stderr, "INFO: Seed: %llu\n", (unsigned long long)a->o.seed);
	if (fz_run(pool, base, &a->o, &rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson fuzz: %s\n", err);
		rc = 1;
	} else {
		rc = rep.findings == 0 ? 0 : rep.timeouts_only ? 70 : 77;
	}
out_pool:
	pool_free(pool);
out:
	if (base)
		event_base_free(base);
	return rc;
}

int cmd_fuzz(int argc, char **argv)
{
	struct fuzz_args a = { .o = { .max_len = 4096, .batch = FZ_BATCH_DEFAULT, .artifact_prefix = "./" } };
	struct fz_dict dict = { 0 };
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg = NULL;
	char err[512];
	int rc = 2;

	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (fuzz_parse(argc, argv, &a) < 0)
		return 2;
	if (!a.seeded)
		a.o.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	a.o.dirs = a.dirs;
	a.o.ndirs = a.ndirs;
	a.o.out = stderr;
	if (a.dict && fuzz_load_dict(a.dict, &dict) < 0)
		return 2;
	a.o.dict = a.dict ? &dict : NULL;
	if (profile_load(a.profile, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson fuzz: %s\n", err);
		goto out;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, a.target, NULL, 0, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson fuzz: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	{
		/* The files a finding's stack may be symbolized in. */
		const char *modules[WK_MAX_DEPS + 2];
		uint32_t n = 0;

		modules[n++] = cfg->plugin;
		for (uint32_t i = 0; i < cfg->ndeps; i++)
			modules[n++] = cfg->deps[i];
		modules[n] = NULL;
		a.o.modules = modules;
		rc = fuzz_go(&a, &prof, &pol, cfg);
	}
out:
	free(cfg);
	policy_free(&pol);
	profile_free(&prof);
	fz_dict_free(&dict);
	return rc;
}
