/* hostile_alloc.so: a hostile plugin that allocates and touches 1 MiB blocks
 * until something stops it, never checking for NULL, as a buggy parser would.
 * Runs in a locked caisson worker: the expected end is MEMORY_LIMIT. */
#include <stdlib.h>
#include <string.h>

#include "caisson_plugin.h"

#define BLOCK (1u << 20)

/* Each block is published here so the compiler cannot drop the allocation. */
static void *volatile hostile_alloc_last;

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	for (;;) {
		char *p = malloc(BLOCK);

		memset(p, 0xa5, BLOCK);
		hostile_alloc_last = p;
	}
}
