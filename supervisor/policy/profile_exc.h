/* Internal to profile parsing: [exception] sections (profile_exc.c), their
 * setters for the key table and the section boundaries. Runs in the
 * supervisor. */
#ifndef CAISSON_PROFILE_EXC_H
#define CAISSON_PROFILE_EXC_H

#include <stddef.h>

#include "profile_parse.h"

/* profile_exc_section() runs on every section header (name, len: what the
 * brackets hold): it closes the open exception, refusing it at its header
 * line if a key is missing, and opens a new one for [exception].
 * profile_exc_end() closes the last one at end of file. */
int profile_exc_allow(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_reason(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_approver(struct profile_parse *ps, const struct profile_key *k, const char *v);
int profile_exc_expires(struct profile_parse *ps, const struct profile_key *k, const char *v);
/* stub = TEXT: the section is a stub `caisson profile learn` wrote; the
 * profile is refused, naming what a person must fill in, while it stays. */
int profile_exc_stub(struct profile_parse *ps, const struct profile_key *k, const char *v);
void profile_exc_section(struct profile_parse *ps, const char *name, size_t len);
void profile_exc_end(struct profile_parse *ps);

#endif
