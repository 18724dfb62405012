/* hostile_open.so: a hostile plugin that tries to read /etc/passwd on its
 * first request. Runs in a locked caisson worker, where the run filter has no
 * open: the expected end is VIOLATION openat(AT_FDCWD, "/etc/passwd", O_RDONLY). */
#include <fcntl.h>
#include <unistd.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/etc/passwd", O_RDONLY);

	if (fd < 0) {
		caisson_out_error(out, "open(/etc/passwd) failed");
		return 1;
	}
	/* Reaching here means containment failed: leak the file as the answer. */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		caisson_out_write(out, buf, (size_t)n);
	close(fd);
	return 0;
}
