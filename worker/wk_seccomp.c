/* Loads the worker's one seccomp filter, precompiled by the supervisor from
 * the profile (see supervisor/policy/policy.c), with a user-notification listener.
 * Runs in the worker child as the last kernel step of the lockdown, after
 * no_new_privs. Returns the listener fd, which goes to the supervisor: every
 * syscall outside the run set stops in the kernel until the supervisor
 * answers, and the kernel, not the worker, tells it which syscall it was. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wk.h"

int wk_seccomp_load(const struct wk_config *cfg, struct wk_detail *d)
{
	struct sock_fprog prog = {
		.len = (unsigned short)cfg->ninsns,
		.filter = (struct sock_filter *)cfg->insns,
	};
	long fd;

	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		snprintf(d->text, sizeof(d->text), "seccomp(SET_MODE_FILTER, NEW_LISTENER, %u insns)",
			 cfg->ninsns);
		return -1;
	}
	return (int)fd;
}
