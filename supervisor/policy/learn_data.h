/* From the paths a learning run looked up to the `[filesystem] data`
 * directories `caisson profile learn` proposes: only directories that
 * exist on the host, by their canonical path, that pass the profile
 * lint's data rules (lint_data.h), and that hold or are what the sample
 * looked up; several under
 * one common directory collapse into it unless it is a wide system
 * directory (docs/learn.md says which). Everything not proposed is kept
 * with its reason, for the written profile's comments. Runs in the
 * supervisor as the invoking user; reads the host's filesystem (stat,
 * and the lint's realpath and access), never a file's contents. */
#ifndef CAISSON_LEARN_DATA_H
#define CAISSON_LEARN_DATA_H

#include <stdbool.h>
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

/* What became of each path looked up (learned.h's order). */
enum learn_fate { LEARN_CANDIDATE, LEARN_SERVED, LEARN_MISSING };

struct learn_data {
	struct learn_dir dirs[LEARN_DATA_MAX];
	size_t ndirs, dirs_more; /* dirs_more: proposals past LEARN_DATA_MAX, not written */
	struct learn_skip skips[LEARN_SKIP_MAX];
	size_t nskips, skips_more;
	uint64_t missing;  /* lookups of paths that do not exist on the host either */
	uint64_t served;   /* lookups of the files served as descriptors (and the loader's own) */
	uint8_t fate[LEARNED_PATHS]; /* enum learn_fate of each learned path */
};

/* Fills d from l for a profile made from base. served: the absolute paths
 * the supervisor serves to the loader (the plugin or tool, its libraries,
 * the interpreter), which are never proposed, nor a directory that holds
 * one. Each proposal passes the profile lint's data rules (lint_data.h)
 * beside base's binds and data. 0, or -1 (ENOMEM). */
int learn_data_propose(const struct learned *l, const struct profile *base, const char *const *served,
		       size_t nserved, struct learn_data *d);
/* Whether the two proposals name the same directories. */
bool learn_data_same(const struct learn_data *a, const struct learn_data *b);

#endif
