/* caisson serve's replies: the Caisson-Status/Caisson-Detail headers
 * (detail sanitised to printable ASCII, bounded), the drain's accounting of
 * replies still being written, and the check that ends a drain. Runs in the
 * daemon, on its event loop. */
#include <event2/buffer.h>

#include "srv_int.h"

/* Printable ASCII only, at most SRV_DETAIL_MAX bytes: safe in a header
 * and a log line whatever a worker or client put in it. */
void srv_sanitise(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; in && *in && n + 1 < cap; in++)
		out[n++] = *in >= 0x20 && *in < 0x7f ? *in : '?';
	out[n] = '\0';
}

void srv_drain_check(struct srv *s)
{
	if (s->draining && !s->inflight && !s->sending)
		event_base_loopexit(s->base, NULL);
}

static void srv_sent(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;

	s->sending--;
	srv_drain_check(s);
}

void srv_http_reply(struct srv *s, struct evhttp_request *req, int code, const char *status,
		    const char *detail, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char clean[SRV_DETAIL_MAX + 1];

	if (status)
		evhttp_add_header(h, "Caisson-Status", status);
	if (detail && *detail) {
		srv_sanitise(detail, clean, sizeof(clean));
		evhttp_add_header(h, "Caisson-Detail", clean);
	}
	if (s->draining)
		evhttp_add_header(h, "Connection", "close");
	/* Counted until evhttp has written it, so a drain waits for it;
	 * a request whose client is gone is freed by evhttp_send_reply. */
	if (evhttp_request_get_connection(req)) {
		s->sending++;
		evhttp_request_set_on_complete_cb(req, srv_sent, s);
	}
	evhttp_send_reply(req, code, NULL, body);
}
