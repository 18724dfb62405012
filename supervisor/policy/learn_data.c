/* The data directories a learning run proposes; see learn_data.h. Runs in
 * the supervisor as the invoking user, on paths a hostile sample chose:
 * each is only compared, lstat'ed and canonicalised here, bounded by
 * LEARNED_PATH_MAX, and a proposal is never more than a suggestion
 * written for a person to read. */
#include "learn_data.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Never data, nor anything beneath them (EXEC.md). */
static const char *const ld_never_beneath[] = { "/proc", "/sys", "/dev", "/home", "/root", "/run", "/tmp",
						"/var/tmp", "/var/run" };
/* Never whole (beneath is a matter for the other rules). */
static const char *const ld_never_whole[] = { "/", "/etc", "/var/lib", "/usr", "/var" };
/* Secrets: never data, nor a directory holding one. */
static const char *const ld_secrets[] = { "/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-",
					  "/etc/ssh", "/etc/ssl/private", "/etc/sudoers", "/etc/sudoers.d",
					  "/etc/security", "/var/lib", "/var/log", "/var/spool", "/var/mail",
					  "/var/backups", "/var/cache" };
/* The loader's own files: it looks them up whatever it loads. */
static const char *const ld_loader_files[] = { "/etc/ld.so.cache", "/etc/ld.so.preload" };

#define LD_N(a) (sizeof(a) / sizeof((a)[0]))

/* Whether path is dir or beneath it. */
static bool ld_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

const char *learn_data_refused(const char *dir, char *why, size_t len)
{
	char canon[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < LD_N(ld_never_beneath); i++)
		if (ld_within(dir, ld_never_beneath[i]))
			return snprintf(why, len, "%s is never data", ld_never_beneath[i]), why;
	for (size_t i = 0; i < LD_N(ld_never_whole); i++)
		if (!strcmp(dir, ld_never_whole[i]))
			return snprintf(why, len, "%s whole is never data", dir), why;
	for (size_t i = 0; i < LD_N(ld_secrets); i++)
		if (ld_within(dir, ld_secrets[i]) || ld_within(ld_secrets[i], dir))
			return snprintf(why, len, "holds or is a secret place (%s)", ld_secrets[i]), why;
	if (!realpath(dir, canon) || strcmp(canon, dir))
		return snprintf(why, len, "not canonical (through a symlink: %.80s)", canon), why;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return snprintf(why, len, "not a directory"), why;
	if (access(dir, R_OK | X_OK) < 0)
		return snprintf(why, len, "the invoking user cannot read it"), why;
	return NULL;
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
static size_t ld_collapse(struct learn_dir *c, size_t n)
{
	char common[LEARNED_PATH_MAX], why[LEARN_WHY_MAX];
	bool changed = true;

	while (changed) {
		changed = false;
		qsort(c, n, sizeof(*c), ld_cmp);
		for (size_t i = 0; i + 1 < n; i++) {
			ld_common(c[i].path, c[i + 1].path, common, sizeof(common));
			if (strcmp(common, c[i].path) &&
			    (ld_wide(common) || learn_data_refused(common, why, sizeof(why))))
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

int learn_data_propose(const struct learned *l, const char *const *served, size_t nserved,
		       struct learn_data *d)
{
	struct learn_dir *c = calloc(l->npaths + 1, sizeof(*c));
	char why[LEARN_WHY_MAX];
	size_t nc = 0;

	memset(d, 0, sizeof(*d));
	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < l->npaths; i++) {
		const struct learned_path *p = &l->paths[i];
		struct stat st;

		if (ld_served(p->path, served, nserved))
			d->served += p->count;
		else if (lstat(p->path, &st) < 0)
			d->missing += p->count;
		else
			ld_candidate(c, &nc, p);
	}
	/* Refused before collapsing, so that a refused directory is named as
	 * the sample asked for it, and never widened into. */
	for (size_t i = 0; i < nc;) {
		if (learn_data_refused(c[i].path, why, sizeof(why)) || ld_wide(c[i].path)) {
			ld_skip(d, c[i].path, ld_wide(c[i].path) ? "too wide a system directory" : why, c[i].lookups);
			c[i] = c[--nc];
		} else {
			i++;
		}
	}
	nc = ld_collapse(c, nc);
	for (size_t i = 0; i < nc; i++) {
		if (d->ndirs >= LEARN_DATA_MAX)
			d->dirs_more++;
		else
			d->dirs[d->ndirs++] = c[i];
	}
	free(c);
	return 0;
}
