/* Internal to caisson serve: the daemon's state, shared by its files
 * (serve.c the loop and signals, srv_pools.c the pools, srv_http.c the
 * requests, srv_api.c the status endpoints, srv_log.c the log lines).
 * Everything runs on the one event_base thread of the daemon. */
#ifndef CAISSON_SRV_INT_H
#define CAISSON_SRV_INT_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "srv_config.h"
#include "broker/pool.h"
#include "policy/policy.h"
#include "policy/profile.h"

/* Latency histogram bounds (µs), Prometheus "le" buckets; +Inf implied. */
#define SRV_HIST_BOUNDS(X) \
	X(100) X(250) X(500) X(1000) X(2500) X(5000) X(10000) X(25000) X(50000) X(100000) \
	X(250000) X(500000) X(1000000) X(2500000) X(5000000) X(10000000)
#define SRV_HIST_COUNT_ONE(b) +1
#define SRV_HIST_N (0 SRV_HIST_BOUNDS(SRV_HIST_COUNT_ONE))

/* A pool's files as it was built from them: a reload replaces the pool
 * when either changed (a new inode, size or modification time). */
struct srv_pool_id {
	dev_t dev[2];
	ino_t ino[2];
	off_t size[2];
	struct timespec mtime[2];
};

struct srv_pool {
	const struct srv_pool_cfg *cfg; /* &conf: the pool keeps its own copy, so
					 * a reload can replace the configuration
					 * while it drains */
	struct srv_pool_cfg conf;
	struct srv_pool_id ids;        /* what it was built from (srv_reload.c) */
	uint32_t inflight;             /* its requests not yet answered */
	bool retiring;                 /* replaced or removed by a reload */
	struct profile prof;
	struct policy pol;
	struct wk_config *wcfg;
	struct pool *pool;
	uint64_t hist[SRV_HIST_N + 1]; /* non-cumulative; [SRV_HIST_N] is +Inf */
	uint64_t lat_sum_us, lat_count;
	uint64_t denied;               /* 403s for this pool */
	uint64_t wall_ms;              /* the profile's wall time, for the drain */
};

struct srv_conn {
	struct evhttp_connection *evcon;
	uint32_t sending; /* its replies not yet written */
};

struct srv {
	struct event_base *base;
	const char *config_path;
	struct srv_config *cfg;
	struct srv_pool **pools;    /* the pools requests can reach */
	size_t npools;
	struct srv_pool **retiring; /* pools a reload took out, until their requests end */
	size_t nretiring;
	struct event *retire_ev;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	dev_t sock_dev;
	ino_t sock_ino;
	bool sock_made;
	uint64_t next_rid;
	uint32_t inflight;  /* run requests their pool has not answered */
	uint32_t sending;   /* replies evhttp is still writing (srv_conn.c) */
	bool draining;
	int exit_code;
	struct srv_conn *conns; /* live clients (max_clients) */
	uint32_t nconns;
	struct event *sig[4], *drain_timer;
	uid_t self_uid;
	struct srv_sd *sd;  /* libsystemd, when systemd's environment is set */
	int sd_fd;          /* the socket systemd passed, or -1 */
	struct event *chld_ev;
	uint64_t reaped;    /* orphans reaped while running (srv_reap.c) */
};

/* srv_pools.c: srv_pool_new builds one pool of c (NULL with the reason in
 * err, "pool 'NAME' (line N): why"); srv_pool_free ends it (pool_free:
 * what it still holds completes CANCELLED). */
struct srv_pool *srv_pool_new(struct srv *s, const struct srv_pool_cfg *c, char *err, size_t errlen);
void srv_pool_free(struct srv_pool *p);
int srv_pool_identify(const struct srv_pool_cfg *c, struct srv_pool_id *id, char *err, size_t errlen);
int srv_pools_open(struct srv *s, char *err, size_t errlen);
void srv_pools_close(struct srv *s);
struct srv_pool *srv_pool_find(struct srv *s, const char *name, size_t len);

/* srv_reload.c: SIGHUP. The configuration is read again; pools whose
 * section, profile and plugin are unchanged are kept, new and changed ones
 * built, and only once every one of them is built do requests go to them;
 * a replaced or removed pool finishes what it holds, then is freed
 * (srv_pool_done). Anything that fails leaves the running configuration
 * as it was, with a log line saying why. */
void srv_reload(struct srv *s);
/* A request of p ended (called after its reply): frees p if it retired
 * and this was its last, outside the pool's own callback. */
void srv_pool_done(struct srv *s, struct srv_pool *p);
int srv_reload_setup(struct srv *s);

/* srv_peer.c: the client's credentials and whether a pool admits them. */
struct srv_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[256];
	int ngroups; /* -1: the supplementary groups could not be read */
};
int srv_peer_get(struct evhttp_request *req, struct srv_peer *peer);
bool srv_peer_allowed(const struct srv *s, const struct srv_pool *p, const struct srv_peer *peer);
bool srv_peer_allowed_any(const struct srv *s, const struct srv_peer *peer);

/* srv_http.c */
void srv_http_setup(struct srv *s);

/* srv_reply.c: every answer goes out through srv_http_reply. */
#define SRV_DETAIL_MAX 256
void srv_sanitise(const char *in, char *out, size_t cap);
void srv_http_reply(struct srv *s, struct evhttp_request *req, int code, const char *status,
		    const char *detail, struct evbuffer *body);

/* srv_api.c: GET endpoints; each returns the HTTP status it sent. */
int srv_api_pools(struct srv *s, struct evhttp_request *req);
int srv_api_metrics(struct srv *s, struct evhttp_request *req);
int srv_api_healthz(struct srv *s, struct evhttp_request *req);

/* srv_log.c: one JSON object per line on stderr. */
struct srv_log_req {
	uint64_t rid;
	const char *pool, *method, *path, *status, *detail;
	int code;
	uint64_t latency_us;
	pid_t worker;
	long peer_uid; /* -1: unknown */
};
void srv_log_request(const struct srv_log_req *l);
void srv_log_event(const char *event, const char *detail);

/* srv_systemd.c: srv_sd_init (before the pools) loads libsystemd when
 * LISTEN_FDS or NOTIFY_SOCKET is set and takes the activated socket into
 * sd_fd; srv_sd_notify sends a state ("READY=1", ...; nothing without
 * systemd); srv_sd_watchdog starts the pings when WATCHDOG_USEC asks. */
struct srv_sd;
int srv_sd_init(struct srv *s, char *err, size_t errlen);
void srv_sd_notify(struct srv *s, const char *state);
int srv_sd_watchdog(struct srv *s, char *err, size_t errlen);
void srv_sd_free(struct srv *s);

/* srv_reap.c: on SIGCHLD, reap every exited child but the pools' zygotes. */
int srv_reap_setup(struct srv *s);

/* srv_conn.c: the clients. A client counts from its first request until
 * its connection closes; admit refuses one past max_clients. A reply is
 * counted from srv_conn_sending until written or its connection is gone,
 * so a drain waits for it. srv_drain_check ends the loop once a drain has
 * nothing left (called when a run request or a reply finishes). */
bool srv_conn_admit(struct srv *s, struct evhttp_connection *evcon);
void srv_conn_sending(struct srv *s, struct evhttp_request *req);
void srv_drain_check(struct srv *s);

#endif
