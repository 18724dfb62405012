/* Test plugin for `caisson profile learn` (tests/learn_test.sh): what it
 * does beyond the default profile is chosen by the request's first word.
 *   harmless   getppid, fstat and lseek on a closed descriptor, and an
 *              access() of a path that exists nowhere: harmless calls the
 *              default profile lacks
 *   danger     kill(999999, 0): a dangerous syscall (no such process)
 *   stat DIR   stat DIR/a and DIR/sub/b (data lookups)
 *   chain FILE open FILE and stat the path it holds: a tool that finds
 *              its first data file and asks for the next
 *   flood N    N stats of distinct paths and N calls to distinct syscall
 *              numbers no profile can name (the recorder's bounds)
 *   numbers N  N calls to distinct syscall numbers no profile can name
 * Answers "ok". Every call's result is ignored: learning only needs it made. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caisson_plugin.h"

static void learner_flood(long n)
{
	char path[64];
	struct stat st;

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/caisson-learn-flood/%ld", i);
		syscall(SYS_newfstatat, -100, path, &st, 0);
	}
}

static void learner_chain(const char *file)
{
	char next[512] = "";
	struct stat st;
	long fd = syscall(SYS_openat, -100, file, O_RDONLY | O_CLOEXEC);
	long n = fd >= 0 ? syscall(SYS_read, fd, next, sizeof(next) - 1) : -1;

	if (fd >= 0)
		syscall(SYS_close, fd);
	if (n <= 0)
		return;
	next[n] = '\0';
	if (n > 0 && next[n - 1] == '\n')
		next[n - 1] = '\0';
	syscall(SYS_newfstatat, -100, next, &st, 0);
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char cmd[512] = "";
	struct stat st;

	memcpy(cmd, in, len < sizeof(cmd) - 1 ? len : sizeof(cmd) - 1);
	cmd[strcspn(cmd, "\n")] = '\0';
	if (!strcmp(cmd, "harmless")) {
		syscall(SYS_getppid);
		syscall(SYS_fstat, 987, &st);
		syscall(SYS_lseek, 987, 0, SEEK_SET);
		syscall(SYS_access, "/caisson-learn-nowhere/conf", R_OK);
	} else if (!strcmp(cmd, "danger")) {
		syscall(SYS_kill, 999999, 0);
	} else if (!strncmp(cmd, "stat ", 5)) {
		char path[600];

		snprintf(path, sizeof(path), "%s/a", cmd + 5);
		syscall(SYS_newfstatat, -100, path, &st, 0);
		snprintf(path, sizeof(path), "%s/sub/b", cmd + 5);
		syscall(SYS_newfstatat, -100, path, &st, 0);
	} else if (!strncmp(cmd, "chain ", 6)) {
		learner_chain(cmd + 6);
	} else if (!strncmp(cmd, "flood ", 6)) {
		learner_flood(strtol(cmd + 6, NULL, 10));
	} else if (!strncmp(cmd, "numbers ", 8)) {
		for (long i = 0, n = strtol(cmd + 8, NULL, 10); i < n; i++)
			syscall(1000 + i);
	}
	return caisson_out_write(out, "ok", 2) < 0;
}
