/* Landlock on this kernel, seen from the supervisor (landlock.c): the ABI
 * the workers' rulesets are built for and the rights it enforces. The
 * worker side, and the rights by ABI, are in worker/wk_landlock.[ch]. */
#ifndef CAISSON_LANDLOCK_H
#define CAISSON_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

struct profile;

/* The kernel's Landlock ABI version; 0 when it has none (or disabled). */
uint32_t landlock_kernel_abi(void);
/* The ABI for p's workers (the kernel's, at most what caisson knows; 0:
 * none), or -1 with a one-line err when p requires Landlock and the
 * kernel has none. */
int landlock_for_profile(const struct profile *p, uint32_t *abi, char *err, size_t errlen);
/* The same for a kernel of the given ABI (0: none); pure. */
int landlock_pick(const struct profile *p, uint32_t kernel, uint32_t *abi, char *err, size_t errlen);
/* The rights a ruleset of that ABI handles, one line:
 * "fs denied unless granted: execute ...; net denied: ...; scoped to the worker: ...". */
void landlock_describe(uint32_t abi, char *buf, size_t len);

#endif
