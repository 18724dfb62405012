/* The profile `caisson profile learn` writes: the base profile's text
 * unchanged, then what the sample needed beyond it, every line with a
 * comment saying which calls it allows and how often the sample made
 * them: syscalls (through a group where one fits, LEARN_GROUP_RULE),
 * the proposed data directories, and for every dangerous syscall an
 * [exception] stub the profile parser refuses until a person fills it
 * in. It never writes an approval. Runs in the supervisor; writes only
 * to the stream it is given. */
#ifndef CAISSON_LEARN_WRITE_H
#define CAISSON_LEARN_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "learn_data.h"
#include "learned.h"
#include "profile.h"

/* A group replaces the syscalls it holds when it has no dangerous member
 * (nor is @loader), at least two of its members outside the base's run
 * set were used after READY, and it adds no more unused members than
 * that (docs/learn.md). */
#define LEARN_GROUP_MIN_USED 2u
#define LEARN_LIST_MAX 64u /* paths looked up listed one by one */

struct learn_out {
	const char *base_file;           /* as given, for the header */
	const char *base_text;           /* the base's bytes, copied first */
	size_t base_len;
	const struct profile *base;      /* parsed: its run and init sets */
	const char *what;                /* "plugin /x/y.so" (the header) */
	const char *today;               /* YYYY-MM-DD */
	const struct learned *rec;
	const struct learn_data *data;
	bool stable; /* the data proposals stopped changing before the last run */
};

/* The counts the writer found, for the command's summary. */
struct learn_summary {
	unsigned syscalls, groups, stubs, dirs, ruled;
};

/* Writes the profile to f; 0, or -1 with errno when a write fails. */
int learn_write(FILE *f, const struct learn_out *o, struct learn_summary *sum);

#endif
