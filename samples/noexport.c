/* noexport.so: a shared object that does not export caisson_plugin_handle
 * (its author misspelt it), for the loader's error path. Loaded in a locked
 * caisson worker: the expected end is SPAWN_FAILED naming the missing symbol. */
#include "caisson_plugin.h"

int caisson_plugin_handler(const uint8_t *in, size_t len, caisson_out *out);

int caisson_plugin_handler(const uint8_t *in, size_t len, caisson_out *out)
{
	return caisson_out_write(out, in, len) < 0;
}
