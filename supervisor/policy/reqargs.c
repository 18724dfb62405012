/* Per-request arguments: the [args] key table and the value checker; see
 * reqargs.h. Runs in the supervisor on profile text and on request pairs
 * from any caller (the command line, a library caller, an HTTP client):
 * both untrusted, every length bounded before it is read. */
#include "reqargs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQARGS_QUOTE 40u /* bytes of a refused key or value quoted in why */

static int reqargs_fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int reqargs_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A bounded, printable copy of hostile bytes for a message. */
static const char *reqargs_quote(char dst[REQARGS_QUOTE + 4], const char *s, size_t len)
{
	size_t n = len < REQARGS_QUOTE ? len : REQARGS_QUOTE;

	for (size_t i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	memcpy(dst + n, len > n ? "..." : "", len > n ? 4 : 1);
	return dst;
}

static bool reqargs_key_ok(const char *s, size_t len)
{
	return len >= 1 && len <= IPC_ARG_KEY_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") >= len;
}

/* A strict decimal: "0" or an optional '-' and no leading zero, at most
 * 19 digits (never overflows int64_t); 0 or -1. */
static int reqargs_int(const char *s, size_t len, int64_t *v)
{
	char buf[24];
	size_t neg = len && s[0] == '-', digits = len - neg;

	if (digits < 1 || digits > 19 || memchr(s, 0, len) || strspn(s + neg, "0123456789") < digits ||
	    (s[neg] == '0' && (digits > 1 || neg)))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoll(buf, NULL, 10);
	return errno ? -1 : 0;
}

/* A word of 1..max bytes from REQARGS_WORD_CHARS, not starting with '-';
 * NULL, or what is wrong with it. */
static const char *reqargs_word_bad(const char *s, size_t len, size_t max)
{
	if (len == 0)
		return "is empty";
	if (len > max)
		return "is too long";
	if (s[0] == '-')
		return "starts with '-'";
	for (size_t i = 0; i < len; i++)
		if (!s[i] || !strchr(REQARGS_WORD_CHARS, s[i]))
			return "has a character outside [A-Za-z0-9._+-]";
	return NULL;
}

static int reqargs_declare_int(struct reqargs_key *k, const char *v, char *why, size_t whylen)
{
	const char *dots = strstr(v, "..");

	if (!dots || reqargs_int(v, (size_t)(dots - v), &k->lo) < 0 ||
	    reqargs_int(dots + 2, strlen(dots + 2), &k->hi) < 0)
		return reqargs_fail(why, whylen, "%s: expected 'int LO..HI' with decimal integers", k->name);
	if (k->lo > k->hi)
		return reqargs_fail(why, whylen, "%s: empty range %" PRId64 "..%" PRId64, k->name, k->lo, k->hi);
	k->type = REQARGS_INT;
	return 0;
}

/* Whether the member list m (comma-separated, stored) holds s of len bytes. */
static bool reqargs_member(const char *m, const char *s, size_t len)
{
	while (*m) {
		size_t n = strcspn(m, ",");

		if (n == len && memcmp(m, s, len) == 0)
			return true;
		m += n + (m[n] == ',');
	}
	return false;
}

static int reqargs_declare_enum(struct reqargs_key *k, const char *v, char *why, size_t whylen)
{
	size_t used = 0;
	unsigned count = 0;

	k->type = REQARGS_ENUM;
	k->members[0] = '\0';
	for (;;) {
		size_t n, lead = strspn(v, " \t");
		const char *bad;

		v += lead;
		n = strcspn(v, ", \t");
		bad = reqargs_word_bad(v, n, REQARGS_MEMBER_MAX);
		if (bad)
			return reqargs_fail(why, whylen, "%s: enum member %u %s (1 to %u characters from "
					    "[A-Za-z0-9._+-], not starting with '-')", k->name, count + 1, bad,
					    REQARGS_MEMBER_MAX);
		if (reqargs_member(k->members, v, n))
			return reqargs_fail(why, whylen, "%s: enum member '%.*s' listed twice", k->name, (int)n, v);
		if (used + n + 1 > REQARGS_ENUM_MAX)
			return reqargs_fail(why, whylen, "%s: enum members longer than %u bytes", k->name,
					    REQARGS_ENUM_MAX);
		if (used)
			k->members[used++] = ',';
		memcpy(k->members + used, v, n);
		used += n;
		count++;
		k->members[used] = '\0';
		v += n + strspn(v + n, " \t");
		if (!*v)
			return 0;
		if (*v != ',')
			return reqargs_fail(why, whylen, "%s: expected ',' between enum members", k->name);
		v++;
	}
}

static int reqargs_declare_word(struct reqargs_key *k, const char *v, char *why, size_t whylen)
{
	int64_t n;

	if (reqargs_int(v, strlen(v), &n) < 0 || n < 1 || n > IPC_ARG_VAL_MAX)
		return reqargs_fail(why, whylen, "%s: expected 'word N' with N in 1..%u", k->name, IPC_ARG_VAL_MAX);
	k->type = REQARGS_WORD;
	k->max = (uint32_t)n;
	return 0;
}

int reqargs_declare(struct reqargs_decl *d, const char *key, const char *type, uint32_t line, char *why,
		    size_t whylen)
{
	struct reqargs_key *k;
	int rc;

	if (!reqargs_key_ok(key, strlen(key)))
		return reqargs_fail(why, whylen, "argument name '%.40s': expected 1 to %u characters from "
				    "[a-z0-9_], starting with a letter", key, IPC_ARG_KEY_MAX);
	if (reqargs_find(d, key, strlen(key)))
		return reqargs_fail(why, whylen, "argument '%s' declared twice (first on line %u)", key,
				    reqargs_find(d, key, strlen(key))->line);
	if (d->n >= REQARGS_MAX_KEYS)
		return reqargs_fail(why, whylen, "more than %u arguments declared", REQARGS_MAX_KEYS);
	k = &d->keys[d->n];
	memset(k, 0, sizeof(*k));
	memcpy(k->name, key, strlen(key) + 1);
	k->line = line;
	if (strncmp(type, "int ", 4) == 0)
		rc = reqargs_declare_int(k, type + 4 + strspn(type + 4, " \t"), why, whylen);
	else if (strncmp(type, "enum ", 5) == 0)
		rc = reqargs_declare_enum(k, type + 5, why, whylen);
	else if (strncmp(type, "word ", 5) == 0)
		rc = reqargs_declare_word(k, type + 5 + strspn(type + 5, " \t"), why, whylen);
	else
		rc = reqargs_fail(why, whylen, "%s: expected a type: 'int LO..HI', 'enum A,B,...' or 'word N'", key);
	if (rc == 0)
		d->n++;
	return rc;
}

const struct reqargs_key *reqargs_find(const struct reqargs_decl *d, const char *key, size_t klen)
{
	for (uint32_t i = 0; i < d->n; i++)
		if (strlen(d->keys[i].name) == klen && memcmp(d->keys[i].name, key, klen) == 0)
			return &d->keys[i];
	return NULL;
}

void reqargs_type_text(const struct reqargs_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case REQARGS_INT:
		snprintf(buf, len, "int %" PRId64 "..%" PRId64, k->lo, k->hi);
		break;
	case REQARGS_ENUM:
		snprintf(buf, len, "enum %s", k->members);
		break;
	case REQARGS_WORD:
		snprintf(buf, len, "word %u", k->max);
		break;
	}
}

/* The value of one declared key against its type. */
static int reqargs_value(const struct reqargs_key *k, const char *v, size_t len, char *why, size_t whylen)
{
	char q[REQARGS_QUOTE + 4], type[REQARGS_ENUM_MAX + 16];
	const char *bad = NULL;
	int64_t n;

	reqargs_type_text(k, type, sizeof(type));
	if (k->type == REQARGS_INT && reqargs_int(v, len, &n) < 0)
		bad = "is not a decimal integer";
	else if (k->type == REQARGS_INT && (n < k->lo || n > k->hi))
		bad = "is out of range";
	else if (k->type == REQARGS_ENUM && !reqargs_member(k->members, v, len))
		bad = "is not one of the members";
	else if (k->type == REQARGS_WORD)
		bad = reqargs_word_bad(v, len, k->max);
	if (!bad)
		return 0;
	return reqargs_fail(why, whylen, "argument '%s': '%s' %s (%s)", k->name, reqargs_quote(q, v, len), bad, type);
}

/* The keys d declares, for an unknown key's message. */
static void reqargs_names(const struct reqargs_decl *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < d->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", d->keys[i].name);
		off += w > 0 ? (size_t)w : 0;
	}
}

int reqargs_check(const struct reqargs_decl *d, const struct ipc_kv *kv, size_t n, char *why, size_t whylen)
{
	char q[REQARGS_QUOTE + 4], names[200];

	if (n > IPC_ARGS_MAX)
		return reqargs_fail(why, whylen, "%zu arguments > limit %u", n, IPC_ARGS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct reqargs_key *k;

		if (kv[i].klen > IPC_ARG_KEY_MAX)
			return reqargs_fail(why, whylen, "argument name of %zu bytes > limit %u ('%s')", kv[i].klen,
					    IPC_ARG_KEY_MAX, reqargs_quote(q, kv[i].key, kv[i].klen));
		if (memchr(kv[i].key, 0, kv[i].klen))
			return reqargs_fail(why, whylen, "argument name '%s' holds a NUL byte",
					    reqargs_quote(q, kv[i].key, kv[i].klen));
		if (!(k = reqargs_find(d, kv[i].key, kv[i].klen))) {
			reqargs_names(d, names, sizeof(names));
			return reqargs_fail(why, whylen, "unknown argument '%s' (%s%s)",
					    reqargs_quote(q, kv[i].key, kv[i].klen),
					    d->n ? "the profile declares " : "the profile declares none", names);
		}
		for (size_t j = 0; j < i; j++)
			if (kv[j].klen == kv[i].klen && memcmp(kv[j].key, kv[i].key, kv[i].klen) == 0)
				return reqargs_fail(why, whylen, "argument '%s' given twice", k->name);
		if (kv[i].vlen > IPC_ARG_VAL_MAX)
			return reqargs_fail(why, whylen, "argument '%s': value of %zu bytes > limit %u", k->name,
					    kv[i].vlen, IPC_ARG_VAL_MAX);
		if (memchr(kv[i].val, 0, kv[i].vlen))
			return reqargs_fail(why, whylen, "argument '%s': value '%s' holds a NUL byte", k->name,
					    reqargs_quote(q, kv[i].val, kv[i].vlen));
		if (reqargs_value(k, kv[i].val, kv[i].vlen, why, whylen) < 0)
			return -1;
	}
	return 0;
}

int reqargs_split(const char *s, size_t len, struct ipc_kv *kv)
{
	const char *eq = memchr(s, '=', len);

	if (!eq)
		return -1;
	*kv = (struct ipc_kv){ s, (size_t)(eq - s), eq + 1, len - (size_t)(eq - s) - 1 };
	return 0;
}

int reqargs_lint(const struct reqargs_decl *d, uint32_t *line, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < d->n; i++) {
		const struct reqargs_key *k = &d->keys[i];

		*line = k->line;
		if (strcmp(k->name, "in") == 0 || strcmp(k->name, "out") == 0)
			return reqargs_fail(why, whylen, "[args] %s: the name is reserved for the {%s} placeholder "
					    "of caisson exec", k->name, k->name);
		if (k->type == REQARGS_INT && k->lo < 0)
			return reqargs_fail(why, whylen, "[args] %s: int range reaches below 0: a value starting "
					    "with '-' would read as an option", k->name);
	}
	return 0;
}
