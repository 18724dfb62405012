/* Hostile test plugin (issue 19, finding 1): tries to outlive its
 * supervisor. As root each worker runs as its own host uid, and the
 * switch to it used to clear the parent-death signal, so a worker whose
 * supervisor was SIGKILLed ran on for ever. Input "sleep": says so on
 * stderr, then blocks in nanosleep; "spin": says so, then burns CPU in
 * its handler; anything else is answered at once (the worker then waits
 * idle in recvmsg). tests/hostile_test.sh kills the supervisor with
 * SIGKILL in all three states and checks that none of them survives. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (len >= 5 && !memcmp(in, "sleep", 5)) {
		struct timespec day = { 86400, 0 };
		(void)!write(2, "sleeping\n", 9);
		for (;;)
			nanosleep(&day, NULL);
	}
	if (len >= 4 && !memcmp(in, "spin", 4)) {
		volatile unsigned long n = 0;
		(void)!write(2, "spinning\n", 9);
		for (;;)
			n++;
	}
	return caisson_out_write(out, in, len) == 0 ? 0 : 1;
}
