/* make bench's figure 10a: the png plugin (samples/png.c) as an in-process
 * libFuzzer binary, the peer of caisson fuzz on the same plugin built the
 * same way (clang -g -O1 -fsanitize=address,fuzzer...): each input is
 * one caisson_plugin_handle call; the output sink counts bytes against the
 * png profile's output cap and keeps none, as a caisson fuzz worker's
 * does inside a batch. Runs in the benchmark only. */
#include <stddef.h>
#include <stdint.h>

#include "caisson_plugin.h"

#define PNG_LF_OUTPUT_CAP (257ull << 20) /* profiles/png.ini: output = 257M */

struct caisson_out {
	uint64_t total;
	int over;
};

int caisson_out_write(caisson_out *out, const void *data, size_t len)
{
	(void)data;
	if (out->over || len > PNG_LF_OUTPUT_CAP - out->total) {
		out->over = 1;
		return -1;
	}
	out->total += len;
	return 0;
}

void caisson_out_error(caisson_out *out, const char *message)
{
	(void)out;
	(void)message;
}

/* In-process there are no per-request arguments: png.so's defaults. */
const char *caisson_arg(const char *key)
{
	(void)key;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	caisson_out out = { 0, 0 };

	(void)caisson_plugin_handle(data, size, &out);
	return 0;
}
