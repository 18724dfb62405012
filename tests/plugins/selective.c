/* Test plugin: misbehaves as its input says, so one `caisson run` can mix
 * hostile and good inputs and show that each ends with its own status and
 * the next input still succeeds. Input is a command word; anything else
 * is echoed back. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caisson_plugin.h"

static int is(const uint8_t *in, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(in, word, n) == 0;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (is(in, len, "segv"))
		*(volatile int *)0 = 1;
	if (is(in, len, "open"))
		return open("/etc/passwd", O_RDONLY) >= 0 ? 0 : 1;
	if (is(in, len, "socket"))
		return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1;
	if (is(in, len, "spin"))
		for (volatile unsigned long i = 0;; i++)
			;
	if (is(in, len, "garbage")) {
		static const char junk[64] = "not a caisson message";
		return write(3, junk, sizeof(junk)) > 0 ? 0 : 1;
	}
	if (is(in, len, "exit"))
		_exit(3);
	if (is(in, len, "abort"))
		abort();
	if (is(in, len, "fail")) {
		caisson_out_error(out, "refused: input says fail");
		return 2;
	}
	if (is(in, len, "flood")) {
		static uint8_t chunk[65536];
		for (;;)
			caisson_out_write(out, chunk, sizeof(chunk));
	}
	return caisson_out_write(out, in, len) == 0 ? 0 : 1;
}
