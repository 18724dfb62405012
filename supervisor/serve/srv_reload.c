/* caisson serve's reload on SIGHUP: the configuration file is read again
 * and, only if all of it loads and every new or changed pool is built, put
 * in place at once: unchanged pools (same section, same profile and plugin
 * files) keep running untouched, new ones start taking requests, and a
 * replaced or removed pool leaves the routing table but finishes every
 * request it holds before it is freed. A configuration that fails leaves
 * the running one as it was, with a log line saying why. Runs in the
 * daemon, on its event loop (the signal arrives through libevent). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "srv_int.h"
#include "srv_listen.h"

/* The same section (but its line) and the same files. A file that cannot
 * be read now is a change: building its pool again says why. */
static bool srv_pool_same(const struct srv_pool *p, const struct srv_pool_cfg *c)
{
	struct srv_pool_cfg a, b;
	struct srv_pool_id id;
	char why[8];

	memcpy(&a, &p->conf, sizeof(a));
	memcpy(&b, c, sizeof(b));
	a.line = b.line = 0;
	if (memcmp(&a, &b, sizeof(a)) || srv_pool_identify(c, &id, why, sizeof(why)) < 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (id.dev[i] != p->ids.dev[i] || id.ino[i] != p->ids.ino[i] || id.size[i] != p->ids.size[i] ||
		    id.mtime[i].tv_sec != p->ids.mtime[i].tv_sec || id.mtime[i].tv_nsec != p->ids.mtime[i].tv_nsec)
			return false;
	return true;
}

static struct srv_pool *srv_live_find(struct srv *s, const char *name)
{
	return srv_pool_find(s, name, strlen(name));
}

/* [server]: the socket cannot move under its clients; the rest applies. */
static int srv_reload_server(struct srv *s, const struct srv_config *n, char *err, size_t errlen)
{
	if (strcmp(n->socket, s->cfg->socket)) {
		snprintf(err, errlen, "socket changed from %s to %s: restart the daemon to move it", s->cfg->socket,
			 n->socket);
		return -1;
	}
	return 0;
}

static void srv_reload_apply_server(struct srv *s, const struct srv_config *n)
{
	char why[256];

	evhttp_set_max_body_size(s->http, (ev_ssize_t)n->max_body);
	evhttp_set_timeout(s->http, (int)n->client_timeout_s);
	if (s->sock_made && srv_listen_perms(n, why, sizeof(why)) < 0)
		srv_log_event("reload_socket", why);
}

/* The new table: each pool kept, or built (next[i] != NULL with built[i]
 * set). On failure every pool built here is freed and err says why. */
static int srv_reload_build(struct srv *s, const struct srv_config *n, struct srv_pool **next, bool *built,
			    char *err, size_t errlen)
{
	for (size_t i = 0; i < n->npools; i++) {
		struct srv_pool *old = srv_live_find(s, n->pools[i].name);

		if (old && srv_pool_same(old, &n->pools[i])) {
			next[i] = old;
			continue;
		}
		next[i] = srv_pool_new(s, &n->pools[i], err, errlen);
		if (!next[i]) {
			for (size_t k = 0; k < i; k++)
				if (built[k])
					srv_pool_free(next[k]);
			return -1;
		}
		built[i] = true;
	}
	return 0;
}

static bool srv_in(struct srv_pool *const *v, size_t n, const struct srv_pool *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

/* Every old pool the new table does not hold retires; the table switches.
 * Returns how many retired. */
static size_t srv_reload_commit(struct srv *s, struct srv_pool **next, size_t n)
{
	size_t gone = 0;

	for (size_t i = 0; i < s->npools; i++) {
		struct srv_pool *p = s->pools[i];

		if (srv_in(next, n, p))
			continue;
		gone++;
		if (!p->inflight) {
			srv_log_event("retired", p->cfg->name);
			srv_pool_free(p);
			continue;
		}
		p->retiring = true;
		s->retiring[s->nretiring++] = p;
	}
	memcpy(s->pools, next, n * sizeof(*next));
	s->npools = n;
	return gone;
}

static void srv_reload_fail(const char *why)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "configuration unchanged: %s", why);
	srv_log_event("reload_failed", msg);
}

void srv_reload(struct srv *s)
{
	struct srv_config *n = calloc(1, sizeof(*n));
	struct srv_pool *next[SRV_POOLS_MAX] = { 0 };
	bool built[SRV_POOLS_MAX] = { 0 };
	size_t nbuilt = 0, gone;
	char err[1024], msg[160];

	if (!n) {
		srv_reload_fail("out of memory");
		return;
	}
	if (srv_config_load(s->config_path, n, err, sizeof(err)) < 0 ||
	    srv_reload_server(s, n, err, sizeof(err)) < 0) {
		srv_reload_fail(err);
		goto out;
	}
	if (s->nretiring + s->npools > SRV_POOLS_MAX) {
		srv_reload_fail("too many pools still finishing after earlier reloads; send SIGHUP again later");
		goto out;
	}
	if (srv_reload_build(s, n, next, built, err, sizeof(err)) < 0) {
		srv_reload_fail(err);
		goto out;
	}
	for (size_t i = 0; i < n->npools; i++)
		nbuilt += built[i];
	gone = srv_reload_commit(s, next, n->npools);
	srv_reload_apply_server(s, n);
	/* The pools hold their own copies of their sections. */
	free(s->cfg);
	s->cfg = n;
	n = NULL;
	snprintf(msg, sizeof(msg), "%zu pools: %zu kept, %zu built, %zu retired (%zu still finishing requests)",
		 s->npools, s->npools - nbuilt, nbuilt, gone, s->nretiring);
	srv_log_event("reload", msg);
out:
	free(n);
}

static void srv_retire_sweep(evutil_socket_t fd, short ev, void *arg)
{
	struct srv *s = arg;
	size_t k = 0;

	for (size_t i = 0; i < s->nretiring; i++) {
		if (s->retiring[i]->inflight) {
			s->retiring[k++] = s->retiring[i];
			continue;
		}
		srv_log_event("retired", s->retiring[i]->cfg->name);
		srv_pool_free(s->retiring[i]);
	}
	s->nretiring = k;
}

void srv_pool_done(struct srv *s, struct srv_pool *p)
{
	if (p->retiring && !p->inflight)
		event_active(s->retire_ev, 0, 0);
}

int srv_reload_setup(struct srv *s)
{
	s->retire_ev = event_new(s->base, -1, 0, srv_retire_sweep, s);
	return s->retire_ev ? 0 : -1;
}
