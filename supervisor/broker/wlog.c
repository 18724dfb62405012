/* See wlog.h. */
#include "wlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void wlog_init(struct wlog *l, uint32_t slot, pid_t pid)
{
	snprintf(l->prefix, sizeof(l->prefix), "[worker %u pid %d] ", slot, (int)pid);
	l->len = 0;
}

size_t wlog_escape(uint8_t c, char out[5])
{
	if (c >= 0x20 && c < 0x7f && c != '\\') {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	snprintf(out, 5, "\\x%02x", c);
	return 4;
}

static void wlog_emit(struct wlog *l, FILE *out)
{
	char buf[WLOG_PREFIX_MAX + WLOG_LINE_MAX + 2];

	/* One write per line: lines of several workers never interleave. */
	snprintf(buf, sizeof(buf), "%s%.*s\n", l->prefix, (int)l->len, l->line);
	fputs(buf, out);
	l->len = 0;
}

void wlog_feed(struct wlog *l, const uint8_t *data, size_t n, FILE *out)
{
	char e[5];

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (data[i] == '\n') {
			wlog_emit(l, out);
			continue;
		}
		k = wlog_escape(data[i], e);
		if (l->len + k > sizeof(l->line))
			wlog_emit(l, out);
		memcpy(l->line + l->len, e, k);
		l->len += k;
	}
}

void wlog_flush(struct wlog *l, FILE *out)
{
	if (l->len)
		wlog_emit(l, out);
}

char *wlog_escape_text(const uint8_t *data, size_t n, size_t *outlen)
{
	char *out = malloc(n * 4 + 1), e[5];
	size_t len = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t k = data[i] == '\n' ? (e[0] = '\n', 1) : wlog_escape(data[i], e);
		memcpy(out + len, e, k);
		len += k;
	}
	out[len] = '\0';
	*outlen = len;
	return out;
}
