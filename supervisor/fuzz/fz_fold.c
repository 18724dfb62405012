/* Folding keys for findings; see fz_fold.h. Pure; runs in the supervisor. */
#include "fz_fold.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void fz_fold_key(enum cs_status st, const char *detail, const char *hash, char *out, size_t len)
{
	size_t o;

	if (!len)
		return;
	o = (size_t)snprintf(out, len, "%s", cs_status_name(st));
	/* A crash with a stack is that stack, whatever the signal says. */
	if (hash && hash[0] && fz_fold_kind(st) && !strcmp(fz_fold_kind(st), "crash")) {
		if (o + 1 < len)
			snprintf(out + o, len - o, " stack %s", hash);
		return;
	}
	/* A limit's detail is a measurement (peak memory, time used): the
	 * status alone is the finding. */
	if (st == CS_TIMEOUT || st == CS_CPU_LIMIT || st == CS_MEMORY_LIMIT || o + 1 >= len)
		return;
	out[o++] = ' ';
	for (const char *p = detail; *p && o + 1 < len;) {
		size_t n = 0;
		/* 0x and five or more hex digits: an address, not a value. */
		if (p[0] == '0' && p[1] == 'x')
			while (isxdigit((unsigned char)p[2 + n]))
				n++;
		if (n >= 5) {
			const char *a = "0x?";
			for (; *a && o + 1 < len; a++)
				out[o++] = *a;
			p += 2 + n;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
}

const char *fz_fold_kind(enum cs_status st)
{
	switch (st) {
	case CS_OK:
	case CS_PLUGIN_ERROR: return NULL;
	case CS_TIMEOUT:
	case CS_CPU_LIMIT: return "timeout";
	case CS_MEMORY_LIMIT: return "oom";
	case CS_VIOLATION: return "violation";
	default: return "crash";
	}
}
