/* echo.so: the smallest well-behaved plugin; answers its input unchanged.
 * Runs inside a locked caisson worker under the strict default profile and
 * makes no system call of its own. Used to measure caisson's own overhead. */
#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (caisson_out_write(out, in, len) < 0) {
		caisson_out_error(out, "output limit reached");
		return 1;
	}
	return 0;
}
