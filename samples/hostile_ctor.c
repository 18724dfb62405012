/* hostile_ctor.so: a hostile plugin whose ELF constructor opens a socket the
 * moment the object is loaded, before any caisson entry point is called.
 * caisson loads plugins only inside a locked worker under the init filter,
 * which has no socket: the expected end is SPAWN_FAILED or VIOLATION socket. */
#include <sys/socket.h>

#include "caisson_plugin.h"

/* Kept so the call has a visible effect; a contained worker never gets here. */
static int hostile_ctor_fd = -1;

__attribute__((constructor)) static void hostile_ctor_run(void)
{
	hostile_ctor_fd = socket(AF_INET, SOCK_STREAM, 0);
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	return caisson_out_write(out, in, len) < 0;
}
