/* Shared-library resolution for plugins; see elfinfo.h. Runs in the supervisor
 * with the caller's privileges (possibly root): the plugin is hostile, so
 * where its libraries come from is the operator's choice, never the bytes
 * of its DT_RUNPATH. Searches like the glibc loader, minus the caller's
 * environment: the profile's library_path, the object's DT_RUNPATH (or
 * DT_RPATH) with $ORIGIN where allowed, the directories of /etc/ld.so.conf
 * (and its includes), then the default multiarch and system directories.
 * Files are mapped read-only and parsed by elf_parse(); nothing is
 * executed. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_trust.h"
#include "elfinfo.h"

#define RES_MAX_DIRS 64
#define RES_MAX_CONF 64

static const char *const res_default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

struct res {
	const char *const *skip;
	const char *const *libpath;   /* the profile's library_path, first */
	char *conf_dirs[RES_MAX_DIRS];
	size_t nconf;
	bool system_read; /* conf_dirs read and the system's directories in trust (res_system_dirs) */
	struct elf_trust trust; /* what a checked RUNPATH may name (elf_trust.h) */
	struct elf_deps *out;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int res_fail(struct res *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Maps path and parses it. 1 on success, 0 when it is not a usable ELF
 * object (the search goes on, as ld.so does), -1 with errno otherwise. */
static int res_load(const char *path, struct elf_info *info, char *perr, size_t perrlen)
{
	struct stat st;
	void *map;
	int fd, rc;

	/* No more right than the invoking user's: the real uid and gids
	 * must be able to read it (a set-id or capability-holding supervisor
	 * must not read for the plugin what its user cannot). */
	if (faccessat(AT_FDCWD, path, R_OK, 0) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ELF_FILE_MAX) {
		close(fd);
		snprintf(perr, perrlen, "%s", "not a regular file of at most 512 MiB");
		return 0;
	}
	map = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(perr, perrlen, "%s", st.st_size ? strerror(errno) : "not an ELF file");
		return 0;
	}
	rc = elf_parse(map, (size_t)st.st_size, info, perr, perrlen) == 0 ? 1 : 0;
	munmap(map, (size_t)st.st_size);
	return rc;
}

static void res_conf_file(struct res *r, const char *file, int depth)
{
	char line[PATH_MAX];
	FILE *f = fopen(file, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "#\n")] = '\0';
		for (size_t n = strlen(s); n && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
			s[n - 1] = '\0';
		if (!strncmp(s, "include", 7) && (s[7] == ' ' || s[7] == '\t') && depth < 2) {
			glob_t g;
			if (glob(s + 8 + strspn(s + 8, " \t"), 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc && i < RES_MAX_CONF; i++)
					res_conf_file(r, g.gl_pathv[i], depth + 1);
				globfree(&g);
			}
		} else if (s[0] == '/' && r->nconf < RES_MAX_DIRS) {
			r->conf_dirs[r->nconf] = strdup(s);
			if (r->conf_dirs[r->nconf])
				r->nconf++;
		}
	}
	fclose(f);
}

/* The system's directories (ld.so.conf's, then the defaults), read and
 * canonicalised into the trusted set the first time a search or a
 * RUNPATH check needs them: a plugin whose every need the worker image
 * already has (echo.so: libc) needs neither (~0.1 ms a run). */
static int res_system_dirs(struct res *r)
{
	const char *others[RES_MAX_DIRS + sizeof(res_default_dirs) / sizeof(res_default_dirs[0])];
	size_t nd = sizeof(res_default_dirs) / sizeof(res_default_dirs[0]);

	if (r->system_read)
		return 0;
	r->system_read = true;
	res_conf_file(r, "/etc/ld.so.conf", 0);
	for (size_t i = 0; i < r->nconf + nd; i++)
		others[i] = i < r->nconf ? r->conf_dirs[i] : res_default_dirs[i - r->nconf];
	return elf_trust_add_dirs(&r->trust, others, r->nconf + nd, r->err, r->errlen);
}

static bool res_skipped(const struct res *r, const char *name)
{
	for (size_t i = 0; r->skip && r->skip[i]; i++)
		if (!strcmp(r->skip[i], name))
			return true;
	for (size_t i = 0; i < r->out->n; i++)
		if (!strcmp(r->out->sonames[i], name))
			return true;
	return false;
}

static int res_append(struct res *r, const char *path, const char *name)
{
	struct elf_deps *d = r->out;
	char **p = realloc(d->paths, (d->n + 1) * sizeof(*p));
	char **s;

	if (!p)
		return res_fail(r, "out of memory");
	d->paths = p;
	s = realloc(d->sonames, (d->n + 2) * sizeof(*s));
	if (!s)
		return res_fail(r, "out of memory");
	d->sonames = s;
	d->paths[d->n] = strdup(path);
	d->sonames[d->n] = strdup(name);
	d->sonames[d->n + 1] = NULL;
	if (!d->paths[d->n] || !d->sonames[d->n]) {
		free(d->paths[d->n]);
		free(d->sonames[d->n]);
		d->sonames[d->n] = NULL;
		return res_fail(r, "out of memory");
	}
	d->n++;
	return 0;
}

/* Tries dir/name: 1 with info and path filled on a usable ELF, 0 to go
 * on searching, -1 (r->err set) when the invoking user may not read it. */
static int res_try(struct res *r, const char *dir, size_t dirlen, const char *name, char *path,
		   struct elf_info *info)
{
	char perr[128];
	int rc;

	if (dirlen == 0 || (size_t)snprintf(path, PATH_MAX, "%.*s/%s", (int)dirlen, dir, name) >= PATH_MAX)
		return 0;
	rc = res_load(path, info, perr, sizeof(perr));
	if (rc < 0 && errno == EACCES)
		return res_fail(r, "%s: not readable by the invoking user (uid %u): %s", path, (unsigned)getuid(),
				strerror(errno));
	return rc == 1 && info->is_dyn;
}

/* Walks a ':'-separated runpath, expanding $ORIGIN to origin. checked:
 * the object's entries were checked (elf_trust_check_runpath); each is searched
 * by its real path, and only while that is still allowed (one created or
 * replaced since the check is skipped). */
static int res_runpath(struct res *r, const char *runpath, const char *origin, bool checked, const char *name,
		       char *path, struct elf_info *info)
{
	char dir[PATH_MAX], real[PATH_MAX];

	for (const char *s = runpath; *s;) {
		size_t n = strcspn(s, ":"), k = elf_trust_expand(s, n, origin, dir);
		int rc = 0;

		if (k && !checked)
			rc = res_try(r, dir, k, name, path, info);
		else if (k && elf_trust_entry(&r->trust, dir, real))
			rc = res_try(r, real, strlen(real), name, path, info);
		if (rc)
			return rc;
		s += n + (s[n] == ':');
	}
	return 0;
}

static int res_find(struct res *r, const char *name, const char *runpath, const char *origin, bool checked,
		    char *path, struct elf_info *info)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && r->libpath && r->libpath[i]; i++)
		rc = res_try(r, r->libpath[i], strlen(r->libpath[i]), name, path, info);
	if (rc == 0 && runpath[0])
		rc = res_runpath(r, runpath, origin, checked, name, path, info);
	for (size_t i = 0; rc == 0 && i < r->nconf; i++)
		rc = res_try(r, r->conf_dirs[i], strlen(r->conf_dirs[i]), name, path, info);
	for (size_t i = 0; rc == 0 && i < sizeof(res_default_dirs) / sizeof(res_default_dirs[0]); i++)
		rc = res_try(r, res_default_dirs[i], strlen(res_default_dirs[i]), name, path, info);
	return rc;
}

/* Resolves everything obj needs, dependencies first (post-order). */
static int res_walk(struct res *r, const char *objpath, const struct elf_info *obj, int depth)
{
	char origin[PATH_MAX];
	const char *slash = strrchr(objpath, '/');
	bool checked;

	snprintf(origin, sizeof(origin), "%.*s", slash ? (int)(slash - objpath) : 0, objpath);
	/* The plugin's bytes, and those of libraries beside it, choose no
	 * directory: their RUNPATH entries are checked. A library found in
	 * a directory the operator trusts is the system's (or the
	 * operator's), and so is its RUNPATH. */
	checked = elf_trust_checked(&r->trust, objpath);
	if (obj->asan)
		r->out->asan = true;
	if (checked && obj->runpath[0] && res_system_dirs(r) < 0)
		return -1;
	if (checked && elf_trust_check_runpath(&r->trust, objpath, obj, origin, r->err, r->errlen) < 0)
		return -1;
	for (unsigned i = 0; i < obj->nneeded; i++) {
		const char *name = obj->needed[i];
		struct elf_info *info;
		char path[PATH_MAX];
		int rc;

		if (res_skipped(r, name))
			continue;
		if (strchr(name, '/'))
			return res_fail(r, "DT_NEEDED '%s' in %s is a path; only sonames are supported", name, objpath);
		if (r->out->n >= ELF_MAX_LIBS || depth > 32)
			return res_fail(r, "%s: more than %d libraries or nesting deeper than 32", objpath, ELF_MAX_LIBS);
		if (res_system_dirs(r) < 0)
			return -1;
		info = malloc(sizeof(*info));
		if (!info)
			return res_fail(r, "out of memory");
		rc = res_find(r, name, obj->runpath, origin, checked, path, info);
		if (rc <= 0) {
			free(info);
			return rc < 0 ? -1 : res_fail(r, "%s (needed by %s): not found", name, objpath);
		}
		/* Served by its real path, opened with no symlink followed. */
		if (elf_trust_canonical(&r->trust, name, objpath, path, r->err, r->errlen) < 0) {
			free(info);
			return -1;
		}
		/* The ASan runtime is preloaded into the worker image, first of
		 * all (with what it needs), not loaded after the image. */
		if (elf_asan_runtime_name(name)) {
			free(info);
			r->out->asan = true;
			snprintf(r->out->asan_runtime, sizeof(r->out->asan_runtime), "%s", path);
			continue;
		}
		rc = res_walk(r, path, info, depth + 1);
		free(info);
		if (rc < 0 || (!res_skipped(r, name) && res_append(r, path, name) < 0))
			return -1;
	}
	return 0;
}

/* What res_start resolves: a plugin's libraries, the sonames a binary has
 * loaded (its interpreter's included), an executable's libraries (its
 * interpreter's path apart, into interp), or a module's (a shared object
 * a tool dlopens: its libraries, then itself). */
enum res_mode { RES_PLUGIN, RES_SONAMES, RES_EXEC, RES_MODULE };

static int res_start(const char *path, const char *const *skip, const char *const *libpath,
		     struct elf_deps *out, enum res_mode mode, char *interp, char *err, size_t errlen)
{
	bool plugin = mode == RES_PLUGIN;
	struct res r = { .skip = skip, .libpath = libpath, .out = out, .err = err, .errlen = errlen };
	struct elf_info *info = malloc(sizeof(*info));
	char perr[200], real[PATH_MAX];
	int rc = -1, l;

	memset(out, 0, sizeof(*out));
	if (!info) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l = res_load(path, info, perr, sizeof(perr));
	if (l < 0) {
		if (errno == EACCES)
			snprintf(err, errlen, "%s: not readable by the invoking user (uid %u): %s", path,
				 (unsigned)getuid(), strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (l == 0) {
		snprintf(err, errlen, "%s: %s", path, perr);
		goto out;
	}
	if (plugin && (!info->is_dyn || !(info->has_handle || info->has_fuzz_target))) {
		snprintf(err, errlen, "%s: %s", path, !info->is_dyn ? "not a shared object (ELF type EXEC)"
						 : "does not export caisson_plugin_handle (nor LLVMFuzzerTestOneInput)");
		goto out;
	}
	if (mode == RES_MODULE && !info->is_dyn) {
		snprintf(err, errlen, "%s: not a shared object (ELF type EXEC)", path);
		goto out;
	}
	if (mode == RES_EXEC && !info->interp_path[0]) {
		snprintf(err, errlen, "%s: statically linked (no PT_INTERP): caisson exec serves a dynamic "
			 "executable's loader and libraries, nothing else", path);
		goto out;
	}
	if (mode == RES_EXEC)
		snprintf(interp, ELF_NAME_MAX, "%s", info->interp_path);
	/* $ORIGIN is the object's real directory, as the loader sees it. */
	if (!realpath(path, real)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* The profile's directories now (a typo is an error even when
	 * nothing is searched); the system's when first needed. */
	if (elf_trust_init(&r.trust, libpath, NULL, 0, mode != RES_SONAMES ? real : NULL, err, errlen) < 0)
		goto out;
	rc = res_walk(&r, real, info, 0);
	if (rc == 0 && mode == RES_MODULE)
		rc = res_append(&r, real, real);
	if (rc == 0 && mode == RES_SONAMES && info->interp[0] && !res_skipped(&r, info->interp))
		rc = res_append(&r, "", info->interp);
out:
	for (size_t i = 0; i < r.nconf; i++)
		free(r.conf_dirs[i]);
	elf_trust_free(&r.trust);
	free(info);
	if (rc < 0)
		elf_deps_free(out);
	return rc;
}

int elf_resolve_deps(const char *plugin, const char *const *skip, const char *const *libpath,
		     struct elf_deps *out, char *err, size_t errlen)
{
	return res_start(plugin, skip, libpath, out, RES_PLUGIN, NULL, err, errlen);
}

int elf_loaded_sonames(const char *binary, struct elf_deps *out, char *err, size_t errlen)
{
	return res_start(binary, NULL, NULL, out, RES_SONAMES, NULL, err, errlen);
}

/* The interpreter a tool names, by its canonical path: a regular file the
 * invoking user may read (it reaches the worker as a descriptor the zygote
 * opens with no symlink followed). */
static int res_interp(const char *tool, const char *named, char *interp, size_t len, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (named[0] != '/' || !realpath(named, real) || stat(real, &st) < 0) {
		snprintf(err, errlen, "%s: its interpreter %s: %s", tool, named,
			 named[0] != '/' ? "not an absolute path" : strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, real, R_OK, 0) < 0) {
		snprintf(err, errlen, "%s: its interpreter %s: not a regular file the invoking user (uid %u) can read",
			 tool, real, (unsigned)getuid());
		return -1;
	}
	if (strlen(real) >= len) {
		snprintf(err, errlen, "%s: its interpreter's path is too long", tool);
		return -1;
	}
	strcpy(interp, real);
	return 0;
}

int elf_resolve_exec(const char *tool, const char *const *libpath, struct elf_deps *out, char *interp,
		     size_t len, char *err, size_t errlen)
{
	char named[ELF_NAME_MAX];
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(tool, &st) < 0) {
		snprintf(err, errlen, "%s: %s", tool, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_ISUID | S_ISGID))) {
		snprintf(err, errlen, "%s: %s", tool, !S_ISREG(st.st_mode) ? "not a regular file"
			 : "set-user-ID or set-group-ID: refused (its privilege would not apply, and such a program "
			   "expects it)");
		return -1;
	}
	if (faccessat(AT_FDCWD, tool, R_OK | X_OK, 0) < 0) {
		snprintf(err, errlen, "%s: not readable and executable by the invoking user (uid %u): %s", tool,
			 (unsigned)getuid(), strerror(errno));
		return -1;
	}
	if (res_start(tool, NULL, libpath, out, RES_EXEC, named, err, errlen) < 0)
		return -1;
	if (res_interp(tool, named, interp, len, err, errlen) < 0) {
		elf_deps_free(out);
		return -1;
	}
	return 0;
}

int elf_resolve_module(const char *module, const char *const *libpath, struct elf_deps *out, char *err,
		       size_t errlen)
{
	char real[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!realpath(module, real)) {
		snprintf(err, errlen, "%s: %s", module, strerror(errno));
		return -1;
	}
	if (strcmp(real, module) != 0) {
		snprintf(err, errlen, "%s: not a canonical path (it resolves to %.200s): name that file", module, real);
		return -1;
	}
	if (faccessat(AT_FDCWD, real, R_OK, 0) < 0) {
		snprintf(err, errlen, "%s: not readable by the invoking user (uid %u): %s", real, (unsigned)getuid(),
			 strerror(errno));
		return -1;
	}
	return res_start(real, NULL, libpath, out, RES_MODULE, NULL, err, errlen);
}

void elf_deps_free(struct elf_deps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->paths[i]);
		free(d->sonames[i]);
	}
	free(d->paths);
	free(d->sonames);
	memset(d, 0, sizeof(*d));
}
