/* What the battery tells the data and scratch probes (worker/probes/
 * probes_data.c) about the profile's [filesystem] mounts, and the
 * data-readable item their answer yields. Runs in the supervisor as the
 * invoking user. Only the first data path is probed; a path holding a
 * space or a control byte is not sent (the request is space-separated):
 * the probes then aim at where data would be, and must find nothing. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "verify_int.h"

/* Entries the directory holding path may show inside a worker: the next
 * component of each data path beneath it (once each), and tmp for
 * scratch in "/". */
static unsigned vf_dataents(const struct wk_config *c, const char *path)
{
	size_t dl = (size_t)(strrchr(path, '/') - path);
	unsigned n = dl == 0 && c->scratch_bytes;

	for (uint32_t i = 0; i < c->ndata; i++) {
		const char *d = c->data[i], *next;
		bool seen = false;

		if (strncmp(d, path, dl) || d[dl] != '/')
			continue;
		next = d + dl + 1;
		for (uint32_t j = 0; j < i && !seen; j++) {
			const char *e = c->data[j];
			size_t k = strcspn(next, "/");
			seen = !strncmp(e, path, dl) && e[dl] == '/' && !strncmp(e + dl + 1, next, k) &&
			       (e[dl + 1 + k] == '/' || !e[dl + 1 + k]);
		}
		n += !seen;
	}
	return n;
}

static bool vf_sendable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

int vf_fs_params(const struct wk_config *c, char *buf, size_t len)
{
	const char *d = c->ndata ? c->data[0] : "";
	struct stat st;
	int n;

	if (!d[0] || !vf_sendable(d))
		return snprintf(buf, len, "scratch=%llu ", (unsigned long long)c->scratch_bytes);
	n = snprintf(buf, len, "scratch=%llu dataents=%u data=%s dataw=%s%s ", (unsigned long long)c->scratch_bytes,
		     vf_dataents(c, d), d, d, stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? "/caisson-probe" : "");
	if (n < 0 || (size_t)n >= len)
		return snprintf(buf, len, "scratch=%llu ", (unsigned long long)c->scratch_bytes);
	return n;
}

void vf_data_readable(struct vf_run *v)
{
	const struct wk_config *c = v->worker_cfg ? v->worker_cfg : v->cfg;
	const struct vf_probe *p = NULL;
	char exp[160], obs[160];
	bool read, killed;

	if (!c->ndata)
		return;
	for (size_t i = 0; i < v->r->nprobes; i++)
		if (!strcmp(v->r->probes[i].name, "data-write"))
			p = &v->r->probes[i];
	snprintf(exp, sizeof(exp), "a worker reads %.80s, unless its run set allows no open", c->data[0]);
	if (!p) {
		vf_add_attest(v, "data-readable", exp, "no data-write probe ran", "probe data-write", false, -1);
		return;
	}
	read = strstr(p->how, "; data read ") != NULL;
	killed = !strcmp(p->status, "VIOLATION");
	snprintf(obs, sizeof(obs), "%.150s", read ? strstr(p->how, "; data read ") + 2
				   : killed ? "the run set allows no open (the probe's write was a VIOLATION)"
					    : p->how);
	vf_add_attest(v, "data-readable", exp, obs, "probe data-write", read || killed, -1);
}
