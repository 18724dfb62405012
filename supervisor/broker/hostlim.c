/* The host's limits met by spawns; see hostlim.h. Runs in the supervisor
 * (and libcaisson), with whatever privilege the caller has: it reads
 * /proc/self/cgroup, the limit files of the supervisor's own cgroups and
 * its ancestors, /proc/sys/kernel and getrlimit, and changes nothing but
 * its own soft RLIMIT_NOFILE. */
#include "hostlim.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define HL_PATH_MAX 1024

bool hl_resource_errno(int err)
{
	return err == EAGAIN || err == ENOMEM || err == EMFILE || err == ENFILE;
}

/* A number from the first line of path; false for "max", garbage or none. */
static bool hl_read_num(const char *path, unsigned long long *v)
{
	char line[64], *end;
	FILE *f = fopen(path, "re");
	bool ok = false;

	if (f && fgets(line, sizeof(line), f)) {
		errno = 0;
		*v = strtoull(line, &end, 10);
		ok = errno == 0 && end != line && (*end == '\n' || *end == '\0');
	}
	if (f)
		fclose(f);
	return ok;
}

/* Our cgroup path in the hierarchy of controller (v1), else in the v2
 * one, and that hierarchy's mount point (the usual places). */
static bool hl_own_cgroup(const char *controller, char *root, char *own, size_t len)
{
	char line[HL_PATH_MAX], v2[HL_PATH_MAX] = "";
	FILE *f = fopen("/proc/self/cgroup", "re");
	bool v1 = false;

	while (f && !v1 && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path, *tok, *save;

		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (!*++ctl) {
			snprintf(v2, sizeof(v2), "%s", path);
			continue;
		}
		for (tok = strtok_r(ctl, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, controller) && (size_t)snprintf(own, len, "%s", path) < len) {
				v1 = true;
				break;
			}
	}
	if (f)
		fclose(f);
	if (v1)
		return (size_t)snprintf(root, len, "/sys/fs/cgroup/%s", controller) < len;
	if (!v2[0] || (size_t)snprintf(own, len, "%s", v2) >= len)
		return false;
	snprintf(root, len, "%s", access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup"
											    : "/sys/fs/cgroup/unified");
	return true;
}

/* The smallest limit set in file on our cgroup or any of its ancestors
 * (a container's limit usually sits above the cgroup we run in). */
static bool hl_cgroup_limit(const char *controller, const char *file, const char *file_v2,
			    unsigned long long *max)
{
	char root[HL_PATH_MAX], own[HL_PATH_MAX], path[2 * HL_PATH_MAX + 64];
	bool v1, found = false;
	unsigned long long v;

	if (!hl_own_cgroup(controller, root, own, sizeof(root)))
		return false;
	v1 = strstr(root, controller) != NULL;
	for (;;) {
		char *slash;

		snprintf(path, sizeof(path), "%s%s/%s", root, strcmp(own, "/") ? own : "", v1 ? file : file_v2);
		/* v1 memory reports "no limit" as a huge page-rounded number. */
		if (hl_read_num(path, &v) && v < (1ULL << 60) && (!found || v < *max)) {
			*max = v;
			found = true;
		}
		if (!strcmp(own, "/") || !(slash = strrchr(own, '/')))
			break;
		slash == own ? (void)snprintf(own, sizeof(own), "/") : (void)(*slash = '\0');
	}
	return found;
}

static void hl_name_procs(char *buf, size_t len)
{
	unsigned long long max, threads = 0, pids = 0;
	struct rlimit rl;

	if (hl_cgroup_limit("pids", "pids.max", "pids.max", &max)) {
		snprintf(buf, len, "process limit (pids cgroup, max %llu)", max);
		return;
	}
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		snprintf(buf, len, "process limit (RLIMIT_NPROC %llu for uid %u)", (unsigned long long)rl.rlim_cur,
			 (unsigned)getuid());
		return;
	}
	hl_read_num("/proc/sys/kernel/threads-max", &threads);
	hl_read_num("/proc/sys/kernel/pid_max", &pids);
	snprintf(buf, len, "process limit (kernel threads-max %llu, pid_max %llu)", threads, pids);
}

void hl_name(int err, unsigned fds, char *buf, size_t len)
{
	unsigned long long max = 0;
	struct rlimit rl;

	switch (err) {
	case EAGAIN:
		hl_name_procs(buf, len);
		break;
	case ENOMEM:
		if (hl_cgroup_limit("memory", "memory.limit_in_bytes", "memory.max", &max))
			snprintf(buf, len, "out of memory (memory cgroup, max %llu MiB)", max >> 20);
		else
			snprintf(buf, len, "out of memory");
		break;
	case EMFILE:
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
			snprintf(buf, len, "out of file descriptors (limit %llu; each worker needs %u)",
				 (unsigned long long)rl.rlim_cur, fds);
		else
			snprintf(buf, len, "out of file descriptors (each worker needs %u)", fds);
		break;
	case ENFILE:
		hl_read_num("/proc/sys/fs/file-max", &max);
		snprintf(buf, len, "out of file descriptors (system-wide limit fs.file-max %llu)", max);
		break;
	default:
		snprintf(buf, len, "%s", strerror(err));
	}
}

static char hl_nofile_text[128];

static void hl_nofile_raise(void)
{
	struct rlimit rl;
	unsigned long long was;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(hl_nofile_text, sizeof(hl_nofile_text), "RLIMIT_NOFILE unreadable: %s", strerror(errno));
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur == rl.rlim_max) {
		snprintf(hl_nofile_text, sizeof(hl_nofile_text), "soft limit %llu, already the hard limit", was);
		return;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		snprintf(hl_nofile_text, sizeof(hl_nofile_text), "soft limit %llu kept (raising it: %s)", was,
			 strerror(errno));
	else
		snprintf(hl_nofile_text, sizeof(hl_nofile_text), "raised soft limit %llu to the hard limit %llu",
			 was, (unsigned long long)rl.rlim_max);
}

const char *hl_nofile_raise_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, hl_nofile_raise);
	return hl_nofile_text;
}
