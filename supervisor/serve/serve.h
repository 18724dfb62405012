/* caisson serve: the daemon. Loads a configuration, builds its pools, and
 * serves HTTP/1.1 on a UNIX socket until SIGTERM or SIGINT, then drains.
 * Runs as the user that started it (root or not), on one thread. */
#ifndef CAISSON_SERVE_H
#define CAISSON_SERVE_H

#include <stddef.h>

/* Returns the process exit status: 0 after a clean drain, 1 when the
 * loop failed, 2 when the configuration or a pool could not be set up
 * (nothing was served); the reason is in err then. */
int serve_main(const char *config, char *err, size_t errlen);

#endif
