/* Dictionary files (-dict=) in libFuzzer's and AFL's format; see
 * fz_mutate.h. Pure; runs in the supervisor on a file the user names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz_mutate.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line, without its newline: blank, a comment, or [name=]"value".
 * 1 with a word, 0 for nothing, -1 with why. */
static int dict_line(const char *s, size_t n, struct fz_word *w, const char **why)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	while (i < n && s[i] != '"' && s[i] != '=')
		i++;
	if (i < n && s[i] == '=')
		i++;
	if (i == n || s[i] != '"') {
		*why = "expected [name=]\"value\"";
		return -1;
	}
	while (n > i + 1 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n < i + 2 || s[n - 1] != '"') {
		*why = "value not closed by '\"'";
		return -1;
	}
	w->len = 0;
	for (i++; i < n - 1; i++) {
		int c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < n - 1 && (s[i + 1] == '\\' || s[i + 1] == '"')) {
			c = (unsigned char)s[++i];
		} else if (c == '\\' && i + 3 < n - 1 && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
			   hexval(s[i + 3]) >= 0) {
			c = hexval(s[i + 2]) * 16 + hexval(s[i + 3]);
			i += 3;
		} else if (c == '\\' || c < 0x20 || c > 0x7e) {
			*why = "bad escape or unprintable byte (use \\\\, \\\" or \\xHH)";
			return -1;
		}
		if (w->len == FZ_WORD_MAX) {
			*why = "word longer than 64 bytes";
			return -1;
		}
		w->b[w->len++] = (uint8_t)c;
	}
	if (w->len == 0) {
		*why = "empty word";
		return -1;
	}
	return 1;
}

int fz_dict_parse(const char *text, size_t len, struct fz_dict *d, char *err, size_t errlen)
{
	size_t line = 0, pos = 0;

	d->w = NULL;
	d->n = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos), *why = "";
		size_t end = nl ? (size_t)(nl - text) : len;
		struct fz_word w;
		int r = dict_line(text + pos, end - pos, &w, &why);

		line++;
		pos = end + 1;
		if (r < 0 || (r > 0 && d->n == FZ_DICT_MAX)) {
			snprintf(err, errlen, "%zu: %s", line, r < 0 ? why : "more than 4096 words");
			fz_dict_free(d);
			return -1;
		}
		if (r == 0)
			continue;
		if (d->n % 64 == 0) {
			struct fz_word *nw = realloc(d->w, (d->n + 64) * sizeof(*nw));
			if (!nw) {
				snprintf(err, errlen, "%zu: out of memory", line);
				fz_dict_free(d);
				return -1;
			}
			d->w = nw;
		}
		d->w[d->n++] = w;
	}
	return 0;
}

void fz_dict_free(struct fz_dict *d)
{
	free(d->w);
	d->w = NULL;
	d->n = 0;
}
