/* Symbolizes a finding's stack outside the sandbox; see fz_symbolize.h.
 * Runs in the supervisor as the invoking user: llvm-symbolizer is started
 * with an empty environment, fed "MODULE 0xOFFSET" lines for the frames in
 * the modules the caller named (the target and its libraries, never a path
 * the worker chose), and read for at most FZ_SYM_MS. */
#include "fz_symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FZ_SYM_MS 10000
#define FZ_SYM_OUT 65536

static bool fz_known(const char *module, const char *const *modules)
{
	for (; modules && *modules; modules++)
		if (!strcmp(module, *modules))
			return true;
	return false;
}

static pid_t fz_sym_start(int *in, int *out)
{
	char *argv[] = { "llvm-symbolizer", "--no-inlines", "--relativenames", NULL };
	char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", NULL };
	int pi[2] = { -1, -1 }, po[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	pid_t pid = -1;

	if (pipe2(pi, O_CLOEXEC) < 0 || pipe2(po, O_CLOEXEC) < 0)
		goto out;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "llvm-symbolizer", &fa, NULL, argv, envp) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
out:
	for (int i = 0; i < 2; i++) {
		if (pi[i] >= 0 && (pid < 0 || i == 0))
			close(pi[i]);
		if (po[i] >= 0 && (pid < 0 || i == 1))
			close(po[i]);
	}
	*in = pid < 0 ? -1 : pi[1];
	*out = pid < 0 ? -1 : po[0];
	return pid;
}

/* Reads the symbolizer's whole answer (it ends when its input closes). */
static size_t fz_sym_read(int fd, char *buf, size_t cap)
{
	struct timespec t0, now;
	size_t got = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long ms;
		ssize_t n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = FZ_SYM_MS - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, (int)ms) <= 0 || got + 1 >= cap)
			break;
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

/* Answers come two lines each (function, file:line:column) and a blank
 * line, in the order asked. */
static void fz_sym_fill(struct fz_stack *st, const size_t *asked, size_t nasked, char *text)
{
	char *save = NULL, *line = strtok_r(text, "\n", &save);

	for (size_t k = 0; k < nasked && line; k++) {
		struct fz_frame *fr = &st->f[asked[k]];
		char *where = strtok_r(NULL, "\n", &save);
		if (strcmp(line, "??"))
			snprintf(fr->func, sizeof(fr->func), "%s", line);
		if (where && strncmp(where, "??", 2))
			snprintf(fr->where, sizeof(fr->where), "%s", where);
		line = strtok_r(NULL, "\n", &save);
	}
}

int fz_symbolize(struct fz_stack *st, const char *const *modules)
{
	size_t asked[FZ_STACK_MAX], nasked = 0;
	char *text = NULL;
	int in, out, status, rc = -1;
	pid_t pid;

	for (size_t i = 0; i < st->n; i++)
		if (st->f[i].has_module && !st->f[i].func[0] && fz_known(st->f[i].module, modules))
			asked[nasked++] = i;
	if (!nasked)
		return 0;
	if ((pid = fz_sym_start(&in, &out)) < 0)
		return -1;
	{
		/* SIGPIPE on a symbolizer gone early: the write fails instead. */
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;
		sigaction(SIGPIPE, &ign, &old);
		for (size_t k = 0; k < nasked; k++) {
			const struct fz_frame *fr = &st->f[asked[k]];
			/* A caller's frame holds its return address: the call is
			 * the instruction before. */
			dprintf(in, "\"%s\" 0x%llx\n", fr->module,
				(unsigned long long)(asked[k] > 0 && fr->off ? fr->off - 1 : fr->off));
		}
		close(in);
		sigaction(SIGPIPE, &old, NULL);
	}
	if ((text = malloc(FZ_SYM_OUT))) {
		fz_sym_read(out, text, FZ_SYM_OUT);
		fz_sym_fill(st, asked, nasked, text);
		rc = 0;
	}
	free(text);
	close(out);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return rc;
}
