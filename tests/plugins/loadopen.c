/* Test plugin: from caisson_plugin_init, while the worker is still loading,
 * tries the opens the supervisor must tell apart and answers every request
 * with what each one gave. args[0]: the plugin's own path (a file the
 * supervisor resolved for it to load); args[1]: a host file it did not.
 * Only a read-only open of args[0] is served (with the supervisor's
 * descriptor); everything else runs in the worker's empty root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caisson_plugin.h"

static char report[256];

/* "ELF" when path opens and starts with the ELF magic, else the errno. */
static const char *try_open(const char *path, int flags)
{
	static char r[4][16];
	static int n;
	char *out = r[n++ % 4];
	unsigned char magic[4];
	int fd = open(path, flags, 0600);

	if (fd < 0) {
		snprintf(out, 16, "%s", errno == ENOENT ? "ENOENT" : errno == EROFS ? "EROFS" : "other");
		return out;
	}
	snprintf(out, 16, "%s", read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4) ? "ELF" : "not-ELF");
	close(fd);
	return out;
}

int caisson_plugin_init(const char *const *args)
{
	if (!args[0] || !args[1])
		return 1;
	snprintf(report, sizeof(report), "own=%s own-rdwr=%s own-creat=%s other=%s", try_open(args[0], O_RDONLY),
		 try_open(args[0], O_RDWR), try_open(args[0], O_RDONLY | O_CREAT), try_open(args[1], O_RDONLY));
	return 0;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	(void)in;
	(void)len;
	return caisson_out_write(out, report, strlen(report)) < 0;
}
