/* hostile_segv.so: a hostile plugin that writes through a NULL pointer on its
 * first request, like a parser with a memory-safety bug. Runs in a locked
 * caisson worker: the expected end is CRASHED SIGSEGV. */
#include "caisson_plugin.h"

/* Loaded through a volatile pointer so the compiler emits the store itself
 * rather than replacing a provable NULL dereference with a trap (SIGILL). */
static int *volatile hostile_segv_target;

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	*hostile_segv_target = 1;
	return 0;
}
