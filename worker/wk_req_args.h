/* A request's key=value arguments as the worker holds them once decoded
 * (issue 15: the per-request arguments' decoder fills it; an exec worker's
 * ARGS template reads it for its {KEY} placeholders, wk_exec.c). Pointers
 * into the request's message, valid while it is served. */
#ifndef CAISSON_WK_REQ_ARGS_H
#define CAISSON_WK_REQ_ARGS_H

#include <stdint.h>

#define WK_REQ_ARGS_MAX 16u

struct wk_req_args {
	uint32_t n;
	struct {
		const char *key, *val;
	} kv[WK_REQ_ARGS_MAX];
};

#endif
