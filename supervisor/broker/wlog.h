/* A worker's log pipe (its stderr) as lines a terminal or a log can show
 * safely: every byte that is not printable ASCII (C0 controls with ESC,
 * BEL, CR and TAB, DEL, and every byte from 0x80 up, so C1 controls raw
 * or UTF-8-encoded) becomes a visible \xNN escape, and every line starts
 * with the worker's identity, so no worker can drive the terminal or
 * write a line that passes for the supervisor's. Runs in the supervisor;
 * pure apart from the stream it writes to. */
#ifndef CAISSON_WLOG_H
#define CAISSON_WLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define WLOG_LINE_MAX 256u /* escaped bytes per line shown; longer lines go on in pieces */
#define WLOG_PREFIX_MAX 48u

struct wlog {
	char prefix[WLOG_PREFIX_MAX]; /* "[worker SLOT pid PID] " */
	char line[WLOG_LINE_MAX];
	size_t len;
};

void wlog_init(struct wlog *l, uint32_t slot, pid_t pid);
/* Escapes n bytes of the worker's output into the pending line, writing
 * each completed line (one fputs each) to out. */
void wlog_feed(struct wlog *l, const uint8_t *data, size_t n, FILE *out);
/* Writes what is pending without its newline (the worker ended mid-line). */
void wlog_flush(struct wlog *l, FILE *out);
/* The escaped form of one byte in out (NUL-terminated); returns its length. */
size_t wlog_escape(uint8_t c, char out[5]);
/* n bytes of worker output as text for a file or a report: newlines kept,
 * every other byte escaped as above; a malloc'd copy of *outlen bytes (at
 * most 4 n), or NULL when out of memory. */
char *wlog_escape_text(const uint8_t *data, size_t n, size_t *outlen);

#endif
