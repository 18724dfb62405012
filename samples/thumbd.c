/* thumbd: the "converter inside a service" use of libcaisson. A small HTTP
 * service (libevent's evhttp, loopback only) that takes an uploaded PNG
 * (POST /thumb, the image as the body) and answers with a thumbnail made
 * by the libpng plugin in a sandboxed worker pool. The untrusted parsing
 * never happens in this process: a hostile PNG costs one worker.
 *
 *   thumbd -p PROFILE PLUGIN.so [-l PORT] [-n REQUESTS]
 *
 * Prints "thumbd: listening on 127.0.0.1:PORT" once ready (PORT 0 picks a
 * free one). -n exits after that many answered requests (for the demo).
 * GET /stats answers the pool statistics as JSON. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "caisson.h"

#define THUMBD_MAX_UPLOAD (32u << 20)

struct thumbd {
	struct event_base *base;
	caisson_pool *pool;
	long answered, limit;
};

struct pending {
	struct thumbd *t;
	struct evhttp_request *req;
};

/* Each status maps to what an HTTP client can act on. */
static int thumbd_http_code(enum caisson_status s)
{
	switch (s) {
	case CAISSON_OK: return 200;
	case CAISSON_PLUGIN_ERROR: return 422;     /* not a PNG we can thumbnail */
	case CAISSON_INPUT_TOO_LARGE: return 413;
	case CAISSON_OVERLOADED: return 503;
	case CAISSON_TIMEOUT:
	case CAISSON_CPU_LIMIT:
	case CAISSON_MEMORY_LIMIT:
	case CAISSON_OUTPUT_LIMIT: return 422; /* the image is too expensive */
	default: return 500;                   /* crashed, violation, ... */
	}
}

static void thumbd_count(struct thumbd *t)
{
	/* Leave evhttp a moment to flush the last answer. */
	static const struct timeval flush = { 0, 200000 };

	if (t->limit && ++t->answered >= t->limit)
		event_base_loopexit(t->base, &flush);
}

static void thumbd_done(const struct caisson_result *r, void *arg)
{
	struct pending *pd = arg;
	struct evbuffer *b = evbuffer_new();
	int code = thumbd_http_code(r->status);

	if (b) {
		if (r->status == CAISSON_OK) {
			evhttp_add_header(evhttp_request_get_output_headers(pd->req), "Content-Type", "image/png");
			evbuffer_add(b, r->output, r->output_len);
		} else {
			evhttp_add_header(evhttp_request_get_output_headers(pd->req), "Content-Type", "text/plain");
			evbuffer_add_printf(b, "%s %s\n", caisson_status_name(r->status), r->detail ? r->detail : "");
		}
	}
	evhttp_add_header(evhttp_request_get_output_headers(pd->req), "X-Caisson-Status",
			  caisson_status_name(r->status));
	evhttp_send_reply(pd->req, code, code == 200 ? "OK" : caisson_status_name(r->status), b);
	if (b)
		evbuffer_free(b);
	thumbd_count(pd->t);
	free(pd);
}

static void thumbd_thumb(struct evhttp_request *req, void *arg)
{
	struct thumbd *t = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	struct pending *pd;
	unsigned char *body;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_send_error(req, 405, "POST a PNG to /thumb");
		return;
	}
	body = evbuffer_pullup(in, (ssize_t)len);
	pd = malloc(sizeof(*pd));
	if (!pd || (len && !body)) {
		free(pd);
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	pd->t = t;
	pd->req = req;
	/* The pool copies the body; the callback answers, always exactly once. */
	if (!caisson_submit(t->pool, body, len, thumbd_done, pd)) {
		free(pd);
		evhttp_send_error(req, 503, "out of memory");
	}
}

static void thumbd_stats(struct evhttp_request *req, void *arg)
{
	struct thumbd *t = arg;
	struct caisson_stats st;
	struct evbuffer *b = evbuffer_new();

	if (!b) {
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	caisson_pool_stats(t->pool, &st);
	evbuffer_add_printf(b,
			    "{\"workers\":{\"spawning\":%u,\"idle\":%u,\"busy\":%u},\"queued\":%u,"
			    "\"submitted\":%llu,\"completed\":%llu,\"spawned\":%llu,\"recycled\":%llu,"
			    "\"p50_us\":%llu,\"p99_us\":%llu,\"failed\":%s}\n",
			    st.spawning, st.idle, st.busy, st.queued, (unsigned long long)st.submitted,
			    (unsigned long long)st.completed, (unsigned long long)st.spawned,
			    (unsigned long long)st.recycled, (unsigned long long)st.p50_us,
			    (unsigned long long)st.p99_us, st.failed ? "true" : "false");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

int main(int argc, char **argv)
{
	struct caisson_pool_config cfg = { 0 };
	struct thumbd t = { 0 };
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	char err[512];
	int port = 0, c;

	while ((c = getopt(argc, argv, "p:l:n:")) != -1) {
		switch (c) {
		case 'p': cfg.profile = optarg; break;
		case 'l': port = atoi(optarg); break;
		case 'n': t.limit = atol(optarg); break;
		default: goto usage;
		}
	}
	if (!cfg.profile || optind != argc - 1 || port < 0 || port > 65535 || t.limit < 0)
		goto usage;
	cfg.plugin = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	t.base = event_base_new();
	if (!t.base)
		return 1;
	t.pool = caisson_pool_new(t.base, &cfg, err, sizeof(err));
	if (!t.pool) {
		fprintf(stderr, "thumbd: %s\n", err);
		return 2;
	}
	http = evhttp_new(t.base);
	if (!http)
		return 1;
	evhttp_set_max_body_size(http, THUMBD_MAX_UPLOAD);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_cb(http, "/thumb", thumbd_thumb, &t);
	evhttp_set_cb(http, "/stats", thumbd_stats, &t);
	sock = evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)port);
	if (!sock) {
		fprintf(stderr, "thumbd: cannot listen on 127.0.0.1:%d\n", port);
		return 2;
	}
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl);
		printf("thumbd: listening on 127.0.0.1:%d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
		fflush(stdout);
	}
	event_base_dispatch(t.base);
	evhttp_free(http);
	caisson_pool_free(t.pool);
	event_base_free(t.base);
	return 0;
usage:
	fprintf(stderr, "usage: thumbd -p PROFILE PLUGIN.so [-l PORT] [-n REQUESTS]\n");
	return 2;
}
