/* Internal to profile parsing: the state of one parse, shared by the loader
 * (profile_load.c) and the setters (profile_keys.c, profile_exc.c), and its
 * one error path. Runs in the supervisor. */
#ifndef CAISSON_PROFILE_PARSE_H
#define CAISSON_PROFILE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ini_lines.h"
#include "profile.h"

struct profile_key;

struct profile_parse {
	const char *file;
	struct profile *p; /* staging copy, accepted only at the very end */
	struct ini_lines lines; /* the text, handed to inih a whole line at a time */
	uint32_t line;     /* line last handed to inih (or of an error found after) */
	uint32_t *seen;    /* per key: line of a scalar's first setting */
	enum profile_target { PROFILE_TARGET_RUN, PROFILE_TARGET_INIT, PROFILE_TARGET_FAIL } target;
	                   /* which syscall set a list adds to */
	const char *via;   /* group being expanded, for origins */
	bool exc_open;     /* keys of [exception] go to the last exception */
	uint32_t err_line; /* first error; 0 while none */
	char *err;
	size_t errlen;
};

typedef int (*profile_setter)(struct profile_parse *ps, const struct profile_key *k, const char *v);

/* Records the first error as "FILE:LINE: message" at ps->line; returns 0
 * (inih's "error" from a handler). */
int profile_fail(struct profile_parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
