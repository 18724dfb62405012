/* What `caisson profile learn` saw a sample do, as data: the calls the
 * base profile's filter refused (by phase, counted), those its argument
 * rules refused (no profile can allow them), and the paths the sample
 * looked up, each kept once, all bounded. Filled by the recorder in the
 * supervisor (broker/learn.c), read by the proposer and the writer
 * (learn_data.c, learn_write.c). Pure; runs in the supervisor. */
#ifndef CAISSON_LEARNED_H
#define CAISSON_LEARNED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define LEARNED_PATHS 4096u   /* distinct paths kept; further ones are counted only */
#define LEARNED_PATH_MAX 1024u /* bytes of one path, NUL included (WK_PATH_MAX) */
#define LEARNED_EXAMPLE_MAX 160u /* one refused call as sysfmt writes it */

enum learned_phase { LEARNED_INIT = 1, LEARNED_RUN = 2 };

/* A syscall that looks a path up, and which arguments say where: the
 * directory descriptor (-1: none, the path is absolute or relative to
 * the working directory), the path, or a directory descriptor read
 * whole (getdents). */
struct learned_lookup {
	int nr;
	int8_t dirfd_arg, path_arg, fd_arg;
};

struct learned_path {
	char *path;     /* as the sample named it, made absolute */
	uint64_t count; /* lookups of it */
	int nr;         /* the first syscall that looked it up */
	uint8_t phases; /* enum learned_phase bits */
};

struct learned {
	uint64_t run[PROFILE_MAX_NR];  /* after READY, outside the base's run set */
	uint64_t init[PROFILE_MAX_NR]; /* while loading, outside its init and run sets */
	/* In the base's run set, refused by an argument rule (the profile's or
	 * sysgroups'): nothing can allow them; example: the first one. */
	uint64_t ruled[PROFILE_MAX_NR];
	char *ruled_example[PROFILE_MAX_NR];
	uint64_t beyond;     /* calls to numbers >= PROFILE_MAX_NR (continued: ENOSYS) */
	uint64_t lookups;    /* path lookups seen */
	uint64_t unreadable; /* of which the path could not be read from the worker */
	uint64_t dropped;    /* of which the path was new past LEARNED_PATHS */
	struct learned_path *paths; /* npaths, in the order first seen */
	size_t npaths;
	uint16_t *slots; /* hash of paths: index + 1, 0 empty */
	uint32_t runs;   /* runs of the sample recorded */
};

/* The lookup syscalls (open, stat, access, readlink families, getdents):
 * the entry for native nr, or NULL. */
const struct learned_lookup *learned_lookup_find(int nr);
/* The whole table, for the learning filter (policy.c) and tests. */
const struct learned_lookup *learned_lookups(size_t *n);

/* 0, or -1 (ENOMEM). */
int learned_init(struct learned *l);
void learned_free(struct learned *l);
/* Counts a lookup of path (absolute, NUL-terminated, < LEARNED_PATH_MAX)
 * by syscall nr in phase; a new path past LEARNED_PATHS is counted in
 * dropped. 0, or -1 (ENOMEM: counted in dropped too). */
int learned_add_path(struct learned *l, const char *path, int nr, enum learned_phase phase);
/* Keeps text as nr's example of a call an argument rule refused. */
void learned_add_ruled(struct learned *l, int nr, const char *text);

#endif
