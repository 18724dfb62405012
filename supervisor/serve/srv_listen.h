/* caisson serve's UNIX socket: created with the configured mode and group,
 * removed at exit only if it is still the one this daemon made. Runs in
 * the daemon. Error convention: -1 with the reason in err. */
#ifndef CAISSON_SRV_LISTEN_H
#define CAISSON_SRV_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

#include "srv_config.h"

/* Returns the listening, non-blocking fd; its path's identity in dev/ino. */
int srv_listen_open(const struct srv_config *c, dev_t *dev, ino_t *ino, char *err, size_t errlen);
/* Gives the socket at c->socket c's mode and group (again, on a reload). */
int srv_listen_perms(const struct srv_config *c, char *err, size_t errlen);
void srv_listen_remove(const char *path, dev_t dev, ino_t ino);

#endif
