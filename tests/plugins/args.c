/* args.so: a test plugin for per-request arguments. Its input is a list of
 * argument names, one per line; it answers, per name, "name=VALUE" as
 * caisson_arg() gives it, or "name unset". Runs in a locked worker. */
#include <stdio.h>
#include <string.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char name[64], line[400];

	while (len) {
		const uint8_t *nl = memchr(in, '\n', len);
		size_t n = nl ? (size_t)(nl - in) : len;
		const char *v;
		int w;

		if (n >= sizeof(name)) {
			caisson_out_error(out, "name too long");
			return 1;
		}
		memcpy(name, in, n);
		name[n] = '\0';
		v = caisson_arg(name);
		w = v ? snprintf(line, sizeof(line), "%s=%s\n", name, v) : snprintf(line, sizeof(line), "%s unset\n", name);
		if (caisson_out_write(out, line, (size_t)w) < 0)
			return 1;
		in += n + (nl != NULL);
		len -= n + (nl != NULL);
	}
	return 0;
}
