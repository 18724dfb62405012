/* Resource limits of a worker. Runs in the worker child after capabilities
 * are gone, so nothing inside can raise them again (no CAP_SYS_RESOURCE).
 * The supervisor adds wall time, output size and cgroup limits outside. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "wk.h"

static int set(int res, rlim_t soft, rlim_t hard, const char *name, struct wk_detail *d)
{
	struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };

	if (setrlimit(res, &rl) < 0) {
		snprintf(d->text, sizeof(d->text), "%s=%llu", name, (unsigned long long)soft);
		return -1;
	}
	return 0;
}

/* RLIMIT_NOFILE is the zygote's to set, after the listener is handed
 * over (wk_rlimit_set_nofile; see step 11 in wk_lockdown.c). */
int wk_rlimit_apply(const struct wk_config *cfg, struct wk_detail *d)
{
	/* CPU is counted in whole seconds by the kernel: SIGXCPU at the soft
	 * limit, SIGKILL one second later if the worker ignores it. */
	rlim_t cpu = (rlim_t)((cfg->cpu_ms + 999) / 1000);
	rlim_t fsize = (rlim_t)wk_config_fsize(cfg);
	/* An exec worker is two processes: the runner and its tool, which
	 * inherits every limit here (its CPU counted afresh). */
	rlim_t nproc = cfg->exec ? 2 : 1;

	if (set(RLIMIT_CORE, 0, 0, "RLIMIT_CORE", d) < 0 ||
	    set(RLIMIT_FSIZE, fsize, fsize, "RLIMIT_FSIZE", d) < 0 ||
	    set(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU", d) < 0 ||
	    set(RLIMIT_AS, cfg->memory_bytes, cfg->memory_bytes, "RLIMIT_AS", d) < 0 ||
	    set(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK", d) < 0 ||
	    set(RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE", d) < 0 ||
	    set(RLIMIT_NPROC, nproc, nproc, "RLIMIT_NPROC", d) < 0)
		return -1;
	return 0;
}

int wk_rlimit_set_nofile(pid_t pid, const struct wk_config *cfg, struct wk_detail *d)
{
	struct rlimit rl = { .rlim_cur = cfg->open_files, .rlim_max = cfg->open_files };

	if (prlimit(pid, RLIMIT_NOFILE, &rl, NULL) < 0) {
		snprintf(d->text, sizeof(d->text), "RLIMIT_NOFILE=%u of the worker", cfg->open_files);
		return -1;
	}
	return 0;
}
