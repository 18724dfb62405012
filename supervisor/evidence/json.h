/* A small JSON emitter onto a FILE*, for the machine-readable `caisson
 * verify` writers. Runs in the supervisor with its privileges; touches
 * nothing but the caller's stream.
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become
 * U+FFFD, so whatever a worker put in a string the output stays valid JSON.
 * The emitter tracks nesting and commas itself: a call that would break the
 * document (a key outside an object, a bare value inside one, a wrong close,
 * nesting deeper than JSON_MAX_DEPTH) stops all output and is reported as
 * EINVAL by jw_finish. The first write error is sticky the same way.
 * Its functions are jw_*, not json_*: that prefix is jansson's (the
 * daemon links it), and a caisson binary's json_null once won over
 * jansson's own. */
#ifndef CAISSON_JSON_H
#define CAISSON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int err;                        /* errno of the first failure, 0 if none */
	int depth;                      /* open containers */
	bool done;                      /* the top-level value is complete */
	bool want_value;                /* a key was written, its value is due */
	bool is_obj[JSON_MAX_DEPTH];    /* per level: object (true) or array */
	bool has_items[JSON_MAX_DEPTH]; /* per level: a member was written */
};

void jw_init(struct json *j, FILE *f);
/* 0 when one complete value was written and flushed, else -1 with errno
 * (EINVAL for misuse or an unfinished document, the stream's errno else). */
int jw_finish(struct json *j);

void jw_obj_begin(struct json *j);
void jw_obj_end(struct json *j);
void jw_arr_begin(struct json *j);
void jw_arr_end(struct json *j);
void jw_key(struct json *j, const char *key);

/* Values. jw_strn reads exactly n bytes (NULs included, escaped). */
void jw_str(struct json *j, const char *s);
void jw_strn(struct json *j, const char *s, size_t n);
void jw_int(struct json *j, long long v);
void jw_uint(struct json *j, unsigned long long v);
void jw_bool(struct json *j, bool v);
void jw_null(struct json *j);
void jw_hex(struct json *j, const uint8_t *b, size_t n);    /* lower-case */
void jw_base64(struct json *j, const uint8_t *b, size_t n); /* RFC 4648 */

/* key + value in one call. */
void jw_kstr(struct json *j, const char *key, const char *s);
void jw_kstrn(struct json *j, const char *key, const char *s, size_t n);
void jw_kint(struct json *j, const char *key, long long v);
void jw_kuint(struct json *j, const char *key, unsigned long long v);
void jw_kbool(struct json *j, const char *key, bool v);
void jw_kobj(struct json *j, const char *key);
void jw_karr(struct json *j, const char *key);

/* A char array field, bounded by its size even without a NUL. Refuses to
 * compile for a pointer, whose sizeof would be the pointer's. */
#define JSON_ARRAY_LEN(a)                                                      \
	(sizeof(a) + 0 * sizeof(struct {                                       \
		 int dummy_;                                                   \
		 _Static_assert(!__builtin_types_compatible_p(__typeof__(a),   \
							      __typeof__(&(a)[0])), \
				"JSON_ARRAY_LEN needs an array");              \
	 }))
#define jw_kfield(j, key, a) jw_kstrn((j), (key), (a), strnlen((a), JSON_ARRAY_LEN(a)))

/* One UTF-8 sequence at s (n bytes available): its length with the code
 * point in *cp, or 0 when the bytes there are not a valid, shortest-form,
 * non-surrogate sequence (then the caller treats s[0] as one bad byte). */
size_t jw_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

#endif
