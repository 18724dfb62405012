/* caisson serve under systemd: socket activation (sd_listen_fds; the one
 * descriptor passed must be a listening UNIX stream socket at the
 * configured path, or the daemon refuses to start), sd_notify READY,
 * RELOADING, STOPPING and STATUS, and the watchdog, pinged by a timer on
 * the event loop, so a loop stuck in a callback stops the pings and systemd
 * restarts the daemon. libsystemd is loaded with dlopen, and only when
 * systemd's environment asks for it (LISTEN_FDS, NOTIFY_SOCKET): linked, it
 * would load seven shared objects into every one-shot `caisson run`
 * (figure 9). Runs in the daemon, before the pools (activation) and on its
 * event loop (notifications). Error convention: -1 with the reason. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "srv_int.h"

#define SRV_SD_LIB "libsystemd.so.0"

struct srv_sd {
	void *lib;
	__typeof__(sd_listen_fds) *listen_fds;
	__typeof__(sd_is_socket_unix) *is_socket_unix;
	__typeof__(sd_notify) *notify;
	__typeof__(sd_watchdog_enabled) *watchdog_enabled;
	struct event *watchdog;
};

static int srv_sd_load(struct srv_sd *sd, char *err, size_t errlen)
{
	sd->lib = dlopen(SRV_SD_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!sd->lib) {
		snprintf(err, errlen, "systemd's environment is set (LISTEN_FDS or NOTIFY_SOCKET) but %s: %s",
			 SRV_SD_LIB, dlerror());
		return -1;
	}
	*(void **)&sd->listen_fds = dlsym(sd->lib, "sd_listen_fds");
	*(void **)&sd->is_socket_unix = dlsym(sd->lib, "sd_is_socket_unix");
	*(void **)&sd->notify = dlsym(sd->lib, "sd_notify");
	*(void **)&sd->watchdog_enabled = dlsym(sd->lib, "sd_watchdog_enabled");
	if (!sd->listen_fds || !sd->is_socket_unix || !sd->notify || !sd->watchdog_enabled) {
		snprintf(err, errlen, "%s lacks the sd_listen_fds/sd_notify functions", SRV_SD_LIB);
		return -1;
	}
	return 0;
}

/* The activated socket: exactly one, a listening UNIX stream socket bound
 * to the configuration's path (never another path, a datagram socket or a
 * TCP one: whoever may reach it is what the socket unit says, and a
 * mismatch means the unit and the configuration disagree). */
static int srv_sd_socket(struct srv *s, char *err, size_t errlen)
{
	int n = s->sd->listen_fds(1), fd = SD_LISTEN_FDS_START;

	if (n < 0) {
		snprintf(err, errlen, "sd_listen_fds: %s", strerror(-n));
		return -1;
	}
	if (n == 0)
		return 0;
	if (n != 1) {
		snprintf(err, errlen, "systemd passed %d sockets; caisson serve takes exactly one", n);
		return -1;
	}
	if (s->sd->is_socket_unix(fd, SOCK_STREAM, 1, s->cfg->socket, 0) <= 0) {
		snprintf(err, errlen,
			 "the socket systemd passed (fd %d) is not a listening UNIX stream socket at %s "
			 "(ListenStream= and the configuration's socket must agree)",
			 fd, s->cfg->socket);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "fd %d: %s", fd, strerror(errno));
		return -1;
	}
	s->sd_fd = fd;
	return 0;
}

int srv_sd_init(struct srv *s, char *err, size_t errlen)
{
	s->sd_fd = -1;
	if (!getenv("LISTEN_FDS") && !getenv("NOTIFY_SOCKET"))
		return 0;
	s->sd = calloc(1, sizeof(*s->sd));
	if (!s->sd) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return srv_sd_load(s->sd, err, errlen) < 0 || srv_sd_socket(s, err, errlen) < 0 ? -1 : 0;
}

void srv_sd_notify(struct srv *s, const char *state)
{
	if (s->sd)
		s->sd->notify(0, state);
}

static void srv_sd_ping(evutil_socket_t fd, short ev, void *arg)
{
	srv_sd_notify(arg, "WATCHDOG=1");
}

/* Every half of WATCHDOG_USEC, from the loop itself. */
int srv_sd_watchdog(struct srv *s, char *err, size_t errlen)
{
	uint64_t usec = 0;
	struct timeval tv;
	int r;

	if (!s->sd || (r = s->sd->watchdog_enabled(0, &usec)) == 0)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "WATCHDOG_USEC: %s", strerror(-r));
		return -1;
	}
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	s->sd->watchdog = event_new(s->base, -1, EV_PERSIST, srv_sd_ping, s);
	if (!s->sd->watchdog || event_add(s->sd->watchdog, &tv) < 0) {
		snprintf(err, errlen, "cannot start the watchdog timer");
		return -1;
	}
	return 0;
}

void srv_sd_free(struct srv *s)
{
	if (!s->sd)
		return;
	if (s->sd->watchdog)
		event_free(s->sd->watchdog);
	if (s->sd->lib)
		dlclose(s->sd->lib);
	free(s->sd);
	s->sd = NULL;
}
