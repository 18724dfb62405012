/* caisson_bench: what /proc says about processes and kernel memory, and
 * the client side of the sandbox probe (bench_probe.c). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Reads /proc/PID/stat into buf; returns the ')' that ends comm (comm
 * may hold spaces and parens), followed by " STATE PPID ...", or NULL. */
static char *read_stat(pid_t pid, char *buf, size_t len)
{
	char path[64], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren : NULL;
}

/* ppid and comm from /proc/PID/stat; -1 for a dead (zombie) process. */
static int stat_of(pid_t pid, pid_t *ppid, char *comm, size_t len)
{
	char buf[512], *open_paren, *close_paren = read_stat(pid, buf, sizeof(buf));

	open_paren = close_paren ? strchr(buf, '(') : NULL;
	if (!open_paren)
		return -1;
	if (comm)
		snprintf(comm, len, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	/* ") S PPID ..." */
	if (close_paren[2] == 'Z' || close_paren[2] == 'X')
		return -1;
	*ppid = (pid_t)atoi(close_paren + 4);
	return 0;
}

int bench_children(pid_t parent, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t ppid;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		pid_t pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)atoi(e->d_name);
		if (stat_of(pid, &ppid, NULL, 0) == 0 && ppid == parent)
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

int bench_descendants(pid_t root, pid_t *out, int max)
{
	int n = 0;

	if (max < 1)
		return 0;
	out[n++] = root;
	for (int i = 0; i < n && n < max; i++) {
		int k = bench_children(out[i], out + n, max - n);

		if (k > 0)
			n += k;
	}
	return n;
}

long bench_minflt(pid_t pid)
{
	char buf[1024], *p = read_stat(pid, buf, sizeof(buf));

	if (!p)
		return -1;
	/* After ") ": state ppid pgrp session tty_nr tpgid flags minflt */
	p += 2;
	for (int field = 0; field < 7 && p; field++)
		if ((p = strchr(p, ' ')))
			p++;
	return p ? strtol(p, NULL, 10) : -1;
}

bool bench_alive(pid_t pid)
{
	pid_t ppid;

	return stat_of(pid, &ppid, NULL, 0) == 0;
}

bool bench_comm_is(pid_t pid, const char *comm)
{
	char c[64];
	pid_t ppid;

	return stat_of(pid, &ppid, c, sizeof(c)) == 0 && strcmp(c, comm) == 0;
}

static long field_kib(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0) {
			v = strtol(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

long bench_pss_kib(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	return field_kib(path, "Pss:");
}

long bench_status_num(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return field_kib(path, key);
}

long bench_meminfo_kib(const char *key)
{
	return field_kib("/proc/meminfo", key);
}

long bench_kernel_kib(void)
{
	/* Folds the per-cpu vmstat deltas into the totals (root only); without
	 * it the counters lag by up to a second and a few hundred KiB. */
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			errno = 0;
		close(fd);
	}
	return bench_meminfo_kib("Slab:") + bench_meminfo_kib("KernelStack:") + bench_meminfo_kib("PageTables:");
}

int bench_zygotes(pid_t *out, int max)
{
	pid_t kids[256];
	int n = bench_children(getpid(), kids, 256), z = 0;

	for (int i = 0; i < n && z < max; i++)
		if (bench_comm_is(kids[i], "caisson-zygote"))
			out[z++] = kids[i];
	return z;
}

int bench_probe_start(const struct bench_ctx *c, struct bench_probe *p)
{
	int to[2], from[2];
	char exe[512], profile[512];
	struct bench_cmd cmd;

	snprintf(exe, sizeof(exe), "%s/bench_probe", c->build);
	snprintf(profile, sizeof(profile), "%s/profiles/echo.ini", c->src);
	bench_cmd_init(&cmd, (const char *const[]){ exe, profile, NULL });
	snprintf(p->line, sizeof(p->line), "%s", cmd.line);
	if (pipe2(to, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	p->pid = fork();
	if (p->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execv(exe, cmd.argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	p->to = to[1];
	p->from = from[0];
	return p->pid < 0 ? -1 : 0;
}

static int ask(struct bench_probe *p, char op, void *ans, size_t len)
{
	return write(p->to, &op, 1) == 1 && read(p->from, ans, len) == (ssize_t)len ? 0 : -1;
}

double bench_probe_spawn_us(struct bench_probe *p)
{
	double t0 = bench_now_us();
	char r;

	if (ask(p, 's', &r, 1) < 0 || r != 'r')
		return -1;
	return bench_now_us() - t0;
}

pid_t bench_probe_hold(struct bench_probe *p)
{
	int32_t pid;

	return ask(p, 'h', &pid, sizeof(pid)) < 0 ? -1 : (pid_t)pid;
}

int bench_probe_release(struct bench_probe *p)
{
	char r;

	return ask(p, 'k', &r, 1) < 0 || r != 'k' ? -1 : 0;
}

void bench_probe_stop(struct bench_probe *p)
{
	close(p->to);
	close(p->from);
	waitpid(p->pid, NULL, 0);
}
