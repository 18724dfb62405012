/* caisson serve's lifetime: configuration, pools, socket, then the loop;
 * SIGTERM/SIGINT drain (stop accepting and remove the socket, finish what
 * is in flight, write the last replies, free the pools, which reaps every
 * worker and the zygote), a second one stops at once; SIGHUP reloads the
 * configuration (srv_reload.c). Runs in the daemon
 * on one thread; signals arrive through libevent (their handlers are reset
 * by exec, so the zygote starts with default dispositions). */
#include "serve.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv_int.h"
#include "srv_listen.h"

/* After in-flight requests end, the longest a reply may take to go out. */
#define SRV_FLUSH_GRACE_S 5
/* At exit, how long orphaned workers get to finish dying (PDEATHSIG). */
#define SRV_REAP_MS 5000

/* The daemon is a child subreaper: a worker whose zygote ends before it
 * (pool_free kills the zygote; its workers die of their parent-death
 * signal) is reparented here rather than to init, so the daemon can reap
 * it and leave nothing behind. Set before any pool makes a zygote. */
static int srv_subreaper(char *err, size_t errlen)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* After every pool is freed (each zygote reaped by its pool, so no pid a
 * pool still holds can be taken here): reap whatever was reparented to us,
 * waiting (bounded) for those still dying. */
static void srv_reap_all(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	char msg[96];
	int n = 0;

	for (int ms = 0; ms < SRV_REAP_MS; ms += 10) {
		pid_t pid;

		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			n++;
		if (pid < 0 && errno == ECHILD)
			return;
		nanosleep(&tick, NULL);
	}
	snprintf(msg, sizeof(msg), "children still alive after %d ms (%d reaped)", SRV_REAP_MS, n);
	srv_log_event("reap_timeout", msg);
}

static void srv_drain_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct srv *s = arg;

	srv_log_event("drain_timeout", "in-flight requests did not finish in time; cancelling them");
	event_base_loopexit(s->base, NULL);
}

/* Bounded: what is in flight ends within its pool's wall time. */
static void srv_drain_start(struct srv *s, int sig)
{
	uint64_t wall = 0;
	struct timeval tv;

	if (s->draining) {
		srv_log_event("stop", "second signal: stopping without waiting");
		event_base_loopexit(s->base, NULL);
		return;
	}
	s->draining = true;
	srv_sd_notify(s, "STOPPING=1");
	srv_log_event("drain", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	evhttp_del_accept_socket(s->http, s->bound); /* closes the listening fd */
	s->bound = NULL;
	/* A socket systemd passed stays: it is the socket unit's. */
	if (s->sock_made)
		srv_listen_remove(s->cfg->socket, s->sock_dev, s->sock_ino);
	s->sock_made = false;
	for (size_t i = 0; i < s->npools; i++)
		if (s->pools[i]->wall_ms > wall)
			wall = s->pools[i]->wall_ms;
	for (size_t i = 0; i < s->nretiring; i++)
		if (s->retiring[i]->wall_ms > wall)
			wall = s->retiring[i]->wall_ms;
	tv.tv_sec = (time_t)(wall / 1000 + 1 + SRV_FLUSH_GRACE_S);
	tv.tv_usec = 0;
	s->drain_timer = evtimer_new(s->base, srv_drain_timeout, s);
	if (s->drain_timer)
		evtimer_add(s->drain_timer, &tv);
	srv_drain_check(s);
}

static void srv_on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct srv *s = arg;

	if (sig == SIGHUP && s->draining)
		srv_log_event("reload_failed", "the daemon is draining; configuration unchanged");
	else if (sig == SIGHUP) {
		srv_sd_notify(s, "RELOADING=1");
		srv_reload(s);
		srv_sd_notify(s, "READY=1");
	}
	else if (sig == SIGTERM || sig == SIGINT)
		srv_drain_start(s, (int)sig);
	/* SIGPIPE: a client gone mid-reply is an EPIPE on that write. */
}

static int srv_signals(struct srv *s)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		s->sig[i] = evsignal_new(s->base, sigs[i], srv_on_signal, s);
		if (!s->sig[i] || evsignal_add(s->sig[i], NULL) < 0)
			return -1;
	}
	return 0;
}

static int srv_listen(struct srv *s, char *err, size_t errlen)
{
	struct evconnlistener *l;
	int fd = s->sd_fd;

	s->sd_fd = -1; /* the listener owns it from here */
	if (fd < 0) {
		fd = srv_listen_open(s->cfg, &s->sock_dev, &s->sock_ino, err, errlen);
		if (fd < 0)
			return -1;
		s->sock_made = true;
	}
	l = evconnlistener_new(s->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!l) {
		close(fd);
		snprintf(err, errlen, "evconnlistener_new failed");
		return -1;
	}
	s->bound = evhttp_bind_listener(s->http, l);
	if (!s->bound) {
		evconnlistener_free(l);
		snprintf(err, errlen, "evhttp_bind_listener failed");
		return -1;
	}
	return 0;
}

static int srv_setup(struct srv *s, char *err, size_t errlen)
{
	s->self_uid = getuid();
	/* Room for max_clients' ceiling: a reload may raise it. */
	s->conns = calloc(SRV_CLIENTS_MAX, sizeof(*s->conns));
	s->base = event_base_new();
	if (!s->conns || !s->base || !(s->http = evhttp_new(s->base))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (srv_signals(s) < 0 || srv_reload_setup(s) < 0 || srv_reap_setup(s) < 0) {
		snprintf(err, errlen, "cannot install signal handlers");
		return -1;
	}
	srv_http_setup(s);
	/* Pools first: a bad profile or plugin stops us before the socket
	 * exists, so no client ever sees a half-configured daemon. */
	if (srv_pools_open(s, err, errlen) < 0 || srv_listen(s, err, errlen) < 0 ||
	    srv_sd_watchdog(s, err, errlen) < 0)
		return -1;
	return 0;
}

/* Order: pools before evhttp, so replies to requests they cancel still
 * have their connections; the socket path last, if it is still ours. */
static void srv_teardown(struct srv *s)
{
	srv_pools_close(s);
	srv_reap_all();
	if (s->http)
		evhttp_free(s->http); /* also frees a listener still bound */
	if (s->sock_made)
		srv_listen_remove(s->cfg->socket, s->sock_dev, s->sock_ino);
	for (size_t i = 0; i < sizeof(s->sig) / sizeof(s->sig[0]); i++)
		if (s->sig[i])
			event_free(s->sig[i]);
	if (s->drain_timer)
		event_free(s->drain_timer);
	if (s->retire_ev)
		event_free(s->retire_ev);
	if (s->chld_ev)
		event_free(s->chld_ev);
	srv_sd_free(s); /* its watchdog timer before the base */
	if (s->sd_fd >= 0)
		close(s->sd_fd);
	if (s->base)
		event_base_free(s->base);
	free(s->conns);
}

int serve_main(const char *config, char *err, size_t errlen)
{
	struct srv_config *cfg = calloc(1, sizeof(*cfg));
	struct srv s = { 0 };
	char msg[600];
	int rc = 2;

	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return 2;
	}
	s.cfg = cfg;
	s.config_path = config;
	s.sd_fd = -1;
	/* systemd's socket is taken before any pool starts a process. */
	if (srv_config_load(config, cfg, err, errlen) < 0 || srv_subreaper(err, errlen) < 0 ||
	    srv_sd_init(&s, err, errlen) < 0 || srv_setup(&s, err, errlen) < 0)
		goto out;
	snprintf(msg, sizeof(msg), "listening on %s%s with %zu pools", cfg->socket,
		 s.sock_made ? "" : " (socket from systemd)", s.npools);
	srv_log_event("ready", msg);
	srv_sd_notify(&s, "READY=1\nSTATUS=serving");
	rc = event_base_dispatch(s.base) < 0 ? 1 : 0;
	srv_log_event("exit", rc ? "event loop failed" : "drained");
out:
	srv_teardown(&s);
	free(s.cfg); /* a reload may have replaced cfg */
	return rc;
}
