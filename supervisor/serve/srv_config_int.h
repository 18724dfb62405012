/* Internal to caisson serve's configuration parser: the state of one
 * parse, shared by the reader (srv_config.c) and the key setters
 * (srv_config_keys.c), and its one error path. Runs in the supervisor. */
#ifndef CAISSON_SRV_CONFIG_INT_H
#define CAISSON_SRV_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/ini_lines.h"
#include "srv_config.h"

#define SRV_KEYS_MAX 16

struct srv_parse;
typedef int (*srv_setter)(struct srv_parse *ps, const char *v);

struct srv_key {
	bool pool; /* a [pool NAME] key, else [server] */
	const char *name;
	srv_setter set;
};

struct srv_parse {
	const char *file;
	struct ini_lines lines; /* the text, handed to inih a whole line at a time */
	uint32_t line, err_line;
	struct srv_config *c;
	int cur;            /* -2 none yet, -1 [server], else the pool index */
	bool server_seen;
	uint32_t seen[SRV_POOLS_MAX + 1][SRV_KEYS_MAX]; /* [0] server, [i+1] pool i */
	char dir[PATH_MAX]; /* the config's directory, for relative paths */
	char *err;
	size_t errlen;
};

/* Records the first error as "FILE:LINE: message" at ps->line; returns 0
 * (inih's "error" from a handler). */
int srv_fail(struct srv_parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The key table: [server] keys and [pool NAME] keys. */
extern const struct srv_key srv_keys[];
extern const size_t srv_nkeys;

#endif
