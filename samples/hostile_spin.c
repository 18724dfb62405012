/* hostile_spin.so: a hostile plugin that never returns from its first
 * request and burns CPU. Runs in a locked caisson worker: the expected end is
 * TIMEOUT (wall clock) or CPU_LIMIT (RLIMIT_CPU), whichever fires first. */
#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	volatile unsigned long counter = 0;

	for (;;)
		counter++;
}
