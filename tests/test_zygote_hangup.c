/* The zygote's silence at the supervisor's normal shutdown: when the
 * supervisor closes the control channel while the zygote has a report in
 * flight (a worker's EXITED), the zygote exits 0 without a word, instead
 * of printing "caisson-zygote: send EXITED: Broken pipe" (issue 20). Made
 * deterministic: the zygote is stopped while its worker dies and the
 * channel is closed, then continued, so its reap() runs after the hangup.
 * usage: test_zygote_hangup BUILD_DIR SOURCE_DIR (runs as root or not) */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "policy/policy.h"
#include "policy/profile.h"
#include "policy/profile_load.h"
#include "broker/setup.h"
#include "broker/zyg.h"

struct hz_state {
	pid_t worker;
	int pidfd, failed;
	int fds[4];
};

static void hz_spawned(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4])
{
	struct hz_state *st = arg;

	st->worker = pid;
	memcpy(st->fds, fds, sizeof(st->fds));
	st->pidfd = fds[0];
}

static void hz_spawn_failed(void *arg, uint64_t id, uint32_t step, int err, const char *text)
{
	struct hz_state *st = arg;

	fprintf(stderr, "spawn failed at step %u: %s (%s)\n", step, text, strerror(err));
	st->failed = 1;
}

static void hz_exited(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us) {}
static void hz_root_cleared(void *arg, uint64_t id, int err, const char *text) {}

static void hz_lost(void *arg, const char *why)
{
	struct hz_state *st = arg;

	fprintf(stderr, "zygote lost: %s\n", why);
	st->failed = 1;
}

/* A worker configuration of profiles/default.ini running the echo sample,
 * with limits small enough that workers need no bulk regions. */
static int hz_config(const char *build, const char *src, struct wk_config *cfg)
{
	char prof_path[PATH_MAX], plugin[PATH_MAX], err[512];
	struct profile prof;
	struct policy pol;
	int rc;

	snprintf(prof_path, sizeof(prof_path), "%s/profiles/default.ini", src);
	snprintf(plugin, sizeof(plugin), "%s/samples/echo.so", build);
	if (profile_load(prof_path, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	rc = policy_build(&prof, &pol, err, sizeof(err));
	if (rc == 0)
		rc = setup_worker_config(&prof, &pol, plugin, NULL, 0, cfg, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s\n", err);
	else
		policy_free(&pol);
	profile_free(&prof);
	cfg->input_bytes = cfg->output_bytes = 1024;
	return rc;
}

int main(int argc, char **argv)
{
	static const struct zyg_ops ops = { hz_spawned, hz_spawn_failed, hz_exited, hz_root_cleared, hz_lost, NULL };
	struct hz_state st = { .pidfd = -1 };
	struct wk_config *cfg = calloc(1, sizeof(*cfg));
	struct event_base *base = event_base_new();
	struct zyg z;
	char err[512], said[512];
	int saved_stderr, log, status;
	ssize_t n;

	if (argc != 3 || !cfg || !base || hz_config(argv[1], argv[2], cfg) < 0) {
		fprintf(stderr, "usage: test_zygote_hangup BUILD_DIR SOURCE_DIR\n");
		return 2;
	}
	/* The zygote's stderr is ours at start: point it at a memfd. */
	log = memfd_create("zygote-stderr", MFD_CLOEXEC);
	saved_stderr = dup(2);
	CHECK(log >= 0 && saved_stderr >= 0 && dup2(log, 2) == 2);
	if (zyg_start(&z, base, cfg, &ops, &st, NULL, err, sizeof(err)) < 0) {
		dup2(saved_stderr, 2);
		fprintf(stderr, "zyg_start: %s\n", err);
		return 1;
	}
	dup2(saved_stderr, 2);
	CHECK_INT(zyg_spawn(&z, 0, 1, NULL, 0, 0, 0), 0);
	while (st.worker == 0 && !st.failed)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK(st.worker > 0);
	if (st.worker > 0) {
		struct pollfd pfd = { .fd = st.pidfd, .events = POLLIN };

		/* Stop the zygote; kill its worker and wait until it is dead
		 * (a zombie the stopped zygote cannot reap yet). */
		CHECK_INT(kill(z.pid, SIGSTOP), 0);
		CHECK_INT(waitpid(z.pid, &status, WUNTRACED), z.pid);
		CHECK(WIFSTOPPED(status));
		CHECK_INT(syscall(SYS_pidfd_send_signal, st.pidfd, SIGKILL, NULL, 0), 0);
		CHECK_INT(poll(&pfd, 1, 10000), 1);
		/* The supervisor's shutdown: close the channel. Then let the
		 * zygote run: it reaps the worker, and its EXITED report meets
		 * the closed channel. */
		event_free(z.ev);
		z.ev = NULL;
		close(z.ctl);
		z.ctl = -1;
		CHECK_INT(kill(z.pid, SIGCONT), 0);
		CHECK_INT(waitpid(z.pid, &status, 0), z.pid);
		z.pid = 0;
		CHECK(WIFEXITED(status));
		CHECK_INT(WEXITSTATUS(status), 0);
		for (int i = 0; i < 4; i++)
			close(st.fds[i]);
	}
	n = pread(log, said, sizeof(said) - 1, 0);
	said[n > 0 ? n : 0] = '\0';
	CHECK_STR(said, "");
	zyg_stop(&z);
	event_base_free(base);
	free(cfg);
	return check_done("test_zygote_hangup");
}
