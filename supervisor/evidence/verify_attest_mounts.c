/* Attestation of a live worker's mount table and root, read from outside
 * it (/proc/PID/mountinfo, /proc/PID/root): the read-only tmpfs root, then
 * exactly the profile's [filesystem] data mounts (read-only, nodev,
 * nosuid, noexec, the host's very file or directory) and scratch tmpfs
 * (its size, mode 0700, the worker's uid, noexec), nothing else; the root
 * holding only their first components. Runs in the supervisor as the
 * invoking user; every file read is kept as a blob, parsed within bounds. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verify_int.h"

/* One mountinfo line's fields, unescaped (\ooo, as the kernel writes a
 * space, tab, newline or backslash). */
struct vf_mount {
	char mp[WK_PATH_MAX], opts[256], fstype[32], super[256];
};

static void vf_unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* One line into m; false when malformed. */
static bool vf_mount_parse(const char *line, struct vf_mount *m)
{
	const char *dash = strstr(line, " - ");

	if (!dash || sscanf(line, "%*s %*s %*s %*s %1023s %255s", m->mp, m->opts) != 2 ||
	    sscanf(dash, " - %31s %*s %255s", m->fstype, m->super) != 2)
		return false;
	vf_unescape(m->mp);
	return true;
}

/* Whether comma-separated list has every option of want (also comma-separated). */
static bool vf_has_opts(const char *list, const char *want)
{
	char l[300], w[128];

	snprintf(w, sizeof(w), "%s", want);
	for (char *save = NULL, *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool found = false;
		char *s2 = NULL;

		snprintf(l, sizeof(l), "%s", list);
		for (char *u = strtok_r(l, ",", &s2); u && !found; u = strtok_r(NULL, ",", &s2))
			found = !strcmp(u, t);
		if (!found)
			return false;
	}
	return true;
}

/* A data mount: read-only and the rest, and the host's very object (same
 * device and inode, seen through the worker's root). */
static void vf_data_mount(struct vf_run *v, pid_t pid, const char *path, const struct vf_mount *m, int idx)
{
	char exp[160], obs[160], inside[WK_PATH_MAX + 32];
	struct stat host, in;
	bool same;

	snprintf(exp, sizeof(exp), "%.80s: ro,nosuid,nodev,noexec, the host's own (same inode)", path);
	if (!m) {
		snprintf(obs, sizeof(obs), "%.80s: not mounted", path);
		vf_add_attest(v, "data-mount", exp, obs, "/proc/PID/mountinfo", false, idx);
		return;
	}
	snprintf(inside, sizeof(inside), "/proc/%d/root%s", (int)pid, path);
	same = stat(path, &host) == 0 && stat(inside, &in) == 0 && host.st_dev == in.st_dev && host.st_ino == in.st_ino;
	snprintf(obs, sizeof(obs), "%.80s: %.40s, %s", path, m->opts, same ? "same inode" : "not the host's object");
	vf_add_attest(v, "data-mount", exp, obs, "/proc/PID/mountinfo, stat of /proc/PID/root/PATH",
		      same && vf_has_opts(m->opts, "ro,nosuid,nodev,noexec"), idx);
}

/* The scratch tmpfs: its size in KiB (whole pages), mode 0700, owned by
 * the worker's host uid, writable, nodev, nosuid, noexec. */
static void vf_scratch_mount(struct vf_run *v, pid_t pid, const struct wk_config *c, const struct vf_mount *m,
			     int idx)
{
	unsigned long uid = 0;
	char exp[160], obs[160], want[96];

	if (!vf_proc_uid(pid, &uid)) {
		vf_add_attest(v, "scratch-mount", "/tmp tmpfs of the worker", "worker gone", "/proc/PID/status", false, idx);
		return;
	}
	snprintf(want, sizeof(want), "size=%lluk,mode=700,uid=%lu", (unsigned long long)((c->scratch_bytes + 4095) & ~4095ull) / 1024,
		 uid);
	snprintf(exp, sizeof(exp), "/tmp tmpfs rw,nosuid,nodev,noexec %s", want);
	snprintf(obs, sizeof(obs), m ? "/tmp %s %.50s %.70s" : "/tmp: not mounted", m ? m->fstype : "", m ? m->opts : "",
		 m ? m->super : "");
	vf_add_attest(v, "scratch-mount", exp, obs, "/proc/PID/mountinfo",
		      m && !strcmp(m->fstype, "tmpfs") && vf_has_opts(m->opts, "rw,nosuid,nodev,noexec") &&
			      vf_has_opts(m->super, want),
		      idx);
}

/* The whole table: the root, a read-only tmpfs, then each declared mount
 * once, nothing else. Per-mount items follow. */
static void vf_table(struct vf_run *v, pid_t pid, const struct wk_config *c, const char *t, int idx)
{
	size_t want = 1 + c->ndata + (c->scratch_bytes ? 1 : 0), n = 0, lines = 0, stray = 0;
	/* Each declared mount once (n <= want), and one more for the line read. */
	struct vf_mount *m = calloc(want + 1, sizeof(*m)), *root = NULL, *scratch = NULL;
	const struct vf_mount *data[WK_MAX_BINDS] = { NULL };
	char exp[160], obs[160];

	for (const char *l = t; m && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL, lines++) {
		struct vf_mount *e = &m[n];
		bool known = false;

		if (!vf_mount_parse(l, e)) {
			stray++;
			continue;
		}
		if (!strcmp(e->mp, "/") && !root)
			known = (root = e) != NULL;
		else if (!strcmp(e->mp, "/tmp") && c->scratch_bytes && !scratch)
			known = (scratch = e) != NULL;
		for (uint32_t i = 0; i < c->ndata && !known; i++)
			if (!strcmp(e->mp, c->data[i]) && !data[i])
				known = (data[i] = e) != NULL;
		n += known;
		stray += !known;
	}
	snprintf(exp, sizeof(exp), "%zu mount%s: / tmpfs read-only%s%s, nothing else", want, want == 1 ? "" : "s",
		 c->ndata ? ", each data path" : "", c->scratch_bytes ? ", /tmp scratch" : "");
	snprintf(obs, sizeof(obs), "%zu mount%s; / %.20s %.60s; %zu not declared", lines, lines == 1 ? "" : "s",
		 root ? root->fstype : "absent", root ? root->opts : "", stray);
	vf_add_attest(v, "mounts", exp, t ? obs : strerror(errno), "/proc/PID/mountinfo",
		      m && lines == want && n == want && root && !strcmp(root->fstype, "tmpfs") && vf_has_opts(root->opts, "ro"),
		      idx);
	for (uint32_t i = 0; i < c->ndata; i++)
		vf_data_mount(v, pid, c->data[i], data[i], idx);
	if (c->scratch_bytes)
		vf_scratch_mount(v, pid, c, scratch, idx);
	free(m);
}

/* Whether name is the first component of a declared mount point. */
static bool vf_kept(const struct wk_config *c, const char *name)
{
	size_t n = strlen(name);

	if (c->scratch_bytes && !strcmp(name, "tmp"))
		return true;
	for (uint32_t i = 0; i < c->ndata; i++)
		if (!strncmp(c->data[i] + 1, name, n) && (c->data[i][n + 1] == '/' || !c->data[i][n + 1]))
			return true;
	return false;
}

static void vf_root_entries(struct vf_run *v, pid_t pid, const struct wk_config *c)
{
	char path[64], obs[160], names[1024] = "";
	const char *exp = c->ndata || c->scratch_bytes ? "only the first components of the data and scratch mounts"
						       : "0 entries (an empty root)";
	int idx, entries = 0, stray = 0;
	size_t used = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	d = opendir(path);
	if (!d) {
		snprintf(obs, sizeof(obs), "unreadable: %s", strerror(errno));
		vf_add_attest(v, "root-entries", exp, obs, "/proc/PID/root", false, -1);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			entries++;
			stray += !vf_kept(c, e->d_name);
			if (used < sizeof(names))
				used += (size_t)snprintf(names + used, sizeof(names) - used, "%s\n", e->d_name);
		}
	closedir(d);
	idx = vf_add_blob(v, "entries of /proc/PID/root (one per line)", "text/plain", names,
			  used < sizeof(names) ? used : sizeof(names) - 1);
	snprintf(obs, sizeof(obs), "%d entries, %d not declared", entries, stray);
	vf_add_attest(v, "root-entries", exp, obs, "/proc/PID/root", stray == 0 && (entries > 0) == (c->ndata || c->scratch_bytes),
		      idx);
}

void vf_attest_mounts(struct vf_run *v, pid_t pid)
{
	const struct wk_config *c = v->worker_cfg ? v->worker_cfg : v->cfg;
	char path[64], *t;
	int idx;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	idx = vf_blob_file(v, path, "/proc/PID/mountinfo", VF_PROC_MAX);
	t = vf_blob_text(v, idx);
	vf_table(v, pid, c, t, idx);
	free(t);
	vf_root_entries(v, pid, c);
}
