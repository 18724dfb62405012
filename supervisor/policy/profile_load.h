/* Loading a profile: read, parse (profile_keys.c) and lint (lint.h), into
 * a staging struct accepted only when all of it succeeds. The top of
 * policy/'s profile code: it calls the parser and the lint, and neither
 * calls back. Runs in the supervisor. Errors as profile.h states. */
#ifndef CAISSON_PROFILE_LOAD_H
#define CAISSON_PROFILE_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* Reads and parses FILE: regular files of at most PROFILE_FILE_MAX bytes.
 * profile_load judges expiry against the real clock (profile_today()). */
int profile_load(const char *path, struct profile *out, char *err, size_t errlen);
int profile_load_on(const char *path, int32_t today, struct profile *out, char *err, size_t errlen);
/* Parses len bytes of profile text; name is the FILE used in messages. */
int profile_parse_buffer(const char *name, const char *data, size_t len, struct profile *out,
			 char *err, size_t errlen);
int profile_parse_buffer_on(const char *name, const char *data, size_t len, int32_t today,
			    struct profile *out, char *err, size_t errlen);

#endif
