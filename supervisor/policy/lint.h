/* The profile lint: refuses a parsed profile that is weaker than the
 * baseline unless an [exception] covers each weakening. Refused: a dangerous
 * syscall from sysgroups.h in allow or init_allow that no exception names
 * (by itself or through an @group holding it); an exception that covers
 * nothing (stale); an exception whose expiry day is before today; a
 * namespace turned off (this version cannot honour that, exception or not).
 * Pure; runs in the supervisor. today: days since 1970-01-01 (UTC).
 * Returns 0, or -1 with "FILE:LINE: message" for the earliest finding. */
#ifndef CAISSON_LINT_H
#define CAISSON_LINT_H

#include <stddef.h>
#include <stdint.h>

struct profile;

int lint_profile(const struct profile *p, const char *file, int32_t today, char *err, size_t errlen);

#endif
