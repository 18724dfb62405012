/* hostile_socket.so: a hostile plugin that tries to reach the network on its
 * first request. Runs in a locked caisson worker (own network namespace, no
 * socket in the run filter): the expected end is VIOLATION socket(AF_INET, ...). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caisson_plugin.h"

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		caisson_out_error(out, "socket failed");
		return 1;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		caisson_out_error(out, "connect to 127.0.0.1:80 failed");
		return 1;
	}
	close(fd);
	caisson_out_write(out, "connected\n", 10);
	return 0;
}
