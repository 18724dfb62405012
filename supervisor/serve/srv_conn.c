/* caisson serve's clients: the table of connections (bounded by
 * max_clients), the replies each still has to write, and the end of a
 * drain. A reply's count ends when evhttp has written it (on_complete) or
 * when its connection goes (closecb: a client gone mid-reply never
 * completes). Runs in the daemon, on its event loop. */
#include "srv_int.h"

static struct srv_conn *srv_conn_find(struct srv *s, const struct evhttp_connection *evcon)
{
	for (uint32_t i = 0; evcon && i < s->nconns; i++)
		if (s->conns[i].evcon == evcon)
			return &s->conns[i];
	return NULL;
}

void srv_drain_check(struct srv *s)
{
	if (s->draining && !s->inflight && !s->sending)
		event_base_loopexit(s->base, NULL);
}

static void srv_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct srv *s = arg;
	struct srv_conn *c = srv_conn_find(s, evcon);

	if (!c)
		return;
	s->sending -= c->sending;
	*c = s->conns[--s->nconns];
	srv_drain_check(s);
}

bool srv_conn_admit(struct srv *s, struct evhttp_connection *evcon)
{
	if (!evcon)
		return false;
	if (srv_conn_find(s, evcon))
		return true;
	if (s->nconns >= s->cfg->max_clients) /* a reload may lower it */
		return false;
	s->conns[s->nconns++] = (struct srv_conn){ .evcon = evcon };
	evhttp_connection_set_closecb(evcon, srv_conn_closed, s);
	return true;
}

static void srv_conn_sent(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	struct srv_conn *c = srv_conn_find(s, evhttp_request_get_connection(req));

	if (!c || !c->sending)
		return;
	c->sending--;
	s->sending--;
	srv_drain_check(s);
}

/* Replies on connections outside the table (refused clients) are not
 * waited for. */
void srv_conn_sending(struct srv *s, struct evhttp_request *req)
{
	struct srv_conn *c = srv_conn_find(s, evhttp_request_get_connection(req));

	if (!c)
		return;
	c->sending++;
	s->sending++;
	evhttp_request_set_on_complete_cb(req, srv_conn_sent, s);
}
