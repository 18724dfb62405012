/* Test plugin: says "busy" on its log (stderr, forwarded by `caisson run -v`)
 * and then sleeps until it is killed, so a test can interrupt a batch at
 * the moment its workers are known to be busy (tests/interrupt_test.sh).
 * Runs in a locked worker; @default allows write and nanosleep. */
#include <time.h>
#include <unistd.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	static const char msg[] = "busy\n";
	const struct timespec second = { 1, 0 };

	(void)in;
	(void)len;
	(void)out;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		return 1;
	for (;;)
		nanosleep(&second, NULL);
}
