/* caisson serve: the run endpoint's query string as per-request arguments;
 * see srv_args.h. Runs in the daemon on bytes any permitted client sends:
 * every piece is bounded by the query, which evhttp bounds by its header
 * limit. */
#include "srv_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int srv_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes len bytes of s into dst; the decoded length, or -1 for a '%'
 * not followed by two hex digits. */
static long srv_unescape(const char *s, size_t len, char *dst)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			dst[o++] = s[i];
			continue;
		}
		if (len - i < 3 || srv_hex(s[i + 1]) < 0 || srv_hex(s[i + 2]) < 0)
			return -1;
		dst[o++] = (char)(srv_hex(s[i + 1]) << 4 | srv_hex(s[i + 2]));
		i += 2;
	}
	return (long)o;
}

int srv_args_parse(const char *q, struct srv_args *a, char *why, size_t whylen)
{
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	if (!(a->buf = malloc(strlen(q) + 1))) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (const char *p = q; *p; p += *p == '&') {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		long kl, vl;

		if (len == 0)
			continue;
		if (!eq) {
			snprintf(why, whylen, "query piece '%.40s' is not KEY=VALUE", p);
			return -1;
		}
		if (a->n++ >= IPC_ARGS_MAX) {
			p += len;
			continue;
		}
		kl = srv_unescape(p, (size_t)(eq - p), a->buf + off);
		vl = kl < 0 ? -1 : srv_unescape(eq + 1, len - (size_t)(eq - p) - 1, a->buf + off + kl);
		if (vl < 0) {
			snprintf(why, whylen, "malformed percent-encoding in query piece '%.40s'", p);
			return -1;
		}
		a->kv[a->n - 1] = (struct ipc_kv){ a->buf + off, (size_t)kl, a->buf + off + kl, (size_t)vl };
		off += (size_t)(kl + vl);
		p += len;
	}
	return 0;
}

void srv_args_free(struct srv_args *a)
{
	free(a->buf);
	a->buf = NULL;
}
