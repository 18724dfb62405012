/* Landlock on this kernel, for the supervisor: which ABI the workers'
 * rulesets are built for, whether a profile can be honoured, and which
 * rights that enforces (for `caisson profile show` and `caisson verify`).
 * Runs in the supervisor; asks the kernel one question, changes nothing. */
#include "landlock.h"

#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/profile.h"
#include "worker/wk_landlock.h"

#define LL_CREATE_RULESET_VERSION 1u

uint32_t landlock_kernel_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	return v > 0 ? (uint32_t)v : 0;
}

int landlock_pick(const struct profile *p, uint32_t kernel, uint32_t *abi, char *err, size_t errlen)
{
	if (kernel == 0 && p->landlock == PROFILE_LANDLOCK_REQUIRED) {
		snprintf(err, errlen, "[filesystem] landlock = required, but this kernel has no Landlock "
			 "(enable it: CONFIG_SECURITY_LANDLOCK and lsm=...,landlock)");
		return -1;
	}
	*abi = kernel < WK_LANDLOCK_ABI_MAX ? kernel : WK_LANDLOCK_ABI_MAX;
	return 0;
}

int landlock_for_profile(const struct profile *p, uint32_t *abi, char *err, size_t errlen)
{
	return landlock_pick(p, landlock_kernel_abi(), abi, err, errlen);
}

static void ll_names(char *buf, size_t len, size_t *off, const char *what, uint64_t mask,
		     const char *const *names, size_t n)
{
	int w = snprintf(buf + *off, len - *off, "%s%s:", *off ? "; " : "", what);

	for (size_t i = 0; i < n && w >= 0 && (size_t)w < len - *off; i++)
		if (mask & (1ull << i)) {
			*off += (size_t)w;
			w = snprintf(buf + *off, len - *off, " %s", names[i]);
		}
	if (w >= 0 && (size_t)w < len - *off)
		*off += (size_t)w;
}

void landlock_describe(uint32_t abi, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (abi == 0) {
		snprintf(buf, len, "none (no Landlock on this kernel)");
		return;
	}
	ll_names(buf, len, &off, "fs denied unless granted", wk_landlock_fs(abi), wk_landlock_fs_names,
		 sizeof(wk_landlock_fs_names) / sizeof(wk_landlock_fs_names[0]));
	if (wk_landlock_net(abi))
		ll_names(buf, len, &off, "net denied", wk_landlock_net(abi), wk_landlock_net_names,
			 sizeof(wk_landlock_net_names) / sizeof(wk_landlock_net_names[0]));
	if (wk_landlock_scoped(abi))
		ll_names(buf, len, &off, "scoped to the worker", wk_landlock_scoped(abi), wk_landlock_scope_names,
			 sizeof(wk_landlock_scope_names) / sizeof(wk_landlock_scope_names[0]));
}
