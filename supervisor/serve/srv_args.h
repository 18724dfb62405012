/* caisson serve: a run request's per-request arguments, from its query
 * string: KEY=VALUE pairs joined by '&', each side percent-encoded ('+' is
 * itself, not a space). Pure; runs in the daemon on a client's bytes. The
 * pairs are checked against the pool's profile by the pool (BAD_ARGS). */
#ifndef CAISSON_SRV_ARGS_H
#define CAISSON_SRV_ARGS_H

#include <stddef.h>

#include "ipc/ipc_args.h"

/* n counts every pair of the query; kv holds the first IPC_ARGS_MAX (more
 * are refused by their count), pointing into buf (decoded bytes, a NUL
 * among them is kept and refused by the check). */
struct srv_args {
	struct ipc_kv kv[IPC_ARGS_MAX];
	size_t n;
	char *buf;
};

/* 0, or -1 with why (a piece without '=', a malformed %XX, out of
 * memory); free with srv_args_free either way. */
int srv_args_parse(const char *query, struct srv_args *a, char *why, size_t whylen);
void srv_args_free(struct srv_args *a);

#endif
