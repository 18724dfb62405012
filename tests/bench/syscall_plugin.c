/* syscall_plugin.so: figure 7's probe inside a sealed worker (default
 * profile). Request: "ITERS REPS" in decimal (see sysloop_run). Answer: one line per
 * hot syscall, "NAME NS_PER_CALL". Makes only syscalls the default
 * profile allows (see syscall_loop.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caisson_plugin.h"
#include "syscall_loop.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char num[32], line[64], *end;
	double ns[SYSLOOP_COUNT];
	unsigned long iters, reps;

	if (len == 0 || len >= sizeof(num)) {
		caisson_out_error(out, "expected ITERS REPS");
		return 1;
	}
	memcpy(num, in, len);
	num[len] = '\0';
	iters = strtoul(num, &end, 10);
	reps = strtoul(end, NULL, 10);
	if (iters < 1 || iters > 1000000 || reps < 1 || reps > 1000) {
		caisson_out_error(out, "ITERS or REPS out of range");
		return 1;
	}
	sysloop_run((unsigned)iters, (unsigned)reps, ns);
	for (int i = 0; i < SYSLOOP_COUNT; i++) {
		int n = snprintf(line, sizeof(line), "%s %.2f\n", sysloop_names[i], ns[i]);

		if (caisson_out_write(out, line, (size_t)n) < 0) {
			caisson_out_error(out, "output limit reached");
			return 1;
		}
	}
	return 0;
}
