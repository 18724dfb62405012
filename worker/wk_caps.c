/* Capabilities and securebits of a worker. Runs in the worker child, inside
 * its user namespace, after the mounts and the identity switch (both need
 * capabilities) and before no_new_privs and seccomp. Raw prctl and capset,
 * as the kernel documents them, because this is the measured hot path:
 * libcap's wrappers cost a fresh clone its first touch of libcap's pages
 * and a heap allocation, ~70 us a spawn, for the same three calls (make
 * bench figure 1, cold spawn: 1.07x -> 1.01x the clone3 probe when they
 * went). Off the hot path, names and text forms come from libcap
 * (supervisor/evidence/verify_attest.c, caisson profile show). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { { 0, 0, 0 } };

	/* Bounding set first: dropping from it needs CAP_SETPCAP in the
	 * effective set, which capset removes. Every capability this kernel
	 * knows, not only those our headers name: it answers EINVAL past its
	 * last one. */
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL && c > CAP_LAST_CAP)
			break;
		snprintf(d->text, sizeof(d->text), "drop bounding cap %d", c);
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		snprintf(d->text, sizeof(d->text), "clear ambient set");
		return -1;
	}
	if (syscall(SYS_capset, &hdr, none) < 0) {
		snprintf(d->text, sizeof(d->text), "clear effective/permitted/inheritable");
		return -1;
	}
	return 0;
}
