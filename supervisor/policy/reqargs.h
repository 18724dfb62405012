/* Per-request arguments (issue 15): the keys a profile's [args] section
 * declares, each with a type (int LO..HI, enum A,B,..., word N), and the
 * check of a request's key=value pairs against them, done in the
 * supervisor before anything is sent to a worker. Pure code (no I/O, no
 * globals); the key table lives in struct profile.
 * Error convention: 0, or -1 with one line in why (no file or line: the
 * caller adds them). */
#ifndef CAISSON_REQARGS_H
#define CAISSON_REQARGS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_args.h"

#define REQARGS_MAX_KEYS 32u  /* keys a profile may declare */
#define REQARGS_ENUM_MAX 255u /* an enum's member list, as stored: "a,b,c" */
#define REQARGS_MEMBER_MAX 64u
#define REQARGS_WORD_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"

enum reqargs_type { REQARGS_INT, REQARGS_ENUM, REQARGS_WORD };

struct reqargs_key {
	char name[IPC_ARG_KEY_MAX + 1]; /* [a-z][a-z0-9_]* */
	enum reqargs_type type;
	int64_t lo, hi;                 /* int: inclusive */
	uint32_t max;                   /* word: bytes, 1..IPC_ARG_VAL_MAX */
	char members[REQARGS_ENUM_MAX + 1]; /* enum: its members, comma-separated */
	uint32_t line;                  /* where the profile declared it */
};

struct reqargs_decl {
	uint32_t n;
	struct reqargs_key keys[REQARGS_MAX_KEYS];
};

/* Adds "key = type" (as written in [args]) to d. */
int reqargs_declare(struct reqargs_decl *d, const char *key, const char *type, uint32_t line, char *why,
		    size_t whylen);
/* The declared key of klen bytes, or NULL. */
const struct reqargs_key *reqargs_find(const struct reqargs_decl *d, const char *key, size_t klen);
/* The type as a profile writes it: "int 1..9999", "enum png,jpeg", "word 64". */
void reqargs_type_text(const struct reqargs_key *k, char *buf, size_t len);
/* Checks a request's n pairs: at most IPC_ARGS_MAX, each key declared, at
 * most IPC_ARG_KEY_MAX bytes and given once, each value at most
 * IPC_ARG_VAL_MAX bytes and of its key's type, no NUL anywhere. why
 * quotes what failed with every byte outside printable ASCII as '?'. */
int reqargs_check(const struct reqargs_decl *d, const struct ipc_kv *kv, size_t n, char *why, size_t whylen);
/* Splits "key=value" (len bytes, split at the first '=') into kv; -1 when
 * it has no '=' (kv untouched). */
int reqargs_split(const char *s, size_t len, struct ipc_kv *kv);
/* The lint's part: a declaration that is valid but unsafe to use. 0, or -1
 * with *line and why: a key named like an exec placeholder ({in}, {out}),
 * an int range reaching below 0 (its values would start with '-', like an
 * option). */
int reqargs_lint(const struct reqargs_decl *d, uint32_t *line, char *why, size_t whylen);

#endif
