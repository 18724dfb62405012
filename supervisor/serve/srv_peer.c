/* Who is calling: the peer's credentials as the kernel saw them when it
 * connected (SO_PEERCRED, SO_PEERGROUPS on the accepted socket), checked
 * against a pool's allow_uids/allow_gids. Runs in the daemon; fails closed:
 * credentials that cannot be read admit nobody. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>

#include "srv_int.h"

int srv_peer_get(struct evhttp_request *req, struct srv_peer *peer)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	int fd = bev ? bufferevent_getfd(bev) : -1;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	memset(peer, 0, sizeof(*peer));
	peer->ngroups = -1;
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof(cr))
		return -1;
	peer->pid = cr.pid;
	peer->uid = cr.uid;
	peer->gid = cr.gid;
	len = sizeof(peer->groups);
	/* More groups than fit (ERANGE): only uid and primary gid count. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, peer->groups, &len) == 0)
		peer->ngroups = (int)(len / sizeof(gid_t));
	return 0;
}

static bool srv_peer_in(const unsigned int *ids, size_t n, unsigned int id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

bool srv_peer_allowed(const struct srv *s, const struct srv_pool *p, const struct srv_peer *peer)
{
	const struct srv_pool_cfg *c = p->cfg;

	if (!c->nuids && !c->ngids)
		return peer->uid == s->self_uid;
	if (srv_peer_in(c->uids, c->nuids, peer->uid) || srv_peer_in(c->gids, c->ngids, peer->gid))
		return true;
	for (int i = 0; i < peer->ngroups; i++)
		if (srv_peer_in(c->gids, c->ngids, peer->groups[i]))
			return true;
	return false;
}

/* The status endpoints (pool list, metrics) answer whoever may call some
 * pool, or the daemon's own user. */
bool srv_peer_allowed_any(const struct srv *s, const struct srv_peer *peer)
{
	if (peer->uid == s->self_uid)
		return true;
	for (size_t i = 0; i < s->npools; i++)
		if (srv_peer_allowed(s, s->pools[i], peer))
			return true;
	return false;
}
