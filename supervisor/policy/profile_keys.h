/* Internal to profile parsing (profile.c, profile_keys.c): the parse state
 * and the one table that drives every profile key. Runs in the supervisor. */
#ifndef CAISSON_PROFILE_KEYS_H
#define CAISSON_PROFILE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct profile_key;

struct profile_parse {
	const char *file;
	struct profile *p; /* staging copy, accepted only at the very end */
	const char *data;
	size_t len, pos;
	uint32_t line;     /* line last handed to inih */
	uint32_t *seen;    /* per key: line of a scalar's first setting */
	bool init;         /* syscall list target: init (true) or run set */
	const char *via;   /* group being expanded, for origins */
	bool exc_open;     /* keys of [exception] go to the last exception */
	uint32_t err_line; /* first error; 0 while none */
	char *err;
	size_t errlen;
};

typedef int (*profile_setter)(struct profile_parse *ps, const struct profile_key *k, const char *v);

struct profile_key {
	const char *section, *name;
	bool repeat;        /* repeatable: values accumulate */
	profile_setter set; /* returns 1, or 0 after profile_fail() */
	size_t arg;         /* limits offset, namespace index, or 1 for the init set */
	uint64_t min, max;  /* range, in the stored unit */
	const char *range;  /* the same range as a profile writes it */
};

#define PROFILE_KEYS_MAX 48u /* bound for per-key state (profile_parse.seen) */

extern const struct profile_key profile_keys[];
extern const size_t profile_nkeys;

/* Records the first error as "FILE:LINE: message" at ps->line; returns 0
 * (inih's "error" from a handler). */
int profile_fail(struct profile_parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Profile defaults for every limit and namespace. */
void profile_defaults(struct profile *p);

/* [exception] (profile_exc.c): setters for the table, and the section
 * boundaries. profile_exc_section() runs on every section header (name,
 * len: what the brackets hold): it closes the open exception, refusing it
 * at its header line if a key is missing, and opens a new one for
 * [exception]. profile_exc_end() closes the last one at end of file. */
int profile_exc_allow(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_reason(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_approver(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_expires(struct profile_parse *ps, const struct profile_key *k, const char *v);
void profile_exc_section(struct profile_parse *ps, const char *name, size_t len);
void profile_exc_end(struct profile_parse *ps);

/* profile_args.c: "allow = name(...)", an argument rule (argrules.h);
 * returns 1, or 0 after profile_fail(). */
int profile_args_add(struct profile_parse *ps, const struct profile_key *k, const char *tok);

#endif
