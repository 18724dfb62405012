/* Turns a loaded profile, a plugin path and a built policy into the plain
 * worker configuration the zygote receives (ipc_config.h): resolves the
 * plugin's libraries (never running its code), picks the identity scheme
 * and copies limits, binds and args. Runs in the supervisor; -1 with a
 * one-line message in err on failure. */
#ifndef CAISSON_SETUP_H
#define CAISSON_SETUP_H

#include <stddef.h>

#include "ipc/ipc_config.h"
#include "pool.h"

struct profile;
struct policy;

/* Root supervisors give slot N the host uid/gid SETUP_ID_BASE + N. */
#define SETUP_ID_BASE 0x60000000u
#define SETUP_MAX_SLOTS 16384u

int setup_worker_config(const struct profile *prof, const struct policy *pol, const char *plugin,
			char *const *extra_args, size_t nextra, struct wk_config *cfg,
			char *err, size_t errlen);
/* An exec pool's configuration (caisson exec, setup_exec.c): argv is the
 * tool (an absolute path) and its ARGS template, NULL-terminated; the
 * tool and its libraries resolved, its interpreter named, the template's
 * placeholders checked. */
int setup_exec_config(const struct profile *prof, const struct policy *pol, const char *const *argv,
		      struct wk_config *cfg, char *err, size_t errlen);
/* What every worker configuration takes from the profile and the policy:
 * identity scheme, limits, Landlock, the filter, the binds. */
int setup_common(const struct profile *prof, const struct policy *pol, struct wk_config *cfg, char *err,
		 size_t errlen);
/* Copies src into a configuration string; -1 (naming what) when too long. */
int setup_copy(char dst[WK_PATH_MAX], const char *src, const char *what, char *err, size_t errlen);
void setup_limits(const struct profile *prof, struct pool_limits *lim);
void setup_sizing(const struct profile *prof, struct pool_sizing *sz);

#endif
