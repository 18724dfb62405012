/* The parse state's one error path; see profile_parse.h. Runs in the
 * supervisor on untrusted profile text. */
#include "profile_parse.h"

#include <stdarg.h>
#include <stdio.h>

/* Control bytes from the file are replaced in the message so that it
 * cannot drive a terminal. */
int profile_fail(struct profile_parse *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err_line)
		return 0;
	ps->err_line = ps->line ? ps->line : 1;
	if (!ps->errlen)
		return 0;
	n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->err_line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (char *c = ps->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return 0;
}
