/* The profile lint: refuses a parsed profile that is weaker than the
 * baseline (a dangerous syscall from sysgroups.h in allow or init_allow, a
 * namespace turned off). This version has no [exception] support, so every
 * finding refuses the profile. Pure; runs in the supervisor.
 * Returns 0, or -1 with "FILE:LINE: message" for the earliest finding. */
#ifndef CAISSON_LINT_H
#define CAISSON_LINT_H

#include <stddef.h>

struct profile;

int lint_profile(const struct profile *p, const char *file, char *err, size_t errlen);

#endif
