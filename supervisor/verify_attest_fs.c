/* Attestation of a live worker's resources, read from outside it: its
 * memory cgroup and limit, its mount table and root directory, and its
 * descriptor table. Runs in the supervisor as the invoking user; every
 * file read is kept as a blob and parsed within bounds. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify_int.h"

/* The path of the worker's line for the memory controller in a
 * /proc/PID/cgroup text ("0::PATH" for v2, "N:memory:PATH" for v1). */
static bool vf_cgroup_path(const char *text, bool v2, char *out, size_t len)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = NULL;
		size_t n;

		if (v2 && !strncmp(l, "0::", 3))
			p = l + 3;
		else if (!v2 && (p = strchr(l, ':')) && !strncmp(p, ":memory:", 8))
			p += 8;
		else
			p = NULL;
		if (!p)
			continue;
		n = strcspn(p, "\n");
		if (n >= len)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* The worker's own cgroup (from /proc/PID/cgroup, relative to ours) must
 * be a slot directory wN of the pool's, holding the profile's memory limit. */
void vf_attest_cgroup(struct vf_run *v, pid_t pid)
{
	bool v2 = !strncmp(v->memory_enforcement, "cgroup v2 ", 10);
	const char *pooldir = v->memory_enforcement + 10, *base = strrchr(pooldir, '/'), *slot;
	char path[WK_PATH_MAX + 96], cg[WK_PATH_MAX], exp[160], obs[160], *t;
	unsigned long long want = v->lim.memory_bytes & ~4095ull;
	int idx;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	idx = vf_blob_file(v, path, "/proc/PID/cgroup", VF_PROC_MAX);
	if (strncmp(v->memory_enforcement, "cgroup v", 8) || !base) {
		vf_add_attest(v, "cgroup-memory", "a per-worker memory cgroup, when the host delegates one",
			      v->memory_enforcement, "pool_stats memory_enforcement", true, idx);
		return;
	}
	snprintf(exp, sizeof(exp), "in %.60s/wN, memory limit %llu", base + 1, want);
	t = vf_blob_text(v, idx);
	ok = t && vf_cgroup_path(t, v2, cg, sizeof(cg));
	free(t);
	slot = ok ? strstr(cg, base) : NULL;
	if (!slot || strncmp(slot + strlen(base), "/w", 2) || strchr(slot + strlen(base) + 1, '/')) {
		vf_add_attest(v, "cgroup-memory", exp, ok ? cg : "no memory cgroup line", "/proc/PID/cgroup", false, idx);
		return;
	}
	slot += strlen(base) + 1;
	snprintf(path, sizeof(path), "%s/%.16s/%s", pooldir, slot, v2 ? "memory.max" : "memory.limit_in_bytes");
	idx = vf_blob_file(v, path, "memory limit file of the worker's cgroup", 64);
	t = vf_blob_text(v, idx);
	if (!t) {
		snprintf(obs, sizeof(obs), "%.16s: %s", slot, strerror(errno));
		vf_add_attest(v, "cgroup-memory", exp, obs, "cgroup memory limit file", false, -1);
		return;
	}
	snprintf(obs, sizeof(obs), "%.16s: %.*s", slot, (int)strcspn(t, "\n"), t);
	vf_add_attest(v, "cgroup-memory", exp, obs, v2 ? "cgroup memory.max" : "cgroup memory.limit_in_bytes",
		      strtoull(t, NULL, 10) == want, idx);
	free(t);
}

/* Descriptors: exactly 2 (log pipe) and 3 (IPC socket). */
void vf_attest_fds(struct vf_run *v, pid_t pid)
{
	char path[64], listing[2048] = "", obs[160];
	size_t used = 0;
	int n = 0, idx;
	bool ok2 = false, ok3 = false;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		vf_add_attest(v, "fds", "2 (log pipe) and 3 (IPC socket) only", strerror(errno), "/proc/PID/fd", false, -1);
		return;
	}
	while ((e = readdir(d))) {
		char fp[96], link[128] = "";
		ssize_t l;

		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(fp, sizeof(fp), "%s/%.16s", path, e->d_name);
		if ((l = readlink(fp, link, sizeof(link) - 1)) > 0)
			link[l] = '\0';
		ok2 |= !strcmp(e->d_name, "2") && !strncmp(link, "pipe:", 5);
		ok3 |= !strcmp(e->d_name, "3") && !strncmp(link, "socket:", 7);
		if (used < sizeof(listing))
			used += (size_t)snprintf(listing + used, sizeof(listing) - used, "%.16s -> %s\n", e->d_name, link);
	}
	closedir(d);
	if (used >= sizeof(listing))
		used = sizeof(listing) - 1;
	idx = vf_add_blob(v, "/proc/PID/fd of the attested worker", "text/plain", listing, used);
	snprintf(obs, sizeof(obs), "%d open: %.140s", n, listing);
	for (char *p = obs; *p; p++)
		if (*p == '\n')
			*p = ';';
	vf_add_attest(v, "fds", "2 (log pipe) and 3 (IPC socket) only", obs, "/proc/PID/fd", n == 2 && ok2 && ok3, idx);
}

/* Mount table: exactly one mount, the root, a read-only tmpfs; and the
 * root directory holds nothing. */
void vf_attest_mounts(struct vf_run *v, pid_t pid)
{
	char path[64], obs[160], mp[128] = "", opts[128] = "", fstype[32] = "", names[1024] = "";
	int idx, lines = 0, entries = 0;
	size_t used = 0;
	char *t;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	idx = vf_blob_file(v, path, "/proc/PID/mountinfo", VF_PROC_MAX);
	t = vf_blob_text(v, idx);
	for (char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *dash = strstr(l, " - ");
		if (++lines == 1 && dash)
			if (sscanf(l, "%*s %*s %*s %*s %127s %127s", mp, opts) != 2 || sscanf(dash, " - %31s", fstype) != 1)
				mp[0] = '\0';
	}
	snprintf(obs, sizeof(obs), "%d mount%s; first: %.40s %.20s %.60s", lines, lines == 1 ? "" : "s", mp, fstype,
		 opts);
	vf_add_attest(v, "mounts", "1 mount: / tmpfs, read-only", t ? obs : strerror(errno), "/proc/PID/mountinfo",
		      lines == 1 && !strcmp(mp, "/") && !strcmp(fstype, "tmpfs") &&
			      (!strncmp(opts, "ro,", 3) || !strcmp(opts, "ro")),
		      idx);
	free(t);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	d = opendir(path);
	if (!d) {
		snprintf(obs, sizeof(obs), "unreadable: %s", strerror(errno));
		vf_add_attest(v, "root-entries", "0 entries (root emptied after load)", obs, "/proc/PID/root", false, -1);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			entries++;
			if (used < sizeof(names))
				used += (size_t)snprintf(names + used, sizeof(names) - used, "%s\n", e->d_name);
		}
	closedir(d);
	idx = vf_add_blob(v, "entries of /proc/PID/root (one per line)", "text/plain", names,
			  used < sizeof(names) ? used : sizeof(names) - 1);
	snprintf(obs, sizeof(obs), "%d entries", entries);
	vf_add_attest(v, "root-entries", "0 entries (root emptied after load)", obs, "/proc/PID/root", entries == 0, idx);
}
