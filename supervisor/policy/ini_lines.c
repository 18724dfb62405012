/* Strict lines for inih; see ini_lines.h. Pure; runs in the supervisor on
 * untrusted profile and configuration text. */
#include "ini_lines.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void ini_lines_init(struct ini_lines *l, const char *data, size_t len)
{
	*l = (struct ini_lines){ .data = data, .len = len };
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		l->pos = 3;
}

static int ini_lines_take(struct ini_lines *l, int num, const char **line, size_t *len, char *why,
			  size_t whylen)
{
	size_t rest = l->len - l->pos;
	const char *nl;

	if (!rest)
		return 0;
	*line = l->data + l->pos;
	nl = memchr(*line, '\n', rest);
	*len = nl ? (size_t)(nl - *line) : rest;
	l->taken = nl ? *len + 1 : *len;
	l->pos += l->taken;
	l->line++;
	if (num < 3)
		snprintf(why, whylen, "the INI parser's line buffer (%d bytes) is unusable", num);
	else if (memchr(*line, '\0', *len))
		snprintf(why, whylen, "NUL byte");
	else if (*len > (size_t)num - 2)
		snprintf(why, whylen, "line is %zu bytes long, more than the parser's %d", *len, num - 2);
	else
		return 1;
	return -1;
}

/* What inih would misread in a whole line: NULL, or the reason. An
 * indented line would be a continuation of the key before it ("  memory =
 * 1G" under wall_time would set wall_time). */
static const char *ini_lines_check(const char *line, size_t len, const char **section, size_t *seclen)
{
	size_t i = 0;
	const char *close;

	*section = NULL;
	*seclen = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] == ';' || line[i] == '#')
		return NULL;
	if (i)
		return "indented line (continuation lines are not supported; repeat the key)";
	if (line[0] != '[')
		return NULL;
	close = memchr(line, ']', len);
	if (!close)
		return "unterminated section header";
	for (const char *c = close + 1; c < line + len && *c != ';' && *c != '#'; c++)
		if (!isspace((unsigned char)*c))
			return "text after section header";
	*section = line + 1;
	*seclen = (size_t)(close - line - 1);
	return NULL;
}

int ini_lines_next(struct ini_lines *l, int num, const char **section, size_t *seclen, char *why,
		   size_t whylen)
{
	const char *line, *bad;
	size_t len;
	int rc = ini_lines_take(l, num, &line, &len, why, whylen);

	if (rc <= 0)
		return rc;
	bad = ini_lines_check(line, len, section, seclen);
	if (!bad)
		return 1;
	snprintf(why, whylen, "%s", bad);
	return -1;
}

char *ini_lines_give(const struct ini_lines *l, char *str)
{
	memcpy(str, l->data + l->pos - l->taken, l->taken);
	str[l->taken] = '\0';
	return str;
}

void ini_vfail(const char *file, uint32_t line, uint32_t *err_line, char *err, size_t errlen,
	       const char *fmt, va_list ap)
{
	int n;

	if (*err_line)
		return;
	*err_line = line ? line : 1;
	if (!errlen)
		return;
	n = snprintf(err, errlen, "%s:%u: ", file, *err_line);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	for (char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}
