/* Attestation of a live worker's resources, read from outside it: its
 * memory cgroup and limit, and its descriptor table (its mount table and
 * root: verify_attest_mounts.c). Runs in the supervisor as the invoking user; every
 * file read is kept as a blob and parsed within bounds. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify_int.h"

/* The worker's path for a controller in a /proc/PID/cgroup text: the
 * "0::PATH" line for v2, "N:CONTROLLER:PATH" for v1. */
static bool vf_cgroup_path(const char *text, bool v2, const char *controller, char *out, size_t len)
{
	size_t cl = strlen(controller);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = NULL, *colon = strchr(l, ':');
		size_t n;

		if (v2 && !strncmp(l, "0::", 3))
			p = l + 3;
		else if (!v2 && colon && !strncmp(colon + 1, controller, cl) && colon[1 + cl] == ':')
			p = colon + 2 + cl;
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

/* The worker's cgroup must be a slot directory wN of the pool's (whose
 * path memory_enforcement names), holding the profile's memory limit. */
static void vf_cgroup_memory(struct vf_run *v, const char *text, int idx)
{
	bool v2 = !strncmp(v->memory_enforcement, "cgroup v2 ", 10);
	const char *pooldir = v->memory_enforcement + 10, *base = strrchr(pooldir, '/'), *slot;
	char path[WK_PATH_MAX + 96], cg[WK_PATH_MAX], exp[160], obs[160], *t;
	unsigned long long want = v->lim.memory_bytes & ~4095ull;
	bool ok;

	if (strncmp(v->memory_enforcement, "cgroup v", 8) || !base) {
		vf_add_attest(v, "cgroup-memory", "a per-worker memory cgroup, when the host delegates one",
			      v->memory_enforcement, "pool_stats memory_enforcement", true, idx);
		return;
	}
	snprintf(exp, sizeof(exp), "in %.60s/wN, memory limit %llu", base + 1, want);
	ok = text && vf_cgroup_path(text, v2, "memory", cg, sizeof(cg));
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

/* Where our mount namespace has the cgroup2 hierarchy, or the v1
 * hierarchy of controller. */
static bool vf_cgroup_root(bool v2, const char *controller, char *out, size_t len)
{
	char line[1024], mp[512], opts[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, v2 ? " - cgroup2 " : " - cgroup ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1 || sscanf(dash, " - %*s %*s %511s", opts) != 1)
			continue;
		if (v2)
			found = true;
		for (char *tok = strtok(opts, ","); tok && !found; tok = strtok(NULL, ","))
			found = !strcmp(tok, controller);
		found = found && (size_t)snprintf(out, len, "%s", mp) < len;
	}
	if (f)
		fclose(f);
	return found;
}

/* A pids limit on the worker's cgroup, where the host offers the pids
 * controller (the pool tolerates its absence: RLIMIT_NPROC and the filter
 * stop fork anyway). */
static void vf_cgroup_pids(struct vf_run *v, const char *text, int idx)
{
	static const char exp[] = "a number, not max (when the host has the pids controller)";
	bool v2 = !strncmp(v->memory_enforcement, "cgroup v2 ", 10);
	char root[512] = "", cg[WK_PATH_MAX], path[WK_PATH_MAX + 600], obs[160], *t, *end;
	unsigned long long n;

	if (strncmp(v->memory_enforcement, "cgroup v", 8) || !text || !vf_cgroup_path(text, v2, "pids", cg, sizeof(cg)) ||
	    !vf_cgroup_root(v2, "pids", root, sizeof(root))) {
		vf_add_attest(v, "cgroup-pids", exp, "no pids cgroup for the worker", "/proc/PID/cgroup", true, idx);
		return;
	}
	snprintf(path, sizeof(path), "%s%s/pids.max", root, cg);
	idx = vf_blob_file(v, path, "pids.max of the worker's cgroup", 64);
	t = vf_blob_text(v, idx);
	if (!t) {
		/* v2 without the pids controller enabled has no such file. */
		snprintf(obs, sizeof(obs), "%.100s: %s", cg, strerror(errno));
		vf_add_attest(v, "cgroup-pids", exp, obs, "cgroup pids.max", errno == ENOENT && v2, -1);
		return;
	}
	errno = 0;
	n = strtoull(t, &end, 10);
	snprintf(obs, sizeof(obs), "%.*s", (int)strcspn(t, "\n"), t);
	vf_add_attest(v, "cgroup-pids", exp, obs, "cgroup pids.max", !errno && end != t && (*end == '\n' || !*end) && n > 0,
		      idx);
	free(t);
}

void vf_attest_cgroup(struct vf_run *v, pid_t pid)
{
	char path[64], *t;
	int idx;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	idx = vf_blob_file(v, path, "/proc/PID/cgroup", VF_PROC_MAX);
	t = vf_blob_text(v, idx);
	vf_cgroup_memory(v, t, idx);
	vf_cgroup_pids(v, t, idx);
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
