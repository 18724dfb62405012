/* caisson serve's replies: the Caisson-Status/Caisson-Detail headers
 * (detail sanitised to printable ASCII, bounded), counted by srv_conn.c
 * until written. Runs in the daemon, on its event loop. */
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
	srv_conn_sending(s, req);
	evhttp_send_reply(req, code, NULL, body);
}
