/* caisson serve's configuration: [server] (the socket, its mode and group,
 * bounds on requests and clients) and one [pool NAME] per pool (profile,
 * plugin, size, who may call it). Parsed in the supervisor from a file
 * root or an operator wrote; still bounded and checked like a profile.
 * Error convention: -1 with "FILE:LINE: reason" in err. */
#ifndef CAISSON_SRV_CONFIG_H
#define CAISSON_SRV_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#define SRV_POOLS_MAX 64
#define SRV_NAME_MAX 32         /* pool names: [a-z0-9_-], 1 to 32 bytes */
#define SRV_IDS_MAX 64          /* allow_uids / allow_gids entries per pool */
#define SRV_CONFIG_FILE_MAX (64u << 10)
#define SRV_CLIENTS_MAX 4096    /* max_clients' ceiling */

struct srv_pool_cfg {
	char name[SRV_NAME_MAX + 1];
	char profile[PATH_MAX], plugin[PATH_MAX];
	uint32_t workers;           /* 0: the profile's [pool] max_workers */
	uid_t uids[SRV_IDS_MAX];
	gid_t gids[SRV_IDS_MAX];
	size_t nuids, ngids;        /* both 0: only the daemon's own uid */
	uint32_t line;              /* of its section header, for messages */
};

struct srv_config {
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	mode_t socket_mode;
	gid_t socket_gid;
	bool has_group;
	uint64_t max_body;
	uint32_t max_clients;
	uint32_t client_timeout_s;  /* a client silent this long is dropped */
	size_t npools;
	struct srv_pool_cfg pools[SRV_POOLS_MAX];
};

/* Loads path into *out (heap-sized: the caller allocates it). */
int srv_config_load(const char *path, struct srv_config *out, char *err, size_t errlen);
/* The same on a buffer; name is used in messages. */
int srv_config_parse(const char *name, const char *data, size_t len, struct srv_config *out, char *err,
		     size_t errlen);

#endif
