/* The supervisor core: runs requests in sandboxed workers cloned by the
 * zygote, and maps every way a worker can end to exactly one status.
 * Runs in the supervisor process (the CLI, or an embedding service) on a
 * libevent event_base. Errors: -1 with a message in err; never exits. */
#ifndef CAISSON_SV_H
#define CAISSON_SV_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "zyg.h"

struct policy;

struct sv_limits {
	uint64_t wall_ms, cpu_ms, memory_bytes, output_bytes, input_bytes;
};

struct cs_result {
	enum cs_status status;
	uint8_t *out; /* malloc'd, out_len bytes (at most the output limit) */
	size_t out_len;
	char detail[512];
	pid_t pid; /* the worker that served it, 0 if none started */
};

struct sv_worker;

struct sv {
	struct event_base *base;
	struct zyg zyg;
	const struct policy *pol;
	struct sv_limits lim;
	int verbose;
	uint64_t next_id;
	struct sv_worker *cur;
	char lost[128];
	/* Test hook: called once a worker has said READY, before its request. */
	void (*on_ready)(void *arg, pid_t pid);
	void *on_ready_arg;
};

int sv_init(struct sv *s, struct event_base *base, const struct policy *pol,
	    const struct sv_limits *lim, const struct wk_config *cfg, char *err, size_t errlen);
/* Runs one request in a fresh worker; always fills res (caller frees res->out). */
void sv_run(struct sv *s, const uint8_t *in, size_t len, struct cs_result *res);
void sv_close(struct sv *s);

#endif
