/* Capabilities and securebits of a worker. Runs in the worker child, inside
 * its user namespace, after the mounts and the identity switch (both need
 * capabilities) and before no_new_privs and seccomp. Uses libcap. */
#include <errno.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "wk.h"

int wk_caps_lock_securebits(struct wk_detail *d)
{
	/* No root magic, no uid-change fixups, no keep-caps, no ambient
	 * raising — each locked so it can never be turned back on. */
	const unsigned bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
		snprintf(d->text, sizeof(d->text), "PR_SET_SECUREBITS 0x%x", bits);
		return -1;
	}
	return 0;
}

int wk_caps_drop(struct wk_detail *d)
{
	cap_t empty = NULL;
	int rc = -1;

	/* Bounding set first: dropping from it needs CAP_SETPCAP in the
	 * effective set, which the last call below removes. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		if (cap_drop_bound(c) < 0 && errno != EINVAL) {
			snprintf(d->text, sizeof(d->text), "drop bounding cap %d", (int)c);
			goto out;
		}
	}
	if (cap_reset_ambient() < 0) {
		snprintf(d->text, sizeof(d->text), "clear ambient set");
		goto out;
	}
	empty = cap_init();
	if (!empty || cap_set_proc(empty) < 0) {
		snprintf(d->text, sizeof(d->text), "clear effective/permitted/inheritable");
		goto out;
	}
	rc = 0;
out:
	if (empty)
		cap_free(empty);
	return rc;
}
