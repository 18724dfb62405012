/* From the paths a learning run looked up to the `[filesystem] data`
 * directories `caisson profile learn` proposes: only directories that
 * exist on the host, by their canonical path, that pass the data-path
 * rules, and that hold or are what the sample looked up; several under
 * one common directory collapse into it unless it is a wide system
 * directory (docs/learn.md says which). Everything not proposed is kept
 * with its reason, for the written profile's comments. Runs in the
 * supervisor as the invoking user; reads the host's filesystem (lstat,
 * realpath, access), never a file's contents. */
#ifndef CAISSON_LEARN_DATA_H
#define CAISSON_LEARN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "learned.h"

#define LEARN_DATA_MAX 32u /* directories proposed (WK_MAX_BINDS) */
#define LEARN_SKIP_MAX 32u /* refused directories kept with a reason */
#define LEARN_WHY_MAX 120u

struct learn_dir {
	char path[LEARNED_PATH_MAX];
	uint64_t lookups; /* lookups at or beneath it */
	uint32_t paths;   /* distinct paths looked up at or beneath it */
};

struct learn_skip {
	char path[LEARNED_PATH_MAX];
	char why[LEARN_WHY_MAX];
	uint64_t lookups;
};

struct learn_data {
	struct learn_dir dirs[LEARN_DATA_MAX];
	size_t ndirs, dirs_more; /* dirs_more: proposals past LEARN_DATA_MAX, not written */
	struct learn_skip skips[LEARN_SKIP_MAX];
	size_t nskips, skips_more;
	uint64_t missing;  /* lookups of paths that do not exist on the host either */
	uint64_t served;   /* lookups of the files served as descriptors (and the loader's own) */
};

/* Fills d from l. served: the absolute paths the supervisor serves to the
 * loader (the plugin or tool, its libraries, the interpreter), which are
 * never proposed, nor a directory that holds one. 0, or -1 (ENOMEM). */
int learn_data_propose(const struct learned *l, const char *const *served, size_t nserved,
		       struct learn_data *d);
/* Whether dir may be a data mount: NULL, or why not. The rules EXEC.md
 * fixes for `[filesystem] data`, until the profile's own lint has them. */
const char *learn_data_refused(const char *dir, char *why, size_t len);

#endif
