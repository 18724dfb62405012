/* User and group names or numbers in caisson serve's configuration
 * ("0, 1000, alice"), resolved once at load time. Runs in the supervisor.
 * Error convention: -1 with the reason in why. */
#ifndef CAISSON_SRV_IDS_H
#define CAISSON_SRV_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

int srv_ids_uid(const char *s, uid_t *out, char *why, size_t whylen);
int srv_ids_gid(const char *s, gid_t *out, char *why, size_t whylen);
/* A list separated by commas and/or spaces, of uids (gids when gid). */
int srv_ids_list(const char *s, bool gid, unsigned int *out, size_t max, size_t *n, char *why, size_t whylen);

#endif
