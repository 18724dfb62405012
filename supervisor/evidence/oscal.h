/* OSCAL datatypes for the assessment-results writer (verify_oscal.c):
 * version-4 UUIDs from getrandom, DateTimeWithTimezone values, StringDatatype
 * text (non-empty, no control characters, no leading or trailing white
 * space, one line) and inert markup text. Runs in the supervisor; pure apart
 * from getrandom and the clock. */
#ifndef CAISSON_OSCAL_H
#define CAISSON_OSCAL_H

#include <stdbool.h>
#include <stddef.h>

#define OSCAL_UUID_LEN 37 /* 8-4-4-4-12 hex digits and a NUL */
#define OSCAL_TIME_LEN 21 /* YYYY-MM-DDTHH:MM:SSZ and a NUL */

/* n fresh random version-4 UUIDs: 0, or -1 with errno. */
int oscal_uuids(char (*out)[OSCAL_UUID_LEN], size_t n);

/* s (n bytes at most) as YYYY-MM-DDTHH:MM:SSZ naming an existing second of
 * the years 1900-2999 (the range OSCAL's pattern admits): copied to out and
 * true, else false. */
bool oscal_time(const char *s, size_t n, char out[OSCAL_TIME_LEN]);
/* The last second of the day YYYY-MM-DD (UTC), as with oscal_time. */
bool oscal_day_end(const char *s, size_t n, char out[OSCAL_TIME_LEN]);
void oscal_time_now(char out[OSCAL_TIME_LEN]);

/* src (srcsz bytes at most, up to its NUL) as StringDatatype into dst:
 * invalid UTF-8 becomes U+FFFD, runs of control and white-space characters
 * one space, leading and trailing ones none; cut at a character boundary
 * to fit; fallback when nothing printable is left. */
void oscal_string(char *dst, size_t dstsz, const char *src, size_t srcsz,
		  const char *fallback);

/* src as OSCAL markup (Markdown) that renders as the same plain text: the
 * characters that open links, images, HTML, code, emphasis, entities or
 * tables are backslash-escaped and control characters become spaces, so
 * text a worker chose cannot inject markup into an assessor's viewer.
 * Cut to fit dstsz, never inside an escape. */
void oscal_markup(char *dst, size_t dstsz, const char *src);

#endif
