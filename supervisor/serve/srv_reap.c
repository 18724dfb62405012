/* caisson serve as a reaper while it runs: the daemon is a child subreaper
 * (and, in a container, PID 1), so orphans are reparented to it: the
 * workers of a zygote a reload freed, or any process of the container
 * whose parent died. On each SIGCHLD the daemon's children are listed
 * (/proc/self/task/TID/children) and every one that has exited is reaped,
 * but the pools' zygotes, which their pools wait for themselves (reaping
 * one here would free its pid for reuse while the pool may still signal
 * it). Runs in the daemon, on its event loop. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "srv_int.h"

static bool srv_reap_owned(const struct srv *s, pid_t pid)
{
	for (size_t i = 0; i < s->npools; i++)
		if (pool_owns_child(s->pools[i]->pool, pid))
			return true;
	for (size_t i = 0; i < s->nretiring; i++)
		if (pool_owns_child(s->retiring[i]->pool, pid))
			return true;
	return false;
}

/* One thread's children, from its children file (bounded read). */
static void srv_reap_task(struct srv *s, const char *tid)
{
	char path[64], buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%s/children", tid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *p = buf, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && !srv_reap_owned(s, (pid_t)pid) && waitpid((pid_t)pid, NULL, WNOHANG) > 0)
			s->reaped++;
	}
}

static void srv_reap_children(evutil_socket_t sig, short ev, void *arg)
{
	struct srv *s = arg;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			srv_reap_task(s, e->d_name);
	if (d)
		closedir(d);
}

int srv_reap_setup(struct srv *s)
{
	s->chld_ev = evsignal_new(s->base, SIGCHLD, srv_reap_children, s);
	return s->chld_ev && evsignal_add(s->chld_ev, NULL) == 0 ? 0 : -1;
}
