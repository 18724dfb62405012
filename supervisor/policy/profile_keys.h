/* Internal to profile parsing: the one table that drives every profile
 * key (profile_keys.c), read by the loader (profile_load.c). Runs in the
 * supervisor. */
#ifndef CAISSON_PROFILE_KEYS_H
#define CAISSON_PROFILE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile_parse.h"

struct profile_key {
	const char *section, *name;
	bool repeat;        /* repeatable: values accumulate */
	profile_setter set; /* returns 1, or 0 after profile_fail() */
	size_t arg;         /* limits offset, namespace index, or syscall set (enum profile_target) */
	uint64_t min, max;  /* range, in the stored unit */
	const char *range;  /* the same range as a profile writes it */
};

#define PROFILE_KEYS_MAX 48u /* bound for per-key state (profile_parse.seen) */

extern const struct profile_key profile_keys[];
extern const size_t profile_nkeys;

/* profile_args.c: "allow = name(...)", an argument rule (argrules.h);
 * returns 1, or 0 after profile_fail(). */
int profile_args_add(struct profile_parse *ps, const struct profile_key *k, const char *tok);

#endif
