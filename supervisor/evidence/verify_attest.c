/* Attestation of a live worker, read from outside it: namespaces, the
 * status lines (seccomp, no_new_privs, capabilities, threads, ids), the id
 * maps and rlimits; verify_attest_fs.c adds cgroup, mounts, root and fds.
 * Runs in the supervisor as the invoking user; never asks the worker.
 * Everything read is kept as a blob, and every parse is bounded: the
 * kernel writes these files, but about a process we do not trust. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "policy/profile.h"
#include "verify_int.h"
#include "worker/wk.h"

/* Value of "Key:\tvalue" in a status text, into val (trimmed). */
static bool vf_field(const char *text, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ':') {
			const char *p = l + kl + 1;
			size_t n;
			p += strspn(p, " \t");
			n = strcspn(p, "\n");
			snprintf(val, len, "%.*s", (int)(n < len ? n : len - 1), p);
			return true;
		}
	return false;
}

bool vf_proc_uid(pid_t pid, unsigned long *uid)
{
	char path[64], text[2048], val[128], state[32];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* A zombie's slot is on its way back to the pool: not a live worker. */
	if (!vf_field(text, "State", state, sizeof(state)) || state[0] == 'Z' || state[0] == 'X' ||
	    !vf_field(text, "Uid", val, sizeof(val)))
		return false;
	*uid = strtoul(val, NULL, 10);
	return true;
}

static void vf_expect_field(struct vf_run *v, const char *text, int idx, const char *key, const char *want,
			    const char *why, const char *src)
{
	char got[128] = "absent", exp[160];

	vf_field(text, key, got, sizeof(got));
	snprintf(exp, sizeof(exp), "%s (%s)", want, why);
	vf_add_attest(v, key, exp, got, src, !strcmp(got, want), idx);
}

bool vf_caps_named(char *got, size_t len)
{
	bool parsed = strlen(got) == 16 && strspn(got, "0123456789abcdef") == 16;
	uint64_t mask = parsed ? strtoull(got, NULL, 16) : 0;
	size_t n = strlen(got);

	for (unsigned bit = 0; bit < 64 && mask >> bit && n + 1 < len; bit++) {
		char *name;

		if (!(mask >> bit & 1))
			continue;
		name = cap_to_name((cap_value_t)bit);
		n += (size_t)snprintf(got + n, len - n, "%s%s", n == 16 ? " " : ",", name ? name : "?");
		cap_free(name);
	}
	if (n >= len && len >= 4)
		memcpy(got + len - 4, "...", 4);
	return parsed && mask == 0;
}

/* A capability set (CapEff, ...) must be empty; what a worker holds
 * instead is named (vf_caps_named), never shown as a bare mask. */
static void vf_expect_caps(struct vf_run *v, const char *text, int idx, const char *key, const char *src)
{
	char got[sizeof(((struct vf_attest *)0)->observed)] = "absent";
	bool ok = vf_field(text, key, got, sizeof(got)) && vf_caps_named(got, sizeof(got));

	vf_add_attest(v, key, "0000000000000000 (no capability)", got, src, ok, idx);
}

/* Uid/Gid: real, effective, saved, fs all equal to the expected host id. */
static void vf_expect_ids(struct vf_run *v, const char *text, int idx, const char *key, unsigned long want,
			  const char *src)
{
	char got[128] = "absent", exp[160];
	unsigned long a[4];
	bool ok;

	vf_field(text, key, got, sizeof(got));
	ok = sscanf(got, "%lu %lu %lu %lu", &a[0], &a[1], &a[2], &a[3]) == 4 && a[0] == want && a[1] == want &&
	     a[2] == want && a[3] == want && want != 0;
	snprintf(exp, sizeof(exp), "%lu in all four (%s)", want,
		 v->cfg->uid_base ? "this slot's own unprivileged host id" : "the caller's id, unprivileged run");
	vf_add_attest(v, key, exp, got, src, ok, idx);
}

/* NSpid: our view of the pid, then 1: it is init of its own pid namespace. */
static void vf_expect_nspid(struct vf_run *v, const char *text, int idx, pid_t pid, const char *src)
{
	char got[128] = "absent", want[48], exp[96];

	vf_field(text, "NSpid", got, sizeof(got));
	snprintf(want, sizeof(want), "%d\t1", (int)pid);
	snprintf(exp, sizeof(exp), "%d 1 (pid 1 of its own pid namespace)", (int)pid);
	vf_add_attest(v, "NSpid", exp, got, src, !strcmp(got, want), idx);
}

static void vf_status(struct vf_run *v, pid_t pid, unsigned long *host_uid, unsigned long *host_gid)
{
	static const char *const caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char path[64], src[64], val[128];
	int idx;
	char *t;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(src, sizeof(src), "/proc/PID/status");
	idx = vf_blob_file(v, path, "/proc/PID/status of the attested worker", VF_PROC_MAX);
	t = vf_blob_text(v, idx);
	if (!t) {
		vf_add_attest(v, "status", "readable", strerror(errno), src, false, -1);
		return;
	}
	vf_expect_field(v, t, idx, "Seccomp", "2", "filter mode", src);
	vf_expect_field(v, t, idx, "Seccomp_filters", "1", "one filter: init and run stages in one program", src);
	vf_expect_field(v, t, idx, "NoNewPrivs", "1", "no_new_privs set", src);
	vf_expect_field(v, t, idx, "Threads", "1", "single-threaded: the seal's ordering relies on it", src);
	vf_expect_nspid(v, t, idx, pid, src);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		vf_expect_caps(v, t, idx, caps[i], src);
	*host_uid = v->cfg->uid_base ? v->cfg->uid_base : (unsigned long)getuid();
	*host_gid = v->cfg->uid_base ? v->cfg->gid_base : (unsigned long)getgid();
	/* Root: slot N has uid_base + N and gid_base + N; read which slot. */
	if (v->cfg->uid_base && vf_field(t, "Uid", val, sizeof(val))) {
		unsigned long u = strtoul(val, NULL, 10);
		if (u >= v->cfg->uid_base && u < v->cfg->uid_base + v->cfg->max_slots) {
			*host_uid = u;
			*host_gid = v->cfg->gid_base + (u - v->cfg->uid_base);
		}
	}
	vf_expect_ids(v, t, idx, "Uid", *host_uid, src);
	vf_expect_ids(v, t, idx, "Gid", *host_gid, src);
	free(t);
}

/* uid_map/gid_map: exactly "1000 HOST 1": one non-root id inside. */
static void vf_map(struct vf_run *v, pid_t pid, const char *name, unsigned long host)
{
	char path[64], title[64], exp[160], obs[160];
	unsigned long in, out, count;
	int idx, used = 0;
	char *t;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	snprintf(title, sizeof(title), "/proc/PID/%s", name);
	idx = vf_blob_file(v, path, title, 4096);
	t = vf_blob_text(v, idx);
	snprintf(exp, sizeof(exp), "%u %lu 1 (one id: %u inside, non-root)", WK_INNER_ID, host, WK_INNER_ID);
	if (!t) {
		vf_add_attest(v, name, exp, strerror(errno), title, false, idx);
		return;
	}
	snprintf(obs, sizeof(obs), "%.*s", (int)strcspn(t, "\n"), t + strspn(t, " "));
	vf_add_attest(v, name, exp, obs, title,
		      sscanf(t, " %lu %lu %lu %n", &in, &out, &count, &used) == 3 && t[used] == '\0' &&
			      in == WK_INNER_ID && out == host && count == 1,
		      idx);
	free(t);
}

#define VF_NS_MAX 16

struct vf_ns {
	char kind[32], worker[64], ours[64];
};

/* readlink of /proc/WHO/ns/KIND, or "unreadable". */
static void vf_ns_link(const char *who, const char *kind, char out[64])
{
	char path[80];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", who, kind);
	n = readlink(path, out, 63);
	if (n > 0)
		out[n] = '\0';
	else
		snprintf(out, 64, "unreadable");
}

/* The profile's [namespaces] key for a /proc/PID/ns kind, or -1 when the
 * profile has none (time). pid_for_children follows pid. */
static int vf_ns_key(const char *kind)
{
	static const char *const proc_names[PROFILE_NS_COUNT] = {
		[PROFILE_NS_USER] = "user", [PROFILE_NS_PID] = "pid", [PROFILE_NS_MOUNT] = "mnt",
		[PROFILE_NS_NETWORK] = "net", [PROFILE_NS_IPC] = "ipc", [PROFILE_NS_UTS] = "uts",
		[PROFILE_NS_CGROUP] = "cgroup",
	};

	if (!strcmp(kind, "pid_for_children"))
		return PROFILE_NS_PID;
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		if (!strcmp(kind, proc_names[i]))
			return i;
	return -1;
}

/* Namespaces: every kind this kernel has, the worker's against ours; the
 * profile says which must differ. */
static void vf_namespaces(struct vf_run *v, pid_t pid)
{
	struct vf_ns ns[VF_NS_MAX];
	struct dirent **names = NULL;
	char who[16], listing[VF_NS_MAX * 192], exp[160], obs[160], item[48];
	size_t used = 0, k = 0;
	int n = scandir("/proc/self/ns", &names, NULL, alphasort), idx;

	if (n < 0) {
		vf_add_attest(v, "ns", "readable", strerror(errno), "/proc/self/ns", false, -1);
		return;
	}
	snprintf(who, sizeof(who), "%d", (int)pid);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && k < VF_NS_MAX) {
			snprintf(ns[k].kind, sizeof(ns[k].kind), "%.31s", names[i]->d_name);
			vf_ns_link(who, ns[k].kind, ns[k].worker);
			vf_ns_link("self", ns[k].kind, ns[k].ours);
			used += (size_t)snprintf(listing + used, sizeof(listing) - used, "ns/%s worker=%s supervisor=%s\n",
						 ns[k].kind, ns[k].worker, ns[k].ours);
			k++;
		}
		free(names[i]);
	}
	free(names);
	idx = vf_add_blob(v, "namespace links of the worker and the supervisor", "text/plain", listing, used);
	for (size_t i = 0; i < k; i++) {
		int key = vf_ns_key(ns[i].kind);
		bool readable = strcmp(ns[i].worker, "unreadable") != 0, differ = readable && strcmp(ns[i].worker, ns[i].ours);
		bool demanded = key >= 0 && v->prof->ns_on[key];

		snprintf(item, sizeof(item), "ns/%.31s", ns[i].kind);
		if (key < 0)
			snprintf(exp, sizeof(exp), "not demanded (no profile key for it)");
		else
			snprintf(exp, sizeof(exp), "%s (profile: %s = %s)", demanded ? "separate" : "any",
				 profile_ns_names[key], v->prof->ns_on[key] ? "on" : "off");
		snprintf(obs, sizeof(obs), "%s: worker %.60s, supervisor %.60s", differ ? "separate" : "shared",
			 ns[i].worker, ns[i].ours);
		vf_add_attest(v, item, exp, obs, "/proc/PID/ns vs /proc/self/ns", demanded ? differ : readable, idx);
	}
}

/* One row of /proc/PID/limits: "Max open files   16   16   files". */
static bool vf_limit_row(const char *text, const char *name, char soft[32], char hard[32])
{
	size_t nl = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, nl) && l[nl] == ' ')
			return sscanf(l + nl, " %31s %31s", soft, hard) == 2;
	return false;
}

static void vf_limits(struct vf_run *v, pid_t pid)
{
	/* The limits the pool sent (pool_worker_config): RLIMIT_AS is the
	 * memory limit, 4x when a cgroup enforces memory, plus the bulk
	 * regions the worker maps; each part is named in the expectation. */
	const struct wk_config *c = v->worker_cfg ? v->worker_cfg : v->cfg;
	bool cg = !strncmp(v->memory_enforcement, "cgroup", 6);
	unsigned long long cpu = (c->cpu_ms + 999) / 1000;
	unsigned long long as = c->memory_bytes;
	unsigned long long mem = cg && v->cfg->memory_bytes < (1ull << 40) ? v->cfg->memory_bytes * 4 : v->cfg->memory_bytes;
	char as_why[96];
	const struct {
		const char *item, *row;
		unsigned long long soft, hard;
	} want[] = {
		{ "RLIMIT_CORE", "Max core file size", 0, 0 },
		{ "RLIMIT_FSIZE", "Max file size", wk_config_fsize(c), wk_config_fsize(c) },
		{ "RLIMIT_NOFILE", "Max open files", c->open_files, c->open_files },
		{ "RLIMIT_CPU", "Max cpu time", cpu, cpu + 1 },
		{ "RLIMIT_AS", "Max address space", as, as },
		{ "RLIMIT_MEMLOCK", "Max locked memory", 0, 0 },
		{ "RLIMIT_MSGQUEUE", "Max msgqueue size", 0, 0 },
		{ "RLIMIT_NPROC", "Max processes", 1, 1 },
	};
	char path[64];
	int idx;
	char *t;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	idx = vf_blob_file(v, path, "/proc/PID/limits", VF_PROC_MAX);
	t = vf_blob_text(v, idx);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char soft[32] = "", hard[32] = "", exp[160], obs[160], ws[24], wh[24];
		bool found = t && vf_limit_row(t, want[i].row, soft, hard);

		snprintf(ws, sizeof(ws), "%llu", want[i].soft);
		snprintf(wh, sizeof(wh), "%llu", want[i].hard);
		as_why[0] = '\0';
		if (!strcmp(want[i].item, "RLIMIT_AS") && (cg || as > mem))
			snprintf(as_why, sizeof(as_why), " (%s%s%s)", cg ? "4x memory, the cgroup enforces it" : "",
				 cg && as > mem ? " + " : "", as > mem ? "bulk regions" : "");
		snprintf(exp, sizeof(exp), "soft %s, hard %s%s", ws, wh, as_why);
		snprintf(obs, sizeof(obs), found ? "soft %s, hard %s" : "row absent%s%s", soft, hard);
		vf_add_attest(v, want[i].item, exp, obs, "/proc/PID/limits", found && !strcmp(soft, ws) && !strcmp(hard, wh),
			      idx);
	}
	free(t);
}

void vf_attest(struct vf_run *v, pid_t pid)
{
	unsigned long uid = 0, gid = 0;

	vf_namespaces(v, pid);
	vf_status(v, pid, &uid, &gid);
	vf_map(v, pid, "uid_map", uid);
	vf_map(v, pid, "gid_map", gid);
	vf_limits(v, pid);
	vf_attest_cgroup(v, pid);
	vf_attest_mounts(v, pid);
	vf_attest_fds(v, pid);
	vf_attest_userns_limit(v, pid);
}
