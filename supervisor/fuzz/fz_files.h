/* The files of caisson fuzz: corpus directories (read in name order, new
 * inputs written as <dir>/<sha1>), and findings written as
 * <prefix><kind>-<sha1> with a sidecar <prefix><kind>-<sha1>.txt (status,
 * detail, sanitizer verdict, stack hash and stack, the worker's log tail),
 * fsync'd before they are reported; at the end of a run each sidecar gets
 * a "seen: N times" line (duplicates folded into it). Runs
 * in the supervisor as the invoking user; -1 with a message in err. */
#ifndef CAISSON_FZ_FILES_H
#define CAISSON_FZ_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fz_stack.h"

#define FZ_PATH_MAX 4096

/* Calls fn for each regular file of dir, in name order, with its first
 * max_len bytes at most. */
int fz_files_load_dir(const char *dir, size_t max_len, void (*fn)(void *arg, const uint8_t *data, size_t len),
		      void *arg, char *err, size_t errlen);
/* dir/<sha1 of data>, unless it is there already. */
int fz_files_save_input(const char *dir, const uint8_t *data, size_t len, char *err, size_t errlen);

struct fz_finding {
	const char *kind;   /* crash, timeout, oom, violation */
	const char *status; /* the worker's status name, e.g. CRASHED */
	const char *detail;
	const char *log;    /* the worker's log tail, NULL if none */
	size_t log_len;
	const struct fz_stack *stack; /* NULL if none */
	bool symbolized;    /* the stack's frames were named by fz_symbolize */
};

/* Reads one file whole into *data (malloc'd); -1 with err when it cannot,
 * or when it is longer than max_len. */
int fz_files_read(const char *path, size_t max_len, uint8_t **data, size_t *len, char *err, size_t errlen);
/* <prefix>minimized-from-<sha1 of orig>, holding data; path receives it. */
int fz_files_save_minimized(const char *prefix, const uint8_t *orig, size_t olen, const uint8_t *data, size_t len,
			    char path[FZ_PATH_MAX], char *err, size_t errlen);

/* Writes the artifact and its sidecar; path receives the artifact's path. */
int fz_files_save_finding(const char *prefix, const struct fz_finding *f, const uint8_t *data, size_t len,
			  char path[FZ_PATH_MAX], char *err, size_t errlen);
/* Appends "seen: N times in this run" to the artifact's sidecar. */
int fz_files_note_seen(const char *artifact, uint64_t count);

#endif
