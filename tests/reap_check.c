/* reap_check: runs a command as a child subreaper, so that every process
 * the command leaves behind (an orphaned zygote or worker, alive or a
 * zombie) becomes our child, and fails when the command left any. Also
 * checks that no cgroup directory caisson.<pid>.* of the command's pid
 * remains, and can interrupt it: with --signal SIG --after N WORD, it sends
 * SIG once the command's stderr has shown N lines containing WORD (with
 * --after-workers N, once the command has a zygote and its zygotes have N
 * children between them), then
 * expects exit status 128+SIG and a last stderr line matching --line.
 * With --signal 9 (SIGKILL: no cleanup is possible) the processes left are
 * reaped and the directories left are printed on stdout instead, for the
 * next start to remove. --log FILE appends the command's pid to FILE (the
 * suite's record of its supervisors, checked by --check-log at the end).
 * --allow-orphans: a command that kills its own zygotes on purpose orphans
 * their workers; only its cgroup directories are checked then.
 * Runs as the test's user. Prints what it found; exit 0 only when nothing
 * was left.
 * usage: reap_check [--log FILE] [--signal N (--after COUNT WORD | --after-workers COUNT) [--line TEXT]]
 *                   [--status N] [--allow-orphans] -- CMD [ARGS...]
 *        reap_check --check-log FILE */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/cgroup.h"

struct rc_opts {
	int sig, after, after_workers, status;
	const char *word, *line, *log;
	bool allow_orphans;
	char **cmd;
};

static int rc_usage(void)
{
	fprintf(stderr, "usage: reap_check [--log FILE] [--signal N --after COUNT WORD [--line TEXT]] [--status N] -- CMD [ARGS...]\n"
			"       reap_check --check-log FILE\n");
	return 2;
}

static int rc_parse(int argc, char **argv, struct rc_opts *o)
{
	int i = 1;

	o->status = 0;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--signal") && i + 1 < argc)
			o->sig = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--after") && i + 2 < argc) {
			o->after = atoi(argv[++i]);
			o->word = argv[++i];
		} else if (!strcmp(argv[i], "--after-workers") && i + 1 < argc)
			o->after_workers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--line") && i + 1 < argc)
			o->line = argv[++i];
		else if (!strcmp(argv[i], "--status") && i + 1 < argc)
			o->status = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			o->log = argv[++i];
		else if (!strcmp(argv[i], "--allow-orphans"))
			o->allow_orphans = true;
		else
			return -1;
	}
	if (i + 1 >= argc || (o->sig && !o->word && o->after_workers < 0))
		return -1;
	if (o->sig)
		o->status = 128 + o->sig;
	o->cmd = argv + i + 1;
	return 0;
}

/* pid's children (a single-threaded process: its main task's list). */
static int rc_children(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 0, child;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (n < max && fscanf(f, "%d", &child) == 1)
		out[n++] = child;
	fclose(f);
	return n;
}

/* In a child of ours: waits until the command's children (its zygotes)
 * have n children between them, then sends the signal; gives up when the
 * command is gone. */
static void rc_watch(pid_t pid, const struct rc_opts *o)
{
	pid_t zyg[64], w[256];

	while (kill(pid, 0) == 0) {
		int nz = rc_children(pid, zyg, 64), nw = 0;

		for (int i = 0; i < nz; i++)
			nw += rc_children(zyg[i], w, 256);
		if (nz > 0 && nw >= o->after_workers) {
			fprintf(stderr, "reap_check: %d workers; sending signal %d to %d\n", nw, o->sig, (int)pid);
			kill(pid, o->sig);
			return;
		}
		usleep(1000);
	}
}

/* Copies the command's stderr to ours; sends the signal once COUNT lines
 * held WORD; keeps the last line. */
static void rc_follow(FILE *err, pid_t pid, const struct rc_opts *o, char *last, size_t len)
{
	char line[4096];
	int seen = 0;

	last[0] = '\0';
	while (fgets(line, sizeof(line), err)) {
		fputs(line, stderr);
		if (line[0] != '\n')
			snprintf(last, len, "%s", line);
		if (o->sig && o->word && strstr(line, o->word) && ++seen == o->after) {
			fprintf(stderr, "reap_check: sending signal %d to %d\n", o->sig, (int)pid);
			kill(pid, o->sig);
		}
	}
}

/* Kills every live child of ours (all descendants of the command). */
static void rc_kill_children(void)
{
	char path[64];
	int child;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if (!(f = fopen(path, "re")))
		return;
	while (fscanf(f, "%d", &child) == 1)
		kill(child, SIGKILL);
	fclose(f);
}

/* Our children now: anything the command left, alive or a zombie. Each is
 * named, killed (it is our own descendant) and reaped. */
static int rc_leftovers(bool report)
{
	int n = 0, killed = 0, status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) != -1 || errno == EINTR) {
		if (pid > 0) {
			if (report)
				fprintf(stderr, "reap_check: FAIL: process %d outlived the command (status 0x%x)\n", (int)pid,
					(unsigned)status);
			n++;
		} else if (pid == 0) {
			if (!killed++ && report)
				fprintf(stderr, "reap_check: FAIL: processes of ours still run after the command\n");
			n += killed == 1;
			rc_kill_children();
			usleep(1000);
		}
	}
	return n;
}

/* How many caisson.<pid>.* directories are left under the cgroup parents
 * the command's pools used (the command ran in our cgroup). */
static int rc_cgroup_dirs(pid_t pid, bool report)
{
	char parents[CG_MAX_PARENTS][WK_PATH_MAX], prefix[32];
	int n = cg_parents(parents), left = 0;

	snprintf(prefix, sizeof(prefix), "caisson.%d.", (int)pid);
	for (int i = 0; i < n; i++) {
		DIR *d = opendir(parents[i]);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, prefix, strlen(prefix))) {
				if (report)
					fprintf(stderr, "reap_check: FAIL: %s/%s was left behind\n", parents[i], e->d_name);
				else
					printf("%s/%s\n", parents[i], e->d_name);
				left++;
			}
		if (d)
			closedir(d);
	}
	return left;
}

/* Every pid the suite logged: none may have a directory left. */
static int rc_check_log(const char *path)
{
	FILE *f = fopen(path, "re");
	int pid, n = 0, bad = 0;

	/* A partial run (ctest -R) may have started none. */
	if (!f && errno == ENOENT) {
		fprintf(stderr, "reap_check: no supervisor of the suite recorded in %s\n", path);
		return 0;
	}
	if (!f) {
		perror(path);
		return 1;
	}
	while (fscanf(f, "%d", &pid) == 1) {
		n++;
		bad += rc_cgroup_dirs((pid_t)pid, true);
	}
	fclose(f);
	fprintf(stderr, "reap_check: %d supervisors of the suite, %d cgroup directories left\n", n, bad);
	return bad != 0;
}

static void rc_log(const char *path, pid_t pid)
{
	FILE *f = path ? fopen(path, "ae") : NULL;

	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	struct rc_opts o = { .after_workers = -1 };
	char last[4096];
	int p[2], status, bad = 0;
	pid_t pid, watcher = -1;
	FILE *err;

	if (argc == 3 && !strcmp(argv[1], "--check-log"))
		return rc_check_log(argv[2]);
	if (rc_parse(argc, argv, &o) < 0)
		return rc_usage();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || pipe(p) < 0) {
		perror("reap_check: subreaper");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(o.cmd[0], o.cmd);
		perror(o.cmd[0]);
		_exit(127);
	}
	close(p[1]);
	rc_log(o.log, pid);
	if (o.after_workers >= 0 && (watcher = fork()) == 0) {
		rc_watch(pid, &o);
		_exit(0);
	}
	err = fdopen(p[0], "r");
	if (pid < 0 || !err) {
		perror("reap_check");
		return 2;
	}
	rc_follow(err, pid, &o, last, sizeof(last));
	fclose(err);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("reap_check: waitpid");
			return 2;
		}
	if (watcher > 0)
		waitpid(watcher, NULL, 0);
	/* As a shell shows it: 128+N for a death by signal N. */
	if ((WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) != o.status) {
		fprintf(stderr, "reap_check: FAIL: %s ended with status 0x%x, want %d\n", o.cmd[0], (unsigned)status,
			o.status);
		bad++;
	}
	if (o.line && !strstr(last, o.line)) {
		fprintf(stderr, "reap_check: FAIL: last stderr line lacks '%s': %s", o.line, last);
		bad++;
	}
	if (o.sig == SIGKILL) {
		/* Left for init, were we not a subreaper: the next start's job. */
		rc_leftovers(false);
		rc_cgroup_dirs(pid, false);
		return bad ? 1 : 0;
	}
	if (o.allow_orphans)
		rc_leftovers(false);
	else
		bad += rc_leftovers(true);
	bad += rc_cgroup_dirs(pid, true);
	if (!bad)
		fprintf(stderr, "reap_check: ok: %s left no process and no cgroup directory\n", o.cmd[0]);
	return bad ? 1 : 0;
}
