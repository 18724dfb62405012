/* A private session keyring for the worker. Runs in the worker child
 * during its lockdown, after the switch to its uid and before the filter.
 * A clone inherits its parent's session keyring, and whoever holds a
 * keyring as its session keyring "possesses" it and every key linked in
 * it: without this step a worker whose filter allows keyctl could list,
 * search and add to the invoking user's session keyring. Raw syscall, no
 * libkeyutils. */
#include <errno.h>
#include <linux/keyctl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wk.h"

/* KEYCTL_JOIN_SESSION_KEYRING with no name makes a new anonymous keyring,
 * owned by our (worker) uid and charged to its key quota, installs it and
 * returns its serial: the inherited one is no longer possessed. Nothing is
 * asked before (a lookup of the session keyring would make the user and
 * user-session keyrings of our namespace, charged to the same quota). */
int wk_keyring_private(struct wk_detail *d)
{
	strcpy(d->text, "keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)");
	return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ? -1 : 0;
}
