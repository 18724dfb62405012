/* The parse state's one error path; see profile_parse.h. Runs in the
 * supervisor on untrusted profile text. */
#include "profile_parse.h"

#include <stdarg.h>

int profile_fail(struct profile_parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_vfail(ps->file, ps->line, &ps->err_line, ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return 0;
}
