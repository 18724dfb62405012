/* The data directories a learning run proposes; see learn_data.h. Runs in
 * the supervisor as the invoking user, on paths a hostile sample chose:
 * each is only compared and stat'ed here and judged by the profile lint's
 * own data rules (lint_data.c), bounded by LEARNED_PATH_MAX, and a
 * proposal is never more than a suggestion written for a person to read. */
#include "learn_data.h"

#include "lint_data.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The loader's own files: it looks them up whatever it loads. */
static const char *const ld_loader_files[] = { "/etc/ld.so.cache", "/etc/ld.so.preload" };

#define LD_N(a) (sizeof(a) / sizeof((a)[0]))

/* What the proposer works with: base's binds and data, and one more data
 * entry, the directory being judged, for the profile lint. */
struct ld_ctx {
	struct profile t;
	char *data[PROFILE_MAX_BINDS + 1];
	char err[1024];
};

/* Whether dir may be a data mount beside base's binds and data: NULL, or
 * why not (the lint's words). */
static const char *ld_refused(struct ld_ctx *c, const char *dir)
{
	const char *why;

	/* A profile line holds it: no byte that could end or hide the line. */
	for (const char *s = dir; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ',' || *s == ';' || *s == '#')
			return "has a control character, comma, ';' or '#' in its name";

	c->data[c->t.ndata] = (char *)dir;
	c->t.ndata++;
	why = lint_data(&c->t, "", c->err, sizeof(c->err)) < 0 ? c->err : NULL;
	c->t.ndata--;
	/* ":LINE: data: 'DIR' WHY": keep WHY. */
	if (why && strstr(why, "' "))
		why = strstr(why, "' ") + 2;
	return why;
}

/* Too wide to be a data mount whatever it holds: a top-level directory,
 * /usr/X or /var/X, /usr/local/X, or the multiarch library directory. */
static bool ld_wide(const char *dir)
{
	int depth = 0;

	for (const char *c = dir; *c; c++)
		depth += *c == '/';
	if (!strcmp(dir, "/") || depth < 2)
		return true;
	if (depth == 2 && (!strncmp(dir, "/usr/", 5) || !strncmp(dir, "/var/", 5)))
		return true;
	if (depth == 3 && (!strncmp(dir, "/usr/local/", 11) ||
			   (!strncmp(dir, "/usr/lib/", 9) && strstr(dir, "-linux-gnu"))))
		return true;
	return false;
}

static void ld_skip(struct learn_data *d, const char *path, const char *why, uint64_t count)
{
	for (size_t i = 0; i < d->nskips; i++)
		if (!strcmp(d->skips[i].path, path)) {
			d->skips[i].lookups += count;
			return;
		}
	if (d->nskips >= LEARN_SKIP_MAX) {
		d->skips_more++;
		return;
	}
	snprintf(d->skips[d->nskips].path, sizeof(d->skips[0].path), "%s", path);
	snprintf(d->skips[d->nskips].why, sizeof(d->skips[0].why), "%s", why);
	d->skips[d->nskips++].lookups = count;
}

/* Whether path is served to the loader, or sits in a directory that
 * holds a served file (a library directory). */
static bool ld_served(const char *path, const char *const *served, size_t n)
{
	for (size_t i = 0; i < LD_N(ld_loader_files); i++)
		if (!strcmp(path, ld_loader_files[i]))
			return true;
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(served[i], '/');
		size_t dlen = slash ? (size_t)(slash - served[i]) : 0;

		if (!strcmp(path, served[i]) || (dlen && !strncmp(path, served[i], dlen) &&
						 (path[dlen] == '/' || path[dlen] == '\0')))
			return true;
	}
	return false;
}

/* The directory a looked-up path that exists stands for: itself, or the
 * directory holding it; its lookups are added to a candidate. */
static int ld_candidate(struct learn_dir *c, size_t *nc, const struct learned_path *p)
{
	char dir[LEARNED_PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", p->path);
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		*strrchr(dir, '/') = '\0';
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	for (size_t i = 0; i < *nc; i++)
		if (!strcmp(c[i].path, dir)) {
			c[i].lookups += p->count;
			c[i].paths++;
			return 0;
		}
	snprintf(c[*nc].path, sizeof(c[0].path), "%s", dir);
	c[*nc].lookups = p->count;
	c[(*nc)++].paths = 1;
	return 0;
}

static int ld_cmp(const void *a, const void *b)
{
	return strcmp(((const struct learn_dir *)a)->path, ((const struct learn_dir *)b)->path);
}

/* The deepest directory holding both a and b. */
static void ld_common(const char *a, const char *b, char *out, size_t len)
{
	size_t i = 0, last = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			last = i;
		i++;
	}
	if ((!a[i] && b[i] == '/') || (!b[i] && a[i] == '/') || (!a[i] && !b[i]))
		last = i;
	snprintf(out, len, "%.*s", (int)(last ? last : 1), a);
}

/* Sorted candidates: one beneath another joins it; neighbours whose
 * common directory is not wide and may be data join into it. Repeats
 * until nothing changes; n only shrinks. */
static size_t ld_collapse(struct ld_ctx *x, struct learn_dir *c, size_t n)
{
	char common[LEARNED_PATH_MAX];
	bool changed = true;

	while (changed) {
		changed = false;
		qsort(c, n, sizeof(*c), ld_cmp);
		for (size_t i = 0; i + 1 < n; i++) {
			ld_common(c[i].path, c[i + 1].path, common, sizeof(common));
			if (strcmp(common, c[i].path) &&
			    (ld_wide(common) || ld_refused(x, common)))
				continue;
			snprintf(c[i].path, sizeof(c[i].path), "%s", common);
			c[i].lookups += c[i + 1].lookups;
			c[i].paths += c[i + 1].paths;
			memmove(&c[i + 1], &c[i + 2], (n - i - 2) * sizeof(*c));
			n--;
			changed = true;
			break;
		}
	}
	return n;
}

static struct ld_ctx *ld_ctx_new(const struct profile *base)
{
	struct ld_ctx *x = calloc(1, sizeof(*x));

	if (!x || base->ndata > PROFILE_MAX_BINDS - 1) {
		free(x);
		return NULL;
	}
	x->t.binds = base->binds;
	x->t.nbinds = base->nbinds;
	for (size_t i = 0; i < base->ndata; i++)
		x->data[i] = base->data[i];
	x->t.data = x->data;
	x->t.ndata = base->ndata;
	x->t.limits = base->limits;
	return x;
}

/* Sorts the looked-up paths: served, missing, or a candidate. */
static void ld_sort_paths(const struct learned *l, const char *const *served, size_t nserved,
			  struct learn_data *d, struct learn_dir *c, size_t *nc)
{
	for (size_t i = 0; i < l->npaths; i++) {
		const struct learned_path *p = &l->paths[i];
		struct stat st;

		if (ld_served(p->path, served, nserved)) {
			d->served += p->count;
			d->fate[i] = LEARN_SERVED;
		} else if (lstat(p->path, &st) < 0) {
			d->missing += p->count;
			d->fate[i] = LEARN_MISSING;
		} else {
			ld_candidate(c, nc, p);
			d->fate[i] = LEARN_CANDIDATE;
		}
	}
}

int learn_data_propose(const struct learned *l, const struct profile *base, const char *const *served,
		       size_t nserved, struct learn_data *d)
{
	struct learn_dir *c = calloc(l->npaths + 1, sizeof(*c));
	struct ld_ctx *x = ld_ctx_new(base);
	size_t nc = 0;

	memset(d, 0, sizeof(*d));
	if (!c || !x) {
		free(c);
		free(x);
		errno = ENOMEM;
		return -1;
	}
	ld_sort_paths(l, served, nserved, d, c, &nc);
	/* Refused before collapsing, so that a refused directory is named as
	 * the sample asked for it, and never widened into. */
	for (size_t i = 0; i < nc;) {
		const char *why = ld_refused(x, c[i].path);

		if (!why && ld_wide(c[i].path))
			why = "too wide a system directory to propose (name what beneath it is needed)";

		if (why) {
			ld_skip(d, c[i].path, why, c[i].lookups);
			c[i] = c[--nc];
		} else {
			i++;
		}
	}
	nc = ld_collapse(x, c, nc);
	for (size_t i = 0; i < nc; i++) {
		if (d->ndirs >= LEARN_DATA_MAX - base->ndata)
			d->dirs_more++;
		else
			d->dirs[d->ndirs++] = c[i];
	}
	free(c);
	free(x);
	return 0;
}

bool learn_data_same(const struct learn_data *a, const struct learn_data *b)
{
	if (a->ndirs != b->ndirs)
		return false;
	for (size_t i = 0; i < a->ndirs; i++)
		if (strcmp(a->dirs[i].path, b->dirs[i].path))
			return false;
	return true;
}
