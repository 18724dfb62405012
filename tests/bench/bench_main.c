/* caisson_bench: runs the figures of BENCHMARKS.md, each beside its floor
 * and peers in the same run, prints one table and writes JSON.
 * usage: caisson_bench [--quick] [--json PATH] [--only 1,2,...] BUILD_DIR SOURCE_DIR
 * --quick is the smoke test's mode: tiny counts, output shape only. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

static const struct {
	const char *fig;
	void (*run)(struct bench_ctx *c);
} bench_figures[] = {
	{ "1", bench_fig_spawn }, { "2", bench_fig_ipc }, { "5", bench_fig_png },
	{ "6", bench_fig_memory }, { "7", bench_fig_syscall }, { "8", bench_fig_scale },
	{ "9", bench_fig_oneshot }, { "10", bench_fig_fuzz }, { "10b", bench_fig_fuzz_find },
	{ "11", bench_fig_exec },
	{ "12", bench_fig_serve },
};

/* Whether figure fig is in only, a comma-separated list ("2,10"). */
static bool bench_selected(const char *only, const char *fig)
{
	size_t n = strlen(fig);

	for (const char *p = only; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, fig, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static int usage(void)
{
	fprintf(stderr, "usage: caisson_bench [--quick] [--json PATH] [--only 1,2,...] BUILD_DIR SOURCE_DIR\n"
			"  (--only 2 runs figures 2, 3 and 4, which share their workers)\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct bench_ctx ctx;
	const char *json = NULL, *only = NULL;
	struct rlimit rl;
	int i = 1;
	double t0 = bench_now_us();

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			ctx.quick = true;
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else
			return usage();
	}
	if (argc - i != 2)
		return usage();
	ctx.build = argv[i];
	ctx.src = argv[i + 1];
	/* Four descriptors per worker for a thousand workers (figure 8). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t f = 0; f < sizeof(bench_figures) / sizeof(bench_figures[0]); f++) {
		if (only && !bench_selected(only, bench_figures[f].fig))
			continue;
		printf("caisson_bench: figure %s ...\n", bench_figures[f].fig);
		bench_figures[f].run(&ctx);
	}
	bench_report_table(&ctx);
	printf("caisson_bench: wall time %.1f s\n", (bench_now_us() - t0) / 1e6);
	if (json && bench_report_json(&ctx, json) < 0) {
		fprintf(stderr, "caisson_bench: cannot write %s\n", json);
		return 1;
	}
	if (json)
		printf("caisson_bench: wrote %s\n", json);
	return 0;
}
