/* hostile_init.so: a plugin whose caisson_plugin_init fails (returns 7).
 * Runs in a locked caisson worker; the worker must never become ready: the
 * expected end is SPAWN_FAILED "caisson_plugin_init returned 7". */
#include "caisson_plugin.h"

int caisson_plugin_init(const char *const *args)
{
	return 7;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	return caisson_out_write(out, in, len) < 0;
}
