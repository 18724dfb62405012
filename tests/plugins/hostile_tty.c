/* Hostile test plugin (issue 19, finding 3): tries to drive the operator's
 * terminal through every path its bytes take there. On stderr (shown by
 * `caisson run -v`): retitles the terminal (OSC ... BEL), returns the
 * carriage and erases the line (CR, ESC [2K), sends a raw C1 CSI (0x9b)
 * and a UTF-8-encoded one (0xc2 0x9b), then writes a forged supervisor
 * line, "other.png: OK". Input "error": the same bytes as its error
 * text; "open": as the path of a forbidden open (the violation line);
 * else the stderr show, then an empty answer. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "caisson_plugin.h"

static const char evil[] = "\x1b]0;owned\x07\r\x1b[2K\x9b" "31m\xc2\x9b" "0mother.png: OK";

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (len >= 5 && !memcmp(in, "error", 5)) {
		caisson_out_error(out, evil);
		return 1;
	}
	if (len >= 4 && !memcmp(in, "open", 4))
		return open(evil, O_RDONLY) >= 0 ? 0 : 1;
	(void)!write(2, evil, sizeof(evil) - 1);
	(void)!write(2, "\n\x1b[1A\ttab\x7f", 10);
	(void)!write(2, "\nno newline at the end\x1b", 23);
	return 0;
}
