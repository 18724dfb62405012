/* See elf_trust.h. Runs in the supervisor with the caller's privileges
 * (possibly root), on names from a hostile plugin's DT_RUNPATH/DT_RPATH:
 * every entry is judged by the real path it resolves to (symlinks and ..
 * followed), never by its spelling. */
#include "elf_trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int trust_add(struct elf_trust *t, const char *dir, char *err, size_t errlen)
{
	char real[PATH_MAX];

	if (t->n == ELF_TRUST_MAX || !realpath(dir, real))
		return 0; /* a directory that does not exist holds nothing */
	if (!(t->dirs[t->n] = strdup(real))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->n++;
	return 0;
}

int elf_trust_init(struct elf_trust *t, const char *const *libpath, const char *const *others, size_t nothers,
		   const char *plugin_real, char *err, size_t errlen)
{
	char real[PATH_MAX];
	char *slash;

	memset(t, 0, sizeof(*t));
	/* The profile's directories must exist: a typo is an error, not a
	 * silent miss. */
	for (size_t i = 0; libpath && libpath[i]; i++) {
		if (!realpath(libpath[i], real)) {
			snprintf(err, errlen, "[plugin] library_path '%s': %s", libpath[i], strerror(errno));
			return -1;
		}
		if (trust_add(t, libpath[i], err, errlen) < 0)
			return -1;
	}
	if (elf_trust_add_dirs(t, others, nothers, err, errlen) < 0)
		return -1;
	if (plugin_real) {
		snprintf(t->plugin_dir, sizeof(t->plugin_dir), "%s", plugin_real);
		slash = strrchr(t->plugin_dir, '/');
		if (slash)
			*slash = '\0';
		if (!t->plugin_dir[0])
			strcpy(t->plugin_dir, "/");
	}
	return 0;
}

int elf_trust_add_dirs(struct elf_trust *t, const char *const *others, size_t nothers, char *err, size_t errlen)
{
	for (size_t i = 0; i < nothers; i++)
		if (trust_add(t, others[i], err, errlen) < 0)
			return -1;
	return 0;
}

void elf_trust_free(struct elf_trust *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->dirs[i]);
	t->n = 0;
}

bool elf_trust_inside(const char *real, const char *dir)
{
	size_t n = strlen(dir);

	return n && !strncmp(real, dir, n) && (real[n] == '\0' || real[n] == '/' || (n == 1 && dir[0] == '/'));
}

static bool trust_listed(const struct elf_trust *t, const char *real)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(real, t->dirs[i]))
			return true;
	return false;
}

bool elf_trust_checked(const struct elf_trust *t, const char *objpath)
{
	return t->plugin_dir[0] && elf_trust_inside(objpath, t->plugin_dir);
}

size_t elf_trust_expand(const char *s, size_t n, const char *origin, char dir[PATH_MAX])
{
	int k;

	if (!strncmp(s, "$ORIGIN", 7) && (n == 7 || s[7] == '/'))
		k = snprintf(dir, PATH_MAX, "%s%.*s", origin, (int)(n - 7), s + 7);
	else if (!strncmp(s, "${ORIGIN}", 9) && (n == 9 || s[9] == '/'))
		k = snprintf(dir, PATH_MAX, "%s%.*s", origin, (int)(n - 9), s + 9);
	else
		k = snprintf(dir, PATH_MAX, "%.*s", (int)n, s);
	return k > 0 && k < PATH_MAX && dir[0] == '/' ? (size_t)k : 0;
}

bool elf_trust_entry(const struct elf_trust *t, const char *dir, char real[PATH_MAX])
{
	return realpath(dir, real) && (trust_listed(t, real) || elf_trust_inside(real, t->plugin_dir));
}

/* An entry that does not exist is let through here: nothing can be
 * found there, and the search (elf_trust_entry) skips it even if it
 * appears meanwhile. */
int elf_trust_check_runpath(const struct elf_trust *t, const char *objpath, const struct elf_info *obj,
			    const char *origin, char *err, size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX];

	for (const char *s = obj->runpath; *s;) {
		size_t n = strcspn(s, ":");

		if (elf_trust_expand(s, n, origin, dir) && realpath(dir, real) && !elf_trust_entry(t, dir, real)) {
			snprintf(err, errlen,
				 "%s: %s entry '%.*s' is not a system library directory, a [plugin] library_path of "
				 "the profile or inside the plugin's directory; refused",
				 objpath, obj->rpath ? "DT_RPATH" : "DT_RUNPATH", (int)n, s);
			return -1;
		}
		s += n + (s[n] == ':');
	}
	return 0;
}

int elf_trust_canonical(const struct elf_trust *t, const char *name, const char *objpath, char path[PATH_MAX],
			char *err, size_t errlen)
{
	char real[PATH_MAX], dir[PATH_MAX], found[PATH_MAX];

	if (!realpath(path, real)) {
		snprintf(err, errlen, "%s (needed by %s): %s: %s", name, objpath, path, strerror(errno));
		return -1;
	}
	snprintf(found, sizeof(found), "%s", path);
	*strrchr(found, '/') = '\0';
	if (t->plugin_dir[0] && realpath(found[0] ? found : "/", dir) && elf_trust_inside(dir, t->plugin_dir) &&
	    !trust_listed(t, dir) && !elf_trust_inside(real, t->plugin_dir)) {
		snprintf(dir, sizeof(dir), "%s", real);
		*strrchr(dir, '/') = '\0';
		if (!trust_listed(t, dir)) {
			snprintf(err, errlen, "%s (needed by %s): %s leads out of the plugin's directory to %s; refused",
				 name, objpath, path, real);
			return -1;
		}
	}
	snprintf(path, PATH_MAX, "%s", real);
	return 0;
}
