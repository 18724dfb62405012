/* Per-worker cgroups; see cgroup.h. Runs in the supervisor. Paths come from
 * /proc/self/cgroup and /proc/self/mountinfo (the kernel's word), and every
 * write is a small decimal or keyword to a fixed file name. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned cg_seq;

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[WK_PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Reads "key N" for each of nkeys keys from a flat-keyed file
 * (memory.events, memory.oom_control) in one pass: v[i] is -1 for a key
 * not there or a file that cannot be opened. */
static void cg_read_keys(const char *dir, const char *file, const char *const *keys, long long *v, int nkeys)
{
	char path[WK_PATH_MAX + 64], line[128];
	FILE *f;

	for (int i = 0; i < nkeys; i++)
		v[i] = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (int i = 0; i < nkeys; i++) {
			size_t kl = strlen(keys[i]);
			if (!strncmp(line, keys[i], kl) && line[kl] == ' ')
				v[i] = strtoll(line + kl + 1, NULL, 10);
		}
	fclose(f);
}

static bool cg_has_word(const char *dir, const char *file, const char *word)
{
	char path[WK_PATH_MAX + 64], buf[512], *save = NULL;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* The hierarchies looked up (v2, then the two v1 controllers used), and
 * where each is mounted and our own path in it: read once per process,
 * in one pass over each file (/proc/self/mountinfo is long, and the
 * kernel formats every line of it on each read), when first needed. */
#define CG_KINDS 3
static const char *const cg_kinds[CG_KINDS] = { NULL, "memory", "pids" };
static struct {
	bool mounted[CG_KINDS], joined[CG_KINDS];
	char mnt[CG_KINDS][WK_PATH_MAX], own[CG_KINDS][WK_PATH_MAX];
} cg_where;

/* Whether a comma-separated list holds word as a whole item. */
static bool cg_list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Our own cgroup path in each hierarchy: the v2 line ("0::") or the v1
 * line naming the controller. */
static void cg_own_paths_read(void)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path;

		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*path++ = '\0';
		ctl++;
		path[strcspn(path, "\n")] = '\0';
		for (int k = 0; k < CG_KINDS; k++)
			if (!cg_where.joined[k] && (cg_kinds[k] ? cg_list_has(ctl, cg_kinds[k]) : ctl[0] == '\0'))
				cg_where.joined[k] = (size_t)snprintf(cg_where.own[k], WK_PATH_MAX, "%s", path) < WK_PATH_MAX;
	}
	if (f)
		fclose(f);
}

/* Mount point of the cgroup2 hierarchy and of the v1 ones with each
 * controller. */
static void cg_mount_points_read(void)
{
	char line[2048];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), mnt[1024], fstype[64], src[256], opts[1024];

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %255s %1023s", fstype, src, opts) != 3)
			continue;
		for (int k = 0; k < CG_KINDS; k++)
			if (!cg_where.mounted[k] &&
			    (cg_kinds[k] ? !strcmp(fstype, "cgroup") && cg_list_has(opts, cg_kinds[k])
					 : !strcmp(fstype, "cgroup2")))
				cg_where.mounted[k] = (size_t)snprintf(cg_where.mnt[k], WK_PATH_MAX, "%s", mnt) < WK_PATH_MAX;
	}
	if (f)
		fclose(f);
}

static void cg_where_read(void)
{
	cg_mount_points_read();
	cg_own_paths_read();
}

/* Mount point and own path of the hierarchy of controller (v2: NULL). */
static bool cg_where_is(const char *controller, char *mnt, char *own, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, cg_where_read);
	for (int i = 0; i < CG_KINDS; i++)
		if (controller ? cg_kinds[i] && !strcmp(cg_kinds[i], controller) : !cg_kinds[i])
			return cg_where.mounted[i] && cg_where.joined[i] &&
			       (size_t)snprintf(mnt, len, "%s", cg_where.mnt[i]) < len &&
			       (size_t)snprintf(own, len, "%s", cg_where.own[i]) < len;
	return false;
}

/* The directory a pool's caisson.<pid>.<n> goes in: the mount point of
 * the hierarchy (v2 when controller is NULL) joined with our own path in
 * it, without a trailing slash. */
static bool cg_parent_of(const char *controller, char *out, size_t len)
{
	char root[WK_PATH_MAX], own[WK_PATH_MAX];
	size_t n;

	if (!cg_where_is(controller, root, own, sizeof(root)) || (size_t)snprintf(out, len, "%s%s", root, own) >= len)
		return false;
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return true;
}

int cg_parents(char out[CG_MAX_PARENTS][WK_PATH_MAX])
{
	int n = 0;

	_Static_assert(CG_MAX_PARENTS == CG_KINDS, "a parent per hierarchy");
	for (int i = 0; i < CG_KINDS; i++)
		if (cg_parent_of(cg_kinds[i], out[n], WK_PATH_MAX))
			n++;
	return n;
}

/* Creates <root><own>/caisson.<pid>.<n>; returns 0 or -1. One of that
 * name already there is a leftover of a dead process that had our pid (one
 * killed before it could clean up) that the sweep could not remove:
 * reused when we may write to it, else the next name is tried (a root
 * leftover under an unprivileged caller would refuse every worker
 * directory). */
static int cg_make_pool_dir(char *out, size_t len, const char *root, const char *own)
{
	for (int tries = 0; tries < 16; tries++, cg_seq++) {
		if ((size_t)snprintf(out, len, "%s%s%scaisson.%d.%u", root, own,
				     own[strlen(own) - 1] == '/' ? "" : "/", (int)getpid(), cg_seq) >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		if (access(out, W_OK | X_OK) == 0)
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Slot's directory in hierarchy i: <pool>/w<slot>, or the pool's own
 * when flat. */
static void cg_slot_dir(const struct cg *c, unsigned i, uint32_t slot, char *out, size_t len)
{
	if (c->flat)
		snprintf(out, len, "%s", c->dirs[i]);
	else
		snprintf(out, len, "%s/w%u", c->dirs[i], slot);
}

void cg_setup_at(struct cg *c, enum cg_version ver, const char *root_a, const char *root_b, const char *own,
		 bool flat)
{
	memset(c, 0, sizeof(*c));
	c->flat = flat;
	cg_seq++;
	if (ver == CG_V2) {
		char parent[WK_PATH_MAX];
		snprintf(parent, sizeof(parent), "%s%s", root_a, own);
		if (!cg_has_word(parent, "cgroup.controllers", "memory")) {
			snprintf(c->why, sizeof(c->why), "cgroup v2: memory controller not delegated to %.180s", parent);
			return;
		}
		/* Our directory may hold the workers' limits only if the parent
		 * hands its controllers down. */
		if (!cg_has_word(parent, "cgroup.subtree_control", "memory") &&
		    cg_write(parent, "cgroup.subtree_control", "+memory") < 0) {
			snprintf(c->why, sizeof(c->why), "cgroup v2: cannot enable memory below %.180s: %s", parent,
				 strerror(errno));
			return;
		}
		if (!cg_has_word(parent, "cgroup.subtree_control", "pids"))
			cg_write(parent, "cgroup.subtree_control", "+pids");
		/* A flat pool's directory holds the worker: no controller
		 * below it (a v2 cgroup with some holds no process). */
		if (cg_make_pool_dir(c->dirs[0], sizeof(c->dirs[0]), root_a, own) < 0 ||
		    (!flat && cg_write(c->dirs[0], "cgroup.subtree_control", "+memory") < 0)) {
			snprintf(c->why, sizeof(c->why), "cgroup v2: %.180s: %s", c->dirs[0], strerror(errno));
			rmdir(c->dirs[0]);
			c->dirs[0][0] = '\0';
			return;
		}
		if (!flat)
			cg_write(c->dirs[0], "cgroup.subtree_control", "+pids");
		c->ver = CG_V2;
		return;
	}
	if (cg_make_pool_dir(c->dirs[0], sizeof(c->dirs[0]), root_a, own) < 0) {
		snprintf(c->why, sizeof(c->why), "cgroup v1 memory: %.180s: %s", c->dirs[0], strerror(errno));
		c->dirs[0][0] = '\0';
		return;
	}
	if (root_b[0] && cg_make_pool_dir(c->dirs[1], sizeof(c->dirs[1]), root_b, "/") < 0)
		c->dirs[1][0] = '\0'; /* pids is a bonus: fork is refused by seccomp anyway */
	c->ver = CG_V1;
}

void cg_setup(struct cg *c, bool flat)
{
	char root[WK_PATH_MAX], own[WK_PATH_MAX], proot[WK_PATH_MAX] = "", pown[WK_PATH_MAX];
	char why2[200];

	if (cg_where_is(NULL, root, own, sizeof(root))) {
		cg_setup_at(c, CG_V2, root, "", own, flat);
		if (c->ver == CG_V2)
			return;
		snprintf(why2, sizeof(why2), "%.190s", c->why);
	} else {
		snprintf(why2, sizeof(why2), "no cgroup v2 hierarchy");
	}
	if (cg_where_is("memory", root, own, sizeof(root))) {
		char pids[2 * WK_PATH_MAX] = "";
		if (cg_where_is("pids", proot, pown, sizeof(proot)))
			snprintf(pids, sizeof(pids), "%s%s", proot, strcmp(pown, "/") ? pown : "");
		cg_setup_at(c, CG_V1, root, pids, own, flat);
		if (c->ver == CG_V1)
			return;
	}
	snprintf(c->why + strlen(c->why), sizeof(c->why) - strlen(c->why), "%s%s", c->why[0] ? "; " : "",
		 why2);
}

int cg_worker_create(const struct cg *c, uint32_t slot, uint64_t memory_bytes, uint32_t pids, char *err,
		     size_t errlen)
{
	char dir[WK_PATH_MAX + 16], mem[32], np[16];

	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)memory_bytes);
	snprintf(np, sizeof(np), "%u", pids);
	for (unsigned i = 0; i < WK_MAX_CGROUPS; i++) {
		if (!c->dirs[i][0])
			continue;
		cg_slot_dir(c, i, slot, dir, sizeof(dir));
		if (!c->flat && mkdir(dir, 0755) < 0 && errno != EEXIST)
			goto fail;
		if (c->ver == CG_V2) {
			if (cg_write(dir, "memory.max", mem) < 0)
				goto fail;
			/* No swap: a limit the worker could page around is no limit. */
			if (cg_write(dir, "memory.swap.max", "0") < 0 && errno != ENOENT)
				goto fail;
			if (cg_write(dir, "pids.max", np) < 0 && errno != ENOENT)
				goto fail;
		} else if (i == 0) {
			if (cg_write(dir, "memory.limit_in_bytes", mem) < 0)
				goto fail;
			if (cg_write(dir, "memory.memsw.limit_in_bytes", mem) < 0 && errno != ENOENT)
				goto fail;
		} else if (cg_write(dir, "pids.max", np) < 0) {
			goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, errlen, "cgroup %.200s: %s", dir, strerror(errno));
	return -1;
}

long long cg_worker_oom_kills(const struct cg *c, uint32_t slot)
{
	static const char *const v2_keys[] = { "oom_kill" }, *const v1_keys[] = { "oom_kill", "under_oom" };
	char dir[WK_PATH_MAX + 16];
	long long v[2];

	if (c->ver == CG_NONE)
		return 0;
	cg_slot_dir(c, 0, slot, dir, sizeof(dir));
	if (c->ver == CG_V2) {
		cg_read_keys(dir, "memory.events", v2_keys, v, 1);
		return v[0];
	}
	/* v1 before 4.13 has no oom_kill count: a cgroup still under OOM
	 * counts as one more. Both from one read (unreadable: 0, as before). */
	cg_read_keys(dir, "memory.oom_control", v1_keys, v, 2);
	return (v[0] > 0 ? v[0] : 0) + (v[1] > 0);
}

bool cg_worker_empty(const struct cg *c, uint32_t slot)
{
	char dir[WK_PATH_MAX + 16], path[WK_PATH_MAX + 32], b;
	ssize_t n;
	int fd;

	for (unsigned i = 0; i < WK_MAX_CGROUPS; i++) {
		if (!c->dirs[i][0])
			continue;
		cg_slot_dir(c, i, slot, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, &b, 1);
		close(fd);
		if (n != 0)
			return false;
	}
	return true;
}

void cg_worker_remove(const struct cg *c, uint32_t slot)
{
	char dir[WK_PATH_MAX + 16];

	for (unsigned i = 0; i < WK_MAX_CGROUPS && !c->flat; i++) {
		if (!c->dirs[i][0])
			continue;
		cg_slot_dir(c, i, slot, dir, sizeof(dir));
		rmdir(dir);
	}
}

void cg_teardown(struct cg *c)
{
	const struct timespec ms = { 0, 1000000 };

	for (unsigned i = 0; i < WK_MAX_CGROUPS; i++) {
		if (!c->dirs[i][0])
			continue;
		/* Workers die with the zygote, a few milliseconds after it. */
		for (int tries = 0; tries < 200; tries++) {
			DIR *d = c->flat ? NULL : opendir(c->dirs[i]);
			struct dirent *e;

			while (d && (e = readdir(d))) {
				char path[WK_PATH_MAX + 300];
				if (e->d_name[0] != 'w' || e->d_type != DT_DIR)
					continue;
				snprintf(path, sizeof(path), "%s/%s", c->dirs[i], e->d_name);
				rmdir(path);
			}
			if (d)
				closedir(d);
			if (rmdir(c->dirs[i]) == 0 || errno != EBUSY)
				break;
			nanosleep(&ms, NULL);
		}
	}
	c->ver = CG_NONE;
}

const char *cg_name(const struct cg *c)
{
	return c->ver == CG_V2 ? "cgroup v2" : c->ver == CG_V1 ? "cgroup v1" : "rlimits only";
}
