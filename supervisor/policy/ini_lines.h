/* Strict lines for inih, shared by every INI file caisson reads (profiles,
 * the daemon's config). inih as packaged keeps going after an error and
 * splits a line longer than its buffer into several lines (the tail would
 * be parsed as a line of its own), and reads an indented line as the
 * continuation of the key before it. So text reaches inih only through a
 * reader built on ini_lines_next(), which hands over whole lines or stops
 * the parse, and refuses what inih would misread.
 * Pure; runs in the supervisor on untrusted text. */
#ifndef CAISSON_INI_LINES_H
#define CAISSON_INI_LINES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct ini_lines {
	const char *data;
	size_t len, pos;
	uint32_t line; /* the line last taken, 1-based; 0 before the first */
	size_t taken;  /* its bytes, newline included */
};

/* Starts over data; a UTF-8 byte order mark is skipped, so line 1 is
 * checked exactly as inih would read it without one. */
void ini_lines_init(struct ini_lines *l, const char *data, size_t len);
/* Takes the next line for an inih reader whose buffer holds num bytes:
 * 1 when inih may have it (a section header's name, what the brackets
 * hold, left in *section and *seclen, else NULL: inih never reports a
 * section without keys, so the caller checks names here); 0 at the end;
 * -1 when inih would misread it (NUL byte, longer than the buffer, an
 * indented line, a broken section header), with the reason in why. */
int ini_lines_next(struct ini_lines *l, int num, const char **section, size_t *seclen, char *why,
		   size_t whylen);
/* Records a parse's first error as "FILE:LINE: message" in err (errlen
 * bytes) at line (1 when 0), setting *err_line; once *err_line is set,
 * later errors are dropped. Control bytes in the message become '?', so
 * text quoted from the file cannot drive a terminal. */
void ini_vfail(const char *file, uint32_t line, uint32_t *err_line, char *err, size_t errlen,
	       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* Copies the line last taken, newline included, into inih's buffer (of
 * the num bytes ini_lines_take() accepted it for). */
char *ini_lines_give(const struct ini_lines *l, char *str);

#endif
