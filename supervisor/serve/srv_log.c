/* caisson serve's log: one JSON object per line on stderr (jansson), per
 * request and per daemon event. Strings from clients or workers are
 * escaped by jansson and bounded by the callers. Runs in the daemon. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "srv_int.h"

static void srv_log_emit(json_t *o)
{
	struct timespec ts;
	char *line;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_set_new(o, "ts", json_real((double)ts.tv_sec + ts.tv_nsec / 1e9));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (line) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(o);
}

/* NULL becomes JSON null; invalid UTF-8 (jansson refuses it) too. */
static json_t *srv_log_str(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

void srv_log_request(const struct srv_log_req *l)
{
	json_t *o = json_object();

	if (!o)
		return;
	json_object_set_new(o, "event", json_string("request"));
	json_object_set_new(o, "request_id", json_integer((json_int_t)l->rid));
	json_object_set_new(o, "method", srv_log_str(l->method));
	json_object_set_new(o, "path", srv_log_str(l->path));
	json_object_set_new(o, "pool", srv_log_str(l->pool));
	json_object_set_new(o, "http", json_integer(l->code));
	json_object_set_new(o, "status", srv_log_str(l->status));
	json_object_set_new(o, "detail", srv_log_str(l->detail));
	json_object_set_new(o, "latency_us", json_integer((json_int_t)l->latency_us));
	json_object_set_new(o, "worker_pid", l->worker > 0 ? json_integer(l->worker) : json_null());
	json_object_set_new(o, "peer_uid", l->peer_uid >= 0 ? json_integer(l->peer_uid) : json_null());
	srv_log_emit(o);
}

void srv_log_event(const char *event, const char *detail)
{
	json_t *o = json_object();

	if (!o)
		return;
	json_object_set_new(o, "event", srv_log_str(event));
	json_object_set_new(o, "detail", srv_log_str(detail));
	srv_log_emit(o);
}
