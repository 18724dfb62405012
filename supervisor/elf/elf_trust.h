/* Which directories a plugin's libraries may come from: the operator's
 * choice, never the plugin's. Private to elf/ (elf_resolve.c uses it).
 * Trusted: the profile's [plugin] library_path, ld.so.conf's directories
 * and the loader's defaults, each by its real path; and, for what the
 * plugin's own RUNPATH names, any directory inside the plugin's own.
 * Runs in the supervisor; reads the filesystem (realpath), never opens a
 * file. Errors: -1 with a one-line message in err. */
#ifndef CAISSON_ELF_TRUST_H
#define CAISSON_ELF_TRUST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "elfinfo.h"

#define ELF_TRUST_MAX 64

struct elf_trust {
	char *dirs[ELF_TRUST_MAX]; /* real paths, strdup'ed */
	size_t n;
	char plugin_dir[PATH_MAX]; /* real; "" when resolving a trusted binary */
};

/* Fills t from libpath (NULL-terminated or NULL; each must exist), then
 * the nothers directories in others (those that exist), and plugin_dir
 * from the plugin's real path (NULL: none, nothing is checked). */
int elf_trust_init(struct elf_trust *t, const char *const *libpath, const char *const *others, size_t nothers,
		   const char *plugin_real, char *err, size_t errlen);
/* Adds the nothers directories in others that exist (the system's, added
 * by the resolver only when a search or a RUNPATH check needs them). */
int elf_trust_add_dirs(struct elf_trust *t, const char *const *others, size_t nothers, char *err, size_t errlen);
void elf_trust_free(struct elf_trust *t);
/* Whether real (a real path) is dir or inside it. */
bool elf_trust_inside(const char *real, const char *dir);
/* Whether objpath's RUNPATH entries must be checked: it is the plugin, or
 * lies inside the plugin's directory. */
bool elf_trust_checked(const struct elf_trust *t, const char *objpath);
/* One RUNPATH entry (s, n bytes) expanded into dir, $ORIGIN as origin; its
 * length, or 0 when empty, relative or too long (ld.so ignores those). */
size_t elf_trust_expand(const char *s, size_t n, const char *origin, char dir[PATH_MAX]);
/* The real path of an expanded entry of a checked object into real, when
 * it exists and is trusted or inside the plugin's directory; else false. */
bool elf_trust_entry(const struct elf_trust *t, const char *dir, char real[PATH_MAX]);
/* Refuses a checked object whose RUNPATH names an existing directory
 * outside what t allows, naming the entry. */
int elf_trust_check_runpath(const struct elf_trust *t, const char *objpath, const struct elf_info *obj,
			    const char *origin, char *err, size_t errlen);
/* path (found as dir/name) by its real path, in place; one found in a
 * directory inside the plugin's must not lead out of it, except into a
 * trusted directory. */
int elf_trust_canonical(const struct elf_trust *t, const char *name, const char *objpath, char path[PATH_MAX],
			char *err, size_t errlen);

#endif
