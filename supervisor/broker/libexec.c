/* Helper lookup; see libexec.h. Runs in the supervisor (the caisson
 * program, or a service through libcaisson), as the invoking user. */
#include "libexec.h"

#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if !defined(CAISSON_LIBEXECDIR) || !defined(CAISSON_BIN_TO_LIBEXEC) || !defined(CAISSON_LIB_TO_LIBEXEC)
#error "CAISSON_LIBEXECDIR, CAISSON_BIN_TO_LIBEXEC and CAISSON_LIB_TO_LIBEXEC must be defined by the build"
#endif

#define LIBEXEC_PLACES 4

/* The directory this code was loaded from, into dir: libcaisson's when it
 * is in a shared object, else the running program's. *rel is the path from
 * there to the installed libexec directory. -1 when neither is known. */
static int libexec_origin(char *dir, size_t len, const char **rel)
{
	Dl_info di;
	struct link_map *lm = NULL;
	char path[PATH_MAX];
	char *slash;

	if (dladdr1((void *)libexec_origin, &di, (void **)&lm, RTLD_DL_LINKMAP) && lm && lm->l_name &&
	    lm->l_name[0]) {
		/* l_name is empty for the main program: we are in libcaisson.so. */
		if (!realpath(lm->l_name, path))
			return -1;
		*rel = CAISSON_LIB_TO_LIBEXEC;
	} else {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		if (n <= 0)
			return -1;
		path[n] = '\0';
		*rel = CAISSON_BIN_TO_LIBEXEC;
	}
	slash = strrchr(path, '/');
	if (!slash || (size_t)snprintf(dir, len, "%.*s", (int)(slash - path), path) >= len)
		return -1;
	return 0;
}

struct libexec_places {
	char dir[LIBEXEC_PLACES][PATH_MAX];     /* where to look, in order */
	char label[LIBEXEC_PLACES][PATH_MAX + 32]; /* how the error names each */
	int ndirs, nlabels;
};

/* A place to look (dir, unless NULL or too long to be one) and its label. */
static void libexec_add(struct libexec_places *p, const char *dir, const char *label)
{
	size_t n = dir ? strlen(dir) : PATH_MAX;

	if (n < PATH_MAX)
		memcpy(p->dir[p->ndirs++], dir, n + 1);
	snprintf(p->label[p->nlabels++], sizeof(p->label[0]), "%s", label);
}

/* Every place, in the order of libexec.h. */
static void libexec_places(struct libexec_places *p)
{
	/* The caller chooses which zygote runs, and it runs as the caller: an
	 * override from the caller's environment grants nothing the caller
	 * could not do already. secure_getenv ignores it in a setuid, setgid
	 * or file-capability process (AT_SECURE), where that would not hold. */
	const char *env = secure_getenv("CAISSON_LIBEXECDIR");
	char origin[PATH_MAX], buf[PATH_MAX + 32];
	const char *rel;

	p->ndirs = p->nlabels = 0;
	if (libexec_origin(origin, sizeof(origin), &rel) == 0) {
		snprintf(buf, sizeof(buf), "%s/%s", origin, rel);
		libexec_add(p, buf, buf);
		libexec_add(p, origin, origin);
	}
	if (env && *env) {
		snprintf(buf, sizeof(buf), "$CAISSON_LIBEXECDIR=%s", env);
		libexec_add(p, env, buf);
	} else {
		libexec_add(p, NULL, "$CAISSON_LIBEXECDIR (not set)");
	}
	libexec_add(p, CAISSON_LIBEXECDIR, CAISSON_LIBEXECDIR);
}

int libexec_find(const char *name, int mode, char *out, size_t len, char *err, size_t errlen)
{
	struct libexec_places p;
	size_t used;

	libexec_places(&p);
	for (int i = 0; i < p.ndirs; i++)
		if ((size_t)snprintf(out, len, "%s/%s", p.dir[i], name) < len && access(out, mode) == 0)
			return 0;
	used = (size_t)snprintf(err, errlen, "%s not found in ", name);
	for (int i = 0; i < p.nlabels && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s",
					 i == 0 ? "" : i == p.nlabels - 1 ? " or " : ", ", p.label[i]);
	return -1;
}
