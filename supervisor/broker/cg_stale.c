/* Stale pool cgroups; see cgroup.h. Runs in the supervisor, as its user,
 * once per process (at its first spawn). A supervisor killed before it
 * could clean up (SIGKILL, a crash) leaves its caisson.<pid>.<n>
 * directories beside its cgroup, and nothing else ever removes them. The
 * owner is named by the pid in the name; that pid may since have been
 * reused, so a live process with it is taken for the owner only if it
 * started before the directory was made. Pids are read in our pid
 * namespace: supervisors sharing a cgroup parent must share it too. Other
 * users' directories we may not remove are left as they are. */
#include "cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_STALE_SLACK_NS 1000000000ull /* clock-tick and clock-conversion error, kept on the safe side */

bool cg_stale_owner_gone(bool alive, uint64_t owner_start_ns, uint64_t dir_made_ns)
{
	return !alive || owner_start_ns > dir_made_ns + CG_STALE_SLACK_NS;
}

/* pid of "caisson.<pid>.<n>", or -1 for any other name. */
static pid_t cg_stale_pid(const char *name)
{
	const char *p = name + 8;
	char *end;
	long pid;

	if (strncmp(name, "caisson.", 8) || !isdigit((unsigned char)*p))
		return -1;
	pid = strtol(p, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]) || pid <= 0 || pid > 0x3fffffff)
		return -1;
	for (p = end + 1; isdigit((unsigned char)*p); p++)
		;
	return *p ? -1 : (pid_t)pid;
}

/* Whether pid runs (not a zombie), and since when (CLOCK_BOOTTIME ns).
 * Unreadable (another user's, with hidepid): alive since boot, which
 * keeps its directories. */
static bool cg_stale_alive(pid_t pid, uint64_t *start_ns)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks;
	ssize_t n;
	int fd, field;

	*start_ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT && errno != ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 && errno != ESRCH;
	buf[n] = '\0';
	/* comm may hold spaces and parens: fields start after the last ')'. */
	if (!(p = strrchr(buf, ')')) || p[1] != ' ')
		return true;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return false;
	/* state is field 3; starttime field 22, in clock ticks since boot. */
	for (field = 3; field < 22 && p; field++)
		if ((p = strchr(p, ' ')))
			p++;
	if (!p || sscanf(p, "%llu", &ticks) != 1)
		return true;
	*start_ns = ticks * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
	return true;
}

/* When the directory was made, on CLOCK_BOOTTIME: its ctime, which
 * cgroupfs sets when the inode is made and moves only forward (which
 * errs towards keeping). */
static uint64_t cg_stale_made_ns(const struct stat *st)
{
	struct timespec real, boot;
	int64_t made = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec, offset;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	offset = ((int64_t)real.tv_sec - boot.tv_sec) * 1000000000 + (real.tv_nsec - boot.tv_nsec);
	return made - offset > 0 ? (uint64_t)(made - offset) : 0;
}

/* Removes dir's worker directories, then dir: each must be empty of
 * processes (any still there keeps it, and rmdir says EBUSY). */
static void cg_stale_remove(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] == 'w')
			unlinkat(fd, e->d_name, AT_REMOVEDIR);
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	unlinkat(parent, name, AT_REMOVEDIR);
}

static void cg_sweep_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st, again;
		uint64_t start;
		pid_t pid = cg_stale_pid(e->d_name);
		bool alive;

		/* Ours are live; a leftover of a dead process that had our pid
		 * is reused (cg_make_pool_dir), never removed under us. */
		if (pid < 0 || pid == getpid() || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		alive = cg_stale_alive(pid, &start);
		if (!cg_stale_owner_gone(alive, start, cg_stale_made_ns(&st)))
			continue;
		/* Still the directory judged: not one a process that got the
		 * pid since has made under the same name. */
		if (fstatat(dirfd(d), e->d_name, &again, AT_SYMLINK_NOFOLLOW) < 0 || again.st_ino != st.st_ino ||
		    again.st_ctim.tv_sec != st.st_ctim.tv_sec || again.st_ctim.tv_nsec != st.st_ctim.tv_nsec)
			continue;
		cg_stale_remove(dirfd(d), e->d_name);
	}
	closedir(d);
}

void cg_sweep_stale_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, cg_sweep_stale);
}

void cg_sweep_stale(void)
{
	char parents[CG_MAX_PARENTS][WK_PATH_MAX];
	int n = cg_parents(parents);

	for (int i = 0; i < n; i++)
		cg_sweep_dir(parents[i]);
}
