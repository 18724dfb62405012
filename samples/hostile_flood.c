/* hostile_flood.so: a hostile plugin that writes 64 KiB chunks forever and
 * ignores the output sink's refusal. Runs in a locked caisson worker: the
 * expected end is OUTPUT_LIMIT. */
#include <string.h>

#include "caisson_plugin.h"

static unsigned char hostile_flood_chunk[64 * 1024];

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	memset(hostile_flood_chunk, 'F', sizeof(hostile_flood_chunk));
	for (;;)
		(void)caisson_out_write(out, hostile_flood_chunk, sizeof(hostile_flood_chunk));
}
