/* caisson serve's HTTP face: evhttp on the UNIX socket, bounded (headers,
 * body, silent clients, number of clients), routing to the run endpoint
 * and the status endpoints, the run endpoint itself (peer check, submit,
 * answer with Caisson-Status/Caisson-Detail and an HTTP status that
 * follows), and one log line per request. Runs in the daemon; every byte
 * from a client and every detail from a worker is hostile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "srv_args.h"
#include "srv_int.h"

#define SRV_HEADERS_MAX 8192
#define SRV_RUN_PREFIX "/v1/pools/"

struct srv_req {
	struct srv *s;
	struct srv_pool *p;
	struct evhttp_request *req;
	uint64_t rid, t0;
	long peer_uid;
	char path[SRV_DETAIL_MAX + 1];
};

static uint64_t srv_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int srv_status_code(enum cs_status st, bool breaker_open)
{
	switch (st) {
	case CS_OK: return 200;
	case CS_PLUGIN_ERROR: return 422;
	case CS_OVERLOADED: return 429;
	case CS_INPUT_TOO_LARGE: return 413;
	case CS_BAD_ARGS: return 400;
	case CS_SPAWN_FAILED: return breaker_open ? 503 : 500;
	case CS_CANCELLED: return 503;
	default: return 502; /* the worker misbehaved or was stopped */
	}
}

static void srv_hist_add(struct srv_pool *p, uint64_t us)
{
	static const uint64_t bounds[] = {
#define SRV_HIST_BOUND(b) b,
		SRV_HIST_BOUNDS(SRV_HIST_BOUND)
#undef SRV_HIST_BOUND
	};
	size_t i = 0;

	while (i < SRV_HIST_N && us > bounds[i])
		i++;
	p->hist[i]++;
	p->lat_sum_us += us;
	p->lat_count++;
}

static void srv_run_done(const struct pool_result *r, void *arg)
{
	struct srv_req *q = arg;
	struct srv *s = q->s;
	struct pool_stats st;
	struct evbuffer *body = evbuffer_new();
	const char *name = cs_status_name(r->status);
	char detail[SRV_DETAIL_MAX + 1];
	bool breaker_open = false;
	int code;

	/* Only a spawn failure asks the pool (whether its breaker is open):
	 * CANCELLED completions come from inside pool_free. */
	if (r->status == CS_SPAWN_FAILED) {
		pool_stats(q->p->pool, &st);
		breaker_open = st.failed;
	}
	code = srv_status_code(r->status, breaker_open);
	srv_sanitise(r->detail, detail, sizeof(detail));
	if (body && r->status == CS_OK)
		evbuffer_add(body, r->out, r->out_len);
	else if (body)
		evbuffer_add_printf(body, "%s%s%s\n", name, detail[0] ? " " : "", detail);
	evhttp_add_header(evhttp_request_get_output_headers(q->req), "Content-Type",
			  r->status == CS_OK ? "application/octet-stream" : "text/plain");
	srv_hist_add(q->p, r->latency_us);
	srv_http_reply(s, q->req, code, name, detail, body);
	srv_log_request(&(struct srv_log_req){ .rid = q->rid, .pool = q->p->cfg->name, .method = "POST",
					       .path = q->path, .status = name, .detail = detail, .code = code,
					       .latency_us = srv_now_us() - q->t0, .worker = r->pid,
					       .peer_uid = q->peer_uid });
	if (body)
		evbuffer_free(body);
	s->inflight--;
	q->p->inflight--;
	srv_pool_done(s, q->p);
	free(q);
	srv_drain_check(s);
}

/* A refusal before any pool is involved: status line, headers, a short
 * text body, and its log line. */
static void srv_refuse(struct srv *s, struct evhttp_request *req, uint64_t rid, const char *pool, int code,
		       const char *status, const char *detail, long peer_uid, uint64_t t0)
{
	struct evbuffer *body = evbuffer_new();
	char path[SRV_DETAIL_MAX + 1];
	static const char *const methods[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE",
					       "CONNECT", "PATCH" };
	unsigned cmd = (unsigned)evhttp_request_get_command(req);
	const char *method = "OTHER";

	for (unsigned i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (cmd == 1u << i)
			method = methods[i];
	srv_sanitise(evhttp_request_get_uri(req), path, sizeof(path));
	if (body)
		evbuffer_add_printf(body, "%s %s\n", status, detail);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	srv_http_reply(s, req, code, status, detail, body);
	srv_log_request(&(struct srv_log_req){ .rid = rid, .pool = pool, .method = method, .path = path,
					       .status = status, .detail = detail, .code = code,
					       .latency_us = srv_now_us() - t0, .peer_uid = peer_uid });
	if (body)
		evbuffer_free(body);
}

static void srv_run(struct srv *s, struct evhttp_request *req, struct srv_pool *p, const struct srv_peer *peer,
		    uint64_t rid, uint64_t t0)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	char detail[128];
	struct srv_args args;
	struct srv_req *q;
	uint64_t id;

	if (len > pool_input_max(p->pool)) {
		snprintf(detail, sizeof(detail), "input is %zu bytes, more than the pool's %llu", len,
			 (unsigned long long)pool_input_max(p->pool));
		srv_refuse(s, req, rid, p->cfg->name, 413, "INPUT_TOO_LARGE", detail, peer->uid, t0);
		return;
	}
	/* The query's pairs: the pool checks them against the profile's
	 * [args] and ends a request with any that fail BAD_ARGS (400). */
	if (srv_args_parse(query ? query : "", &args, detail, sizeof(detail)) < 0) {
		srv_args_free(&args);
		srv_refuse(s, req, rid, p->cfg->name, 400, "BAD_ARGS", detail, peer->uid, t0);
		return;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		srv_args_free(&args);
		srv_refuse(s, req, rid, p->cfg->name, 503, "OVERLOADED", "out of memory", peer->uid, t0);
		return;
	}
	*q = (struct srv_req){ .s = s, .p = p, .req = req, .rid = rid, .t0 = t0, .peer_uid = peer->uid };
	srv_sanitise(evhttp_request_get_uri(req), q->path, sizeof(q->path));
	id = pool_submit_args(p->pool, len ? evbuffer_pullup(in, -1) : (const unsigned char *)"", len, &p->prof.args,
			      args.kv, args.n, srv_run_done, q);
	srv_args_free(&args);
	if (!id) {
		free(q);
		srv_refuse(s, req, rid, p->cfg->name, 503, "OVERLOADED", "out of memory", peer->uid, t0);
		return;
	}
	s->inflight++;
	p->inflight++;
}

/* GET endpoints: the daemon's own user or anyone some pool admits, but
 * /healthz, which says nothing but "alive" to anyone who may connect.
 * Each returns the HTTP status it sent (req may be freed by then). */
static const struct {
	const char *path;
	int (*fn)(struct srv *, struct evhttp_request *);
	bool open;
} srv_gets[] = {
	{ "/healthz", srv_api_healthz, true },
	{ "/v1/pools", srv_api_pools, false },
	{ "/metrics", srv_api_metrics, false },
};

static void srv_route_get(struct srv *s, struct evhttp_request *req, const char *path,
			  const struct srv_peer *peer, uint64_t rid, uint64_t t0)
{
	size_t i;
	int code;

	for (i = 0; i < sizeof(srv_gets) / sizeof(srv_gets[0]); i++)
		if (!strcmp(path, srv_gets[i].path))
			break;
	if (i == sizeof(srv_gets) / sizeof(srv_gets[0])) {
		srv_refuse(s, req, rid, NULL, 404, "NOT_FOUND", "no such endpoint", peer->uid, t0);
		return;
	}
	if (!srv_gets[i].open && !srv_peer_allowed_any(s, peer)) {
		srv_refuse(s, req, rid, NULL, 403, "FORBIDDEN", "this uid may not read the daemon's status",
			   peer->uid, t0);
		return;
	}
	code = srv_gets[i].fn(s, req);
	srv_log_request(&(struct srv_log_req){ .rid = rid, .method = "GET", .path = srv_gets[i].path,
					       .code = code, .latency_us = srv_now_us() - t0,
					       .peer_uid = peer->uid });
}

static bool srv_get_known(const char *path)
{
	for (size_t i = 0; i < sizeof(srv_gets) / sizeof(srv_gets[0]); i++)
		if (!strcmp(path, srv_gets[i].path))
			return true;
	return false;
}

/* POST /v1/pools/NAME/run */
static void srv_route_run(struct srv *s, struct evhttp_request *req, const char *path,
			  const struct srv_peer *peer, uint64_t rid, uint64_t t0)
{
	const char *name = path + strlen(SRV_RUN_PREFIX), *slash = strchr(name, '/');
	struct srv_pool *p = slash && !strcmp(slash, "/run") ? srv_pool_find(s, name, (size_t)(slash - name)) : NULL;
	char pname[SRV_NAME_MAX + 1] = "";

	if (!p) {
		srv_refuse(s, req, rid, NULL, 404, "NOT_FOUND", "no such pool", peer->uid, t0);
		return;
	}
	snprintf(pname, sizeof(pname), "%s", p->cfg->name);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
		srv_refuse(s, req, rid, pname, 405, "METHOD_NOT_ALLOWED", "use POST", peer->uid, t0);
		return;
	}
	if (!srv_peer_allowed(s, p, peer)) {
		p->denied++;
		srv_refuse(s, req, rid, pname, 403, "FORBIDDEN", "this uid/gid may not use the pool", peer->uid, t0);
		return;
	}
	srv_run(s, req, p, peer, rid, t0);
}

static void srv_route(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	uint64_t rid = ++s->next_rid, t0 = srv_now_us();
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct srv_peer peer;
	char rids[24];

	snprintf(rids, sizeof(rids), "%llu", (unsigned long long)rid);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Caisson-Request-Id", rids);
	if (srv_peer_get(req, &peer) < 0) {
		srv_refuse(s, req, rid, NULL, 403, "FORBIDDEN", "peer credentials unavailable", -1, t0);
		return;
	}
	if (!srv_conn_admit(s, evhttp_request_get_connection(req))) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		srv_refuse(s, req, rid, NULL, 503, "OVERLOADED", "too many clients", peer.uid, t0);
		return;
	}
	if (s->draining) {
		srv_refuse(s, req, rid, NULL, 503, "SHUTTING_DOWN", "the daemon is draining", peer.uid, t0);
		return;
	}
	if (!path) {
		srv_refuse(s, req, rid, NULL, 400, "BAD_REQUEST", "unparsable URI", peer.uid, t0);
	} else if (!strncmp(path, SRV_RUN_PREFIX, strlen(SRV_RUN_PREFIX))) {
		srv_route_run(s, req, path, &peer, rid, t0);
	} else if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) {
		srv_route_get(s, req, path, &peer, rid, t0);
	} else if (srv_get_known(path)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		srv_refuse(s, req, rid, NULL, 405, "METHOD_NOT_ALLOWED", "use GET", peer.uid, t0);
	} else {
		srv_refuse(s, req, rid, NULL, 404, "NOT_FOUND", "no such endpoint", peer.uid, t0);
	}
}

void srv_http_setup(struct srv *s)
{
	evhttp_set_max_headers_size(s->http, SRV_HEADERS_MAX);
	evhttp_set_max_body_size(s->http, (ev_ssize_t)s->cfg->max_body);
	/* A body over max_body is read and dropped before the 413 goes out,
	 * and the connection closed after it: closing with the body unread
	 * resets the connection, and a client still sending never sees its
	 * 413. Reading costs what receiving an allowed body would; a client
	 * that declares an endless body holds its connection while it sends
	 * (and is dropped once silent for client_timeout). */
	evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_timeout(s->http, (int)s->cfg->client_timeout_s);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						     EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(s->http, srv_route, s);
}
