/* Pure parsers for the numbers in profiles: durations with a mandatory unit
 * (us, ms, s, min, h), sizes with an optional binary suffix (K, M, G, T) and
 * plain unsigned integers; and the reverse, for `caisson profile show`. No syscalls, no globals; runs in the supervisor.
 * Error convention: each returns UNITS_OK (0) or a positive enum units_err. */
#ifndef CAISSON_UNITS_H
#define CAISSON_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum units_err {
	UNITS_OK = 0,
	UNITS_E_EMPTY,    /* empty string */
	UNITS_E_SYNTAX,   /* not digits followed by a unit (sign, space, dot...) */
	UNITS_E_NO_UNIT,  /* a duration without its unit */
	UNITS_E_UNIT,     /* unknown unit or suffix */
	UNITS_E_OVERFLOW, /* does not fit in 64 bits */
};

/* "250ms", "2s", "1min", "1h", "1500us" -> microseconds. */
enum units_err units_duration_us(const char *s, uint64_t *us);
/* "512M", "16K", "4096" (bytes) -> bytes; K = 1024, M = 1024 K, ... */
enum units_err units_size_bytes(const char *s, uint64_t *bytes);
/* "16" -> 16; digits only. */
enum units_err units_uint(const char *s, uint64_t *v);
/* The inverses, in the largest unit that is exact: 5000000 -> "5s",
 * 1500000 -> "1500ms"; 268435456 -> "256M", 1000 -> "1000". Truncate to
 * len bytes like snprintf. */
void units_format_us(uint64_t us, char *buf, size_t len);
void units_format_size(uint64_t bytes, char *buf, size_t len);
/* Human-readable reason, for "FILE:LINE: key: reason". */
const char *units_strerror(enum units_err e);

#endif
