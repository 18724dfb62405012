/* caisson afl: a fuzz target (libFuzzer harness or caisson plugin) in a
 * sandboxed worker, as the target program of AFL++'s afl-fuzz. Runs in
 * the supervisor as the invoking user, started by afl-fuzz. Exit status:
 * 0 when afl-fuzz is done with it; run once without a forkserver, it ends
 * as the input did (killed by the same signal on a finding, so that
 * afl-fuzz -n, afl-tmin and afl-showmap see it); 2 for usage or
 * configuration errors, 1 when it could not go on. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/pool.h"
#include "broker/setup.h"
#include "cli_args.h"
#include "cmd.h"
#include "fuzz/fz_afl.h"
#include "fuzz/fz_batch.h"
#include "ipc/ipc_cov.h"
#include "policy/policy.h"
#include "policy/profile_load.h"

#define AFL_MAX_LEN_DEFAULT (1u << 20) /* afl-fuzz's own largest test case */

static const char afl_usage[] =
	"usage: caisson afl [-v] -p PROFILE [-max_len=N] TARGET.so [FILE]\n"
	"\n"
	"The target of AFL++'s afl-fuzz: TARGET.so (a libFuzzer harness built with\n"
	"`clang -fsanitize=fuzzer-no-link`, or a caisson plugin) runs in one\n"
	"persistent sandboxed worker confined by PROFILE; caisson speaks afl-fuzz's\n"
	"forkserver protocol and writes the worker's coverage counters into its\n"
	"shared-memory bitmap. Each test case is FILE (afl-fuzz's @@) or standard\n"
	"input. The worker's pid is the child afl-fuzz sees (and kills on its\n"
	"timeout: give afl-fuzz -t below the profile's wall time); a crash ends with\n"
	"its signal, a forbidden system call with SIGSYS, a limit with SIGKILL, and\n"
	"afl-fuzz keeps one crash per caisson finding (stack hash). `caisson run\n"
	"-p PROFILE TARGET.so CRASH` names a crash.\n"
	"\n"
	"  afl-fuzz -i SEEDS -o OUT -- caisson afl -p PROFILE TARGET.so @@\n"
	"\n"
	"  -p PROFILE     profile (.ini) confining the worker (required)\n"
	"  -max_len=N     longest test case read (default 1048576; at most the\n"
	"                 profile's input limit)\n"
	"  -v             forward the worker's stderr (bounded) to stderr\n"
	"\n"
	"Without afl-fuzz's forkserver (descriptor 198 closed), runs FILE once.\n";

struct afl_args {
	const char *profile, *target;
	struct fz_afl_opts o;
	int verbose;
};

static int afl_parse(int argc, char **argv, struct afl_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			fputs(afl_usage, stdout);
			exit(0);
		} else if (!strcmp(s, "-p") && i + 1 < argc) {
			a->profile = argv[++i];
		} else if (!strcmp(s, "-v")) {
			a->verbose = 1;
		} else if (!strncmp(s, "-max_len=", 9)) {
			char *end;
			unsigned long long v = strtoull(s + 9, &end, 10);
			if (*end || !v || v > (1u << 30))
				return cli_usage_error("afl", "-max_len wants a number from 1 to 1073741824");
			a->o.max_len = (size_t)v;
		} else if (s[0] == '-' && s[1]) {
			return cli_usage_error("afl", "unsupported option '%s'", s);
		} else if (!a->target) {
			a->target = s;
		} else if (!a->o.input) {
			a->o.input = s;
		} else {
			return cli_usage_error("afl", "one test case FILE at most");
		}
	}
	if (!a->profile || !a->target)
		return cli_usage_error("afl", "%s", !a->profile ? "-p PROFILE is required" : "TARGET.so is required");
	return 0;
}

static int afl_go(struct afl_args *a, const struct profile *prof, const struct policy *pol, struct wk_config *cfg,
		  int *sig)
{
	struct pool_limits lim;
	struct pool_sizing sz = { .min_workers = 1, .max_workers = 1, .queue = 1, .requests_per_worker = 1000000,
				  .failure_threshold = 5, .pipeline = 1 };
	struct event_base *base = event_base_new();
	struct pool *pool = NULL;
	char err[512];
	int rc = 1;

	setup_limits(prof, &lim);
	if (a->o.max_len > lim.input_bytes) {
		if (a->o.max_len != AFL_MAX_LEN_DEFAULT) {
			fprintf(stderr, "caisson afl: -max_len=%zu exceeds the profile's input limit (%llu)\n",
				a->o.max_len, (unsigned long long)lim.input_bytes);
			rc = 2;
			goto out;
		}
		a->o.max_len = (size_t)lim.input_bytes;
	}
	lim.input_bytes = cfg->input_bytes = fz_batch_bytes(1, a->o.max_len);
	cfg->cov_bytes = IPC_COV_SIZE;
	if (!base || !(pool = pool_new(base, pol, &lim, &sz, cfg, err, sizeof(err)))) {
		fprintf(stderr, "caisson afl: %s\n", base ? err : "out of memory");
		rc = 2;
		goto out;
	}
	pool_set_verbose(pool, a->verbose);
	rc = fz_afl_run(pool, base, &a->o, sig, err, sizeof(err)) < 0 ? 1 : 0;
	if (rc)
		fprintf(stderr, "caisson afl: %s\n", err);
	pool_free(pool);
out:
	if (base)
		event_base_free(base);
	return rc;
}

int cmd_afl(int argc, char **argv)
{
	struct afl_args a = { .o = { .max_len = AFL_MAX_LEN_DEFAULT } };
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg = NULL;
	char err[512];
	int rc = 2, sig = 0;

	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (afl_parse(argc, argv, &a) != 0)
		return 2;
	if (profile_load(a.profile, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson afl: %s\n", err);
		goto out;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, a.target, NULL, 0, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson afl: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	rc = afl_go(&a, &prof, &pol, cfg, &sig);
out:
	free(cfg);
	policy_free(&pol);
	profile_free(&prof);
	/* Run once: end as the input did, for afl-fuzz -n and its tools. */
	if (rc == 0 && sig > 0 && sig < 64) {
		fflush(NULL);
		signal(sig, SIG_DFL);
		raise(sig);
		rc = 1;
	}
	return rc;
}
