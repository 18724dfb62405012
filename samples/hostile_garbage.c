/* hostile_garbage.so: a hostile plugin that writes garbage straight onto the
 * worker's IPC socket (fd 3 in the worker's fixed descriptor map) and then
 * returns normally. Runs in a locked caisson worker; write is allowed, so the
 * supervisor's decoder must catch it: the expected end is PROTOCOL_ERROR. */
#include <string.h>
#include <unistd.h>

#include "caisson_plugin.h"

#define HOSTILE_GARBAGE_IPC_FD 3

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	unsigned char junk[64];

	memset(junk, 0x41, sizeof(junk));
	if (write(HOSTILE_GARBAGE_IPC_FD, junk, sizeof(junk)) != (ssize_t)sizeof(junk)) {
		caisson_out_error(out, "write to fd 3 failed");
		return 1;
	}
	return 0;
}
