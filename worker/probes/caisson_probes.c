/* caisson-probes.so: the containment probes of `caisson verify`, a plugin
 * built like any third party's (the ABI header and libc only). Runs inside
 * a locked, sealed worker of the profile under test, one probe per fresh
 * worker. The request is one line the supervisor writes:
 *   NAME [sup=PID] [peer=PID] [mem=N] [out=N] [cpu=MS] [port=N] [abs=NAME]
 *        [ses=SERIAL] [ukr=SERIAL] [scratch=N] [dataents=N] [data=PATH]
 *        [dataw=PATH] [self=PATH]
 * self, when present, is last and runs to the end of the line. Anything
 * else is refused (PLUGIN_ERROR): the supervisor counts that as an error,
 * never as contained. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define PROBE_REQ_MAX (3 * PROBE_PATH_MAX + 768u)

static const struct {
	const char *name;
	void (*fn)(const struct pctx *c);
} probe_table[] = {
#define PROBE_ROW(id, name, cat, kind, attempt) { name, probe_##id },
	PROBES(PROBE_ROW)
#undef PROBE_ROW
};

const char *probe_errname(int err)
{
	const char *n = strerrorname_np(err);
	return n ? n : "EUNKNOWN";
}

void probe_say(const struct pctx *c, const char *fmt, ...)
{
	char line[PROBE_ANSWER_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	caisson_out_write(c->out, line, strnlen(line, sizeof(line)));
}

void probe_result(const struct pctx *c, long rc, const char *what)
{
	if (rc < 0)
		probe_say(c, "blocked %s", probe_errname(errno));
	else
		probe_say(c, "escaped %s returned %ld", what, rc);
}

/* A decimal number with nothing around it. */
static int parse_num(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_pair(struct pctx *c, const char *key, const char *val)
{
	unsigned long long v;

	if (!strcmp(key, "abs") || !strcmp(key, "data") || !strcmp(key, "dataw")) {
		char *dst = !strcmp(key, "abs") ? c->abs : !strcmp(key, "data") ? c->data : c->dataw;
		size_t cap = !strcmp(key, "abs") ? sizeof(c->abs) : sizeof(c->data);

		if (strlen(val) >= cap || (dst != c->abs && val[0] != '/'))
			return -1;
		strcpy(dst, val);
		return 0;
	}
	if (parse_num(val, &v) < 0)
		return -1;
	if (!strcmp(key, "sup") || !strcmp(key, "peer")) {
		if (v == 0 || v > 4194304)
			return -1;
		*(!strcmp(key, "sup") ? &c->sup : &c->peer) = (long)v;
	} else if (!strcmp(key, "ses") || !strcmp(key, "ukr")) {
		if (v > 0x7fffffff)
			return -1;
		*(!strcmp(key, "ses") ? &c->ses : &c->ukr) = (long)v;
	} else if (!strcmp(key, "mem")) {
		c->mem = v;
	} else if (!strcmp(key, "out")) {
		c->outb = v;
	} else if (!strcmp(key, "cpu")) {
		c->cpu = v;
	} else if (!strcmp(key, "scratch")) {
		c->scratch = v;
	} else if (!strcmp(key, "dataents")) {
		c->dataents = v;
	} else if (!strcmp(key, "port")) {
		if (v == 0 || v > 65535)
			return -1;
		c->port = v;
	} else {
		return -1;
	}
	return 0;
}

/* Splits "k=v k=v ... [self=PATH]" in place. */
static int parse_params(struct pctx *c, char *p)
{
	while (*p) {
		char *eq, *sp;

		if (!strncmp(p, "self=", 5)) {
			if (!p[5] || strlen(p + 5) >= sizeof(c->self))
				return -1;
			strcpy(c->self, p + 5);
			return 0;
		}
		sp = strchr(p, ' ');
		if (sp)
			*sp = '\0';
		eq = strchr(p, '=');
		if (!eq || eq == p)
			return -1;
		*eq = '\0';
		if (parse_pair(c, p, eq + 1) < 0)
			return -1;
		if (!sp)
			break;
		p = sp + 1;
	}
	return 0;
}

__attribute__((visibility("default"))) int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	static char req[PROBE_REQ_MAX + 1];
	static struct pctx c;
	char *sp;

	memset(&c, 0, sizeof(c));
	c.out = out;
	if (len == 0 || len > PROBE_REQ_MAX || memchr(in, '\0', len) || memchr(in, '\n', len)) {
		caisson_out_error(out, "malformed probe request");
		return 1;
	}
	memcpy(req, in, len);
	req[len] = '\0';
	sp = strchr(req, ' ');
	if (sp)
		*sp++ = '\0';
	if (sp && parse_params(&c, sp) < 0) {
		caisson_out_error(out, "malformed probe parameters");
		return 1;
	}
	for (size_t i = 0; i < sizeof(probe_table) / sizeof(probe_table[0]); i++)
		if (!strcmp(probe_table[i].name, req)) {
			probe_table[i].fn(&c);
			return 0;
		}
	caisson_out_error(out, "unknown probe");
	return 1;
}
