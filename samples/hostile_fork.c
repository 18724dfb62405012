/* hostile_fork.so: a hostile plugin that tries to create a process on its
 * first request. Runs in a locked caisson worker whose run filter has no
 * clone/fork: the expected end is VIOLATION clone(...). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char msg[32];
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		caisson_out_error(out, "fork failed");
		return 1;
	}
	/* Reaching here means containment failed: say so in the answer. */
	snprintf(msg, sizeof(msg), "forked pid %d\n", (int)pid);
	caisson_out_write(out, msg, strnlen(msg, sizeof(msg)));
	return 0;
}
