/* The JSON emitter (json.h): structure checks, RFC 8259 string escaping with
 * U+FFFD for invalid UTF-8, hex and base64 values, sticky errors. Runs in
 * the supervisor; pure apart from writes to the caller's FILE*. */
#include "json.h"

#include <errno.h>
#include <string.h>

static void json_fail(struct json *j, int e)
{
	if (!j->err)
		j->err = e ? e : EIO;
}

static void json_put(struct json *j, const char *s, size_t n)
{
	if (j->err || n == 0)
		return;
	errno = 0;
	if (fwrite(s, 1, n, j->f) != n)
		json_fail(j, errno);
}

static void json_puts(struct json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

/* A line break and two spaces per open container. */
static void json_newline(struct json *j)
{
	json_put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		json_put(j, "  ", 2);
}

/* Separator and checks due before a member of the current container. */
static void json_member(struct json *j)
{
	if (j->depth > 0 && j->has_items[j->depth - 1])
		json_put(j, ",", 1);
	if (j->depth > 0) {
		j->has_items[j->depth - 1] = true;
		json_newline(j);
	}
}

/* False (and the document refused) when a value may not go here. */
static bool json_value_ok(struct json *j)
{
	if (j->err)
		return false;
	if (j->done || (j->depth > 0 && j->is_obj[j->depth - 1] != j->want_value)) {
		json_fail(j, EINVAL);
		return false;
	}
	if (j->want_value)
		j->want_value = false;
	else
		json_member(j);
	return true;
}

static void json_value_done(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

void jw_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

int jw_finish(struct json *j)
{
	if (!j->err && !j->done)
		json_fail(j, EINVAL);
	json_put(j, "\n", 1);
	if (!j->err) {
		errno = 0;
		if (fflush(j->f) != 0 || ferror(j->f))
			json_fail(j, errno);
	}
	if (j->err) {
		errno = j->err;
		return -1;
	}
	return 0;
}

static void json_open(struct json *j, bool obj)
{
	if (!json_value_ok(j))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		json_fail(j, EINVAL);
		return;
	}
	json_put(j, obj ? "{" : "[", 1);
	j->is_obj[j->depth] = obj;
	j->has_items[j->depth] = false;
	j->depth++;
}

static void json_close(struct json *j, bool obj)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->is_obj[j->depth - 1] != obj || j->want_value) {
		json_fail(j, EINVAL);
		return;
	}
	j->depth--;
	if (j->has_items[j->depth])
		json_newline(j);
	json_put(j, obj ? "}" : "]", 1);
	json_value_done(j);
}

void jw_obj_begin(struct json *j) { json_open(j, true); }
void jw_obj_end(struct json *j) { json_close(j, true); }
void jw_arr_begin(struct json *j) { json_open(j, false); }
void jw_arr_end(struct json *j) { json_close(j, false); }

size_t jw_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The escape for one ASCII byte, or NULL when it goes out as itself. */
static const char *json_escape(unsigned char c, char buf[8])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: break;
	}
	if (c >= 0x20 && c != 0x7f)
		return NULL;
	snprintf(buf, 8, "\\u%04x", c);
	return buf;
}

/* The body of a string: runs of bytes that need no escape go out as they
 * are; U+2028/U+2029 are escaped too, for consumers that embed JSON in JS. */
static void json_string_body(struct json *j, const unsigned char *s, size_t n)
{
	size_t i = 0, run = 0, len;
	const char *esc;
	uint32_t cp;
	char buf[8];

	while (i < n) {
		esc = NULL;
		len = 1;
		if (s[i] < 0x80) {
			esc = json_escape(s[i], buf);
		} else if ((len = jw_utf8_next(s + i, n - i, &cp)) == 0) {
			esc = "\\ufffd";
			len = 1;
		} else if (cp == 0x2028 || cp == 0x2029) {
			esc = cp == 0x2028 ? "\\u2028" : "\\u2029";
		}
		if (esc) {
			json_put(j, (const char *)s + run, i - run);
			json_puts(j, esc);
			run = i + len;
		}
		i += len;
	}
	json_put(j, (const char *)s + run, n - run);
}

static void json_quoted(struct json *j, const char *s, size_t n)
{
	json_put(j, "\"", 1);
	json_string_body(j, (const unsigned char *)s, n);
	json_put(j, "\"", 1);
}

void jw_key(struct json *j, const char *key)
{
	if (j->err)
		return;
	if (j->depth == 0 || !j->is_obj[j->depth - 1] || j->want_value) {
		json_fail(j, EINVAL);
		return;
	}
	json_member(j);
	json_quoted(j, key, strlen(key));
	json_put(j, ": ", 2);
	j->want_value = true;
}

void jw_strn(struct json *j, const char *s, size_t n)
{
	if (!json_value_ok(j))
		return;
	json_quoted(j, s, n);
	json_value_done(j);
}

void jw_str(struct json *j, const char *s)
{
	jw_strn(j, s, strlen(s));
}

static void json_raw_value(struct json *j, const char *text)
{
	if (!json_value_ok(j))
		return;
	json_puts(j, text);
	json_value_done(j);
}

void jw_int(struct json *j, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	json_raw_value(j, buf);
}

void jw_uint(struct json *j, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	json_raw_value(j, buf);
}

void jw_bool(struct json *j, bool v) { json_raw_value(j, v ? "true" : "false"); }
void jw_null(struct json *j) { json_raw_value(j, "null"); }

void jw_hex(struct json *j, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[128];
	size_t i, k;

	if (!json_value_ok(j))
		return;
	json_put(j, "\"", 1);
	for (i = 0; i < n;) {
		for (k = 0; k + 2 <= sizeof(buf) && i < n; i++) {
			buf[k++] = digits[b[i] >> 4];
			buf[k++] = digits[b[i] & 0xf];
		}
		json_put(j, buf, k);
	}
	json_put(j, "\"", 1);
	json_value_done(j);
}

/* Up to three bytes into four base64 characters, '=' padded. */
static void json_b64_quad(const uint8_t *b, size_t n, char out[4])
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v = (uint32_t)b[0] << 16;

	if (n > 1)
		v |= (uint32_t)b[1] << 8;
	if (n > 2)
		v |= b[2];
	out[0] = a[(v >> 18) & 63];
	out[1] = a[(v >> 12) & 63];
	out[2] = n > 1 ? a[(v >> 6) & 63] : '=';
	out[3] = n > 2 ? a[v & 63] : '=';
}

void jw_base64(struct json *j, const uint8_t *b, size_t n)
{
	char buf[256];
	size_t i = 0, k, take;

	if (!json_value_ok(j))
		return;
	json_put(j, "\"", 1);
	while (i < n) {
		for (k = 0; k + 4 <= sizeof(buf) && i < n; i += take, k += 4) {
			take = n - i < 3 ? n - i : 3;
			json_b64_quad(b + i, take, buf + k);
		}
		json_put(j, buf, k);
	}
	json_put(j, "\"", 1);
	json_value_done(j);
}

void jw_kstr(struct json *j, const char *key, const char *s)
{
	jw_key(j, key);
	jw_str(j, s);
}

void jw_kstrn(struct json *j, const char *key, const char *s, size_t n)
{
	jw_key(j, key);
	jw_strn(j, s, n);
}

void jw_kint(struct json *j, const char *key, long long v)
{
	jw_key(j, key);
	jw_int(j, v);
}

void jw_kuint(struct json *j, const char *key, unsigned long long v)
{
	jw_key(j, key);
	jw_uint(j, v);
}

void jw_kbool(struct json *j, const char *key, bool v)
{
	jw_key(j, key);
	jw_bool(j, v);
}

void jw_kobj(struct json *j, const char *key)
{
	jw_key(j, key);
	jw_obj_begin(j);
}

void jw_karr(struct json *j, const char *key)
{
	jw_key(j, key);
	jw_arr_begin(j);
}
