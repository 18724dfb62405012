/* caisson serve's status endpoints: GET /healthz (liveness; while the
 * daemon drains, srv_http.c answers 503 before any endpoint), GET /v1/pools
 * (each pool's configuration and live counters, JSON via jansson) and GET
 * /metrics (Prometheus text exposition, format 0.0.4). Runs in the daemon;
 * everything written comes from the configuration and the pools' counters
 * (pool names are [a-z0-9_-], safe as label values). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "srv_int.h"

int srv_api_healthz(struct srv *s, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (b)
		evbuffer_add_printf(b, "ok\n");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	srv_http_reply(s, req, 200, NULL, NULL, b);
	if (b)
		evbuffer_free(b);
	return 200;
}

static json_t *srv_api_pool_json(const struct srv_pool *p)
{
	struct pool_stats st;
	json_t *o = json_object(), *by = json_object();

	pool_stats(p->pool, &st);
	for (int i = 0; i < CS_STATUS_COUNT; i++)
		json_object_set_new(by, cs_status_name((enum cs_status)i), json_integer((json_int_t)st.by_status[i]));
	json_object_set_new(o, "name", json_string(p->cfg->name));
	json_object_set_new(o, "profile", json_string(p->prof.name));
	json_object_set_new(o, "input_max", json_integer((json_int_t)pool_input_max(p->pool)));
	json_object_set_new(o, "workers", json_pack("{s:i,s:i,s:i,s:i}", "spawning", (json_int_t)st.spawning, "idle",
						    (json_int_t)st.idle, "busy", (json_int_t)st.busy, "dying",
						    (json_int_t)st.dying));
	json_object_set_new(o, "queued", json_integer(st.queued));
	json_object_set_new(o, "completed", json_integer((json_int_t)st.completed));
	json_object_set_new(o, "by_status", by);
	json_object_set_new(o, "spawned", json_integer((json_int_t)st.spawned));
	json_object_set_new(o, "spawn_failed", json_integer((json_int_t)st.spawn_failed));
	json_object_set_new(o, "breaker_open", json_boolean(st.failed));
	if (st.failed)
		json_object_set_new(o, "breaker_reason", json_string(st.failed_reason));
	json_object_set_new(o, "p50_us", json_integer((json_int_t)st.p50_us));
	json_object_set_new(o, "p99_us", json_integer((json_int_t)st.p99_us));
	return o;
}

int srv_api_pools(struct srv *s, struct evhttp_request *req)
{
	json_t *root = json_object(), *arr = json_array();
	struct evbuffer *b = evbuffer_new();
	char *text;

	for (size_t i = 0; arr && i < s->npools; i++)
		json_array_append_new(arr, srv_api_pool_json(s->pools[i]));
	json_object_set_new(root, "pools", arr);
	text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!text || !b) {
		free(text);
		if (b)
			evbuffer_free(b);
		srv_http_reply(s, req, 500, "INTERNAL", "out of memory", NULL);
		return 500;
	}
	evbuffer_add_printf(b, "%s\n", text);
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
	srv_http_reply(s, req, 200, NULL, NULL, b);
	evbuffer_free(b);
	return 200;
}

static void srv_api_help(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void srv_api_hist(struct evbuffer *b, const struct srv_pool *p)
{
	static const uint64_t bounds[] = {
#define SRV_HIST_BOUND(x) x,
		SRV_HIST_BOUNDS(SRV_HIST_BOUND)
#undef SRV_HIST_BOUND
	};
	uint64_t cum = 0;

	for (size_t i = 0; i < SRV_HIST_N; i++) {
		cum += p->hist[i];
		evbuffer_add_printf(b, "caisson_request_duration_seconds_bucket{pool=\"%s\",le=\"%g\"} %llu\n",
				    p->cfg->name, (double)bounds[i] / 1e6, (unsigned long long)cum);
	}
	cum += p->hist[SRV_HIST_N];
	evbuffer_add_printf(b, "caisson_request_duration_seconds_bucket{pool=\"%s\",le=\"+Inf\"} %llu\n",
			    p->cfg->name, (unsigned long long)cum);
	evbuffer_add_printf(b, "caisson_request_duration_seconds_sum{pool=\"%s\"} %.6f\n", p->cfg->name,
			    (double)p->lat_sum_us / 1e6);
	evbuffer_add_printf(b, "caisson_request_duration_seconds_count{pool=\"%s\"} %llu\n", p->cfg->name,
			    (unsigned long long)p->lat_count);
}

/* One metric family at a time, every pool in each (the exposition format
 * wants a family's samples together). */
static void srv_api_families(struct evbuffer *b, const struct srv *s, const struct pool_stats *st)
{
	srv_api_help(b, "caisson_requests_total", "counter", "Requests completed by the pool, by status.");
	for (size_t i = 0; i < s->npools; i++)
		for (int k = 0; k < CS_STATUS_COUNT; k++)
			evbuffer_add_printf(b, "caisson_requests_total{pool=\"%s\",status=\"%s\"} %llu\n",
					    s->pools[i]->cfg->name, cs_status_name((enum cs_status)k),
					    (unsigned long long)st[i].by_status[k]);
	srv_api_help(b, "caisson_requests_denied_total", "counter", "Requests refused by peer credentials (403).");
	for (size_t i = 0; i < s->npools; i++)
		evbuffer_add_printf(b, "caisson_requests_denied_total{pool=\"%s\"} %llu\n", s->pools[i]->cfg->name,
				    (unsigned long long)s->pools[i]->denied);
	srv_api_help(b, "caisson_request_duration_seconds", "histogram", "Submit-to-answer latency in the pool.");
	for (size_t i = 0; i < s->npools; i++)
		srv_api_hist(b, s->pools[i]);
	srv_api_help(b, "caisson_workers", "gauge", "Workers by state.");
	for (size_t i = 0; i < s->npools; i++) {
		const char *n = s->pools[i]->cfg->name;
#define SRV_STATE(x) evbuffer_add_printf(b, "caisson_workers{pool=\"%s\",state=\"" #x "\"} %u\n", n, st[i].x);
		POOL_STATES(SRV_STATE)
#undef SRV_STATE
	}
	srv_api_help(b, "caisson_spawns_total", "counter", "Workers spawned.");
	for (size_t i = 0; i < s->npools; i++)
		evbuffer_add_printf(b, "caisson_spawns_total{pool=\"%s\"} %llu\n", s->pools[i]->cfg->name,
				    (unsigned long long)st[i].spawned);
	srv_api_help(b, "caisson_spawn_failures_total", "counter", "Worker spawns that failed.");
	for (size_t i = 0; i < s->npools; i++)
		evbuffer_add_printf(b, "caisson_spawn_failures_total{pool=\"%s\"} %llu\n", s->pools[i]->cfg->name,
				    (unsigned long long)st[i].spawn_failed);
	srv_api_help(b, "caisson_breaker_open", "gauge", "1 while the pool's spawn breaker is open.");
	for (size_t i = 0; i < s->npools; i++)
		evbuffer_add_printf(b, "caisson_breaker_open{pool=\"%s\"} %d\n", s->pools[i]->cfg->name, st[i].failed);
	srv_api_help(b, "caisson_queue_depth", "gauge", "Requests waiting for a worker.");
	for (size_t i = 0; i < s->npools; i++)
		evbuffer_add_printf(b, "caisson_queue_depth{pool=\"%s\"} %u\n", s->pools[i]->cfg->name, st[i].queued);
}

int srv_api_metrics(struct srv *s, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct pool_stats *st = calloc(s->npools ? s->npools : 1, sizeof(*st));

	if (!b || !st) {
		free(st);
		if (b)
			evbuffer_free(b);
		srv_http_reply(s, req, 500, "INTERNAL", "out of memory", NULL);
		return 500;
	}
	for (size_t i = 0; i < s->npools; i++)
		pool_stats(s->pools[i]->pool, &st[i]);
	srv_api_families(b, s, st);
	evbuffer_add_printf(b, "# HELP caisson_clients Connected clients.\n# TYPE caisson_clients gauge\n"
			       "caisson_clients %u\n", s->nconns);
	free(st);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; version=0.0.4");
	srv_http_reply(s, req, 200, NULL, NULL, b);
	evbuffer_free(b);
	return 200;
}
