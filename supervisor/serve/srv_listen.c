/* caisson serve's listening socket: a UNIX stream socket at the configured
 * path, created 0600 (umask) and only then given its mode and group, so it
 * is never more open than configured; a stale socket left by a dead daemon
 * is replaced, anything else at the path (a file, a live daemon) refused.
 * Runs in the daemon. Error convention: -1 with the reason in err. */
#include "srv_listen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int srv_listen_clear(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; refusing to replace it", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another daemon is listening there", path);
		return -1;
	}
	if (errno != ECONNREFUSED || unlink(path) < 0) {
		snprintf(err, errlen, "%s: cannot replace the stale socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int srv_listen_perms(const struct srv_config *c, char *err, size_t errlen)
{
	if (c->has_group && chown(c->socket, (uid_t)-1, c->socket_gid) < 0) {
		snprintf(err, errlen, "%s: socket_group %u: %s", c->socket, (unsigned)c->socket_gid, strerror(errno));
		return -1;
	}
	if (chmod(c->socket, c->socket_mode) < 0) {
		snprintf(err, errlen, "%s: socket_mode %04o: %s", c->socket, (unsigned)c->socket_mode, strerror(errno));
		return -1;
	}
	return 0;
}

int srv_listen_open(const struct srv_config *c, dev_t *dev, ino_t *ino, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	err[0] = '\0';
	if (srv_listen_clear(c->socket, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->socket);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		snprintf(err, errlen, "bind %s: %s", c->socket, strerror(errno));
		close(fd);
		return -1;
	}
	if (lstat(c->socket, &st) < 0 || srv_listen_perms(c, err, errlen) < 0 || listen(fd, 128) < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", c->socket, strerror(errno));
		unlink(c->socket);
		close(fd);
		return -1;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return fd;
}

void srv_listen_remove(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev && st.st_ino == ino)
		unlink(path);
}
