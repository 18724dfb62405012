/* The JSON emitter (supervisor/evidence/json.c): exact output for nesting and escapes,
 * invalid UTF-8 turned into U+FFFD, misuse refused with EINVAL and no broken
 * document, base64 against RFC 4648, write errors reported, and random
 * hostile byte strings that must decode back to their sanitised selves. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "check.h"
#include "evidence/json.h"

struct buf {
	char *p;
	size_t n;
	FILE *f;
	struct json j;
};

static void buf_open(struct buf *b)
{
	b->p = NULL;
	b->n = 0;
	b->f = open_memstream(&b->p, &b->n);
	if (!b->f)
		abort();
	jw_init(&b->j, b->f);
}

/* jw_finish's result; the text stays in b->p until buf_free. */
static int buf_finish(struct buf *b, int *err)
{
	int rc = jw_finish(&b->j);

	*err = rc < 0 ? errno : 0;
	fclose(b->f);
	return rc;
}

static void buf_free(struct buf *b)
{
	free(b->p);
}

/* One string value through the emitter, as the document text. */
static void check_string(const char *in, size_t n, const char *want)
{
	struct buf b;
	int err;

	buf_open(&b);
	jw_strn(&b.j, in, n);
	CHECK_INT(buf_finish(&b, &err), 0);
	CHECK_STR(b.p, want);
	buf_free(&b);
}

static void test_structure(void)
{
	struct buf b;
	int err;

	buf_open(&b);
	jw_obj_begin(&b.j);
	jw_kstr(&b.j, "a", "x");
	jw_karr(&b.j, "list");
	jw_int(&b.j, LLONG_MIN);
	jw_uint(&b.j, ULLONG_MAX);
	jw_bool(&b.j, true);
	jw_null(&b.j);
	jw_obj_begin(&b.j);
	jw_obj_end(&b.j);
	jw_arr_begin(&b.j);
	jw_arr_end(&b.j);
	jw_arr_end(&b.j);
	jw_kbool(&b.j, "ok", false);
	jw_obj_end(&b.j);
	CHECK_INT(buf_finish(&b, &err), 0);
	CHECK_STR(b.p, "{\n  \"a\": \"x\",\n  \"list\": [\n    -9223372036854775808,\n"
		       "    18446744073709551615,\n    true,\n    null,\n    {},\n    []\n"
		       "  ],\n  \"ok\": false\n}\n");
	buf_free(&b);
}

static void test_escapes(void)
{
	check_string("", 0, "\"\"\n");
	check_string("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"\n");
	check_string("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"\n");
	check_string("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"\n");
	check_string("a\0b", 3, "\"a\\u0000b\"\n");
	/* Valid UTF-8 passes through: é, €, U+1F600, U+10FFFF. */
	check_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13,
		     "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"\n");
	check_string("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"\n");
}

static void test_invalid_utf8(void)
{
	/* Lone continuation, 0xff, 0xfe: one U+FFFD each. */
	check_string("\x80", 1, "\"\\ufffd\"\n");
	check_string("a\xff\xfe" "b", 4, "\"a\\ufffd\\ufffdb\"\n");
	/* Overlong forms of '/' and NUL, a surrogate, beyond U+10FFFF: every
	 * byte of the bad sequence is replaced, nothing of it passes. */
	check_string("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"\n");
	check_string("\xe0\x80\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"\n");
	check_string("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"\n");
	check_string("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	/* Truncated at the end of the buffer, and cut by an ASCII byte. */
	check_string("\xe2\x82", 2, "\"\\ufffd\\ufffd\"\n");
	check_string("\xe2\x82\"", 3, "\"\\ufffd\\ufffd\\\"\"\n");
}

/* Each misuse stops output and jw_finish reports EINVAL. */
static void check_misuse(int which)
{
	struct buf b;
	int err;

	buf_open(&b);
	switch (which) {
	case 0: jw_key(&b.j, "k"); break;                     /* key at top level */
	case 1: jw_obj_begin(&b.j); jw_int(&b.j, 1); break;  /* value without key */
	case 2: jw_arr_begin(&b.j); jw_key(&b.j, "k"); break; /* key in array */
	case 3: jw_arr_begin(&b.j); jw_obj_end(&b.j); break;  /* wrong close */
	case 4: jw_int(&b.j, 1); jw_int(&b.j, 2); break;      /* two documents */
	case 5: jw_obj_begin(&b.j); break;                      /* unfinished */
	case 6: jw_obj_begin(&b.j); jw_key(&b.j, "k"); jw_obj_end(&b.j); break;
	case 7: jw_obj_begin(&b.j); jw_key(&b.j, "a"); jw_key(&b.j, "b"); break;
	case 8: jw_arr_end(&b.j); break;                        /* close at top */
	default: break;                                           /* nothing written */
	}
	CHECK_INT(buf_finish(&b, &err), -1);
	CHECK_INT(err, EINVAL);
	buf_free(&b);
}

static void test_depth(void)
{
	char want[4096], *w = want;
	struct buf b;
	int err, i;

	buf_open(&b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		jw_arr_begin(&b.j);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		jw_arr_end(&b.j);
	CHECK_INT(buf_finish(&b, &err), 0);
	/* Each "[" on its own line, two spaces per enclosing level; the
	 * innermost "[]" together; the "]"s back out the same way. */
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		w += sprintf(w, "%s%*s[", i ? "\n" : "", 2 * i, "");
	for (i = JSON_MAX_DEPTH - 1; i >= 0; i--)
		w += sprintf(w, "%s%*s]", i < JSON_MAX_DEPTH - 1 ? "\n" : "", i < JSON_MAX_DEPTH - 1 ? 2 * i : 0, "");
	strcpy(w, "\n");
	CHECK_STR(b.p, want);
	buf_free(&b);

	buf_open(&b);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		jw_arr_begin(&b.j);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		jw_arr_end(&b.j);
	CHECK_INT(buf_finish(&b, &err), -1);
	CHECK_INT(err, EINVAL);
	buf_free(&b);
}

static void check_b64(const char *in, const char *want)
{
	struct buf b;
	int err;

	buf_open(&b);
	jw_base64(&b.j, (const uint8_t *)in, strlen(in));
	CHECK_INT(buf_finish(&b, &err), 0);
	CHECK_STR(b.p, want);
	buf_free(&b);
}

static int b64_val(char c)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Long buffers cross the encoder's chunk boundary: decode and compare. */
static void check_b64_long(size_t n)
{
	uint8_t *in = malloc(n + 1), *out = malloc(n + 3);
	size_t i, k = 0, len;
	struct buf b;
	int err;

	if (!in || !out)
		abort();
	for (i = 0; i < n; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	buf_open(&b);
	jw_base64(&b.j, in, n);
	CHECK_INT(buf_finish(&b, &err), 0);
	len = strlen(b.p);
	CHECK_INT(len, 4 * ((n + 2) / 3) + 3);
	for (i = 1; i + 4 <= len - 2; i += 4) {
		uint32_t v = 0;
		for (int q = 0; q < 4; q++)
			v = (v << 6) | (uint32_t)(b.p[i + q] == '=' ? 0 : b64_val(b.p[i + q]));
		out[k++] = (uint8_t)(v >> 16);
		out[k++] = (uint8_t)(v >> 8);
		out[k++] = (uint8_t)v;
	}
	CHECK(k >= n && memcmp(in, out, n) == 0);
	buf_free(&b);
	free(in);
	free(out);
}

static void test_base64_hex(void)
{
	struct buf b;
	int err;
	const uint8_t bytes[] = { 0x00, 0x7f, 0xab, 0xff };

	check_b64("", "\"\"\n");
	check_b64("f", "\"Zg==\"\n");
	check_b64("fo", "\"Zm8=\"\n");
	check_b64("foo", "\"Zm9v\"\n");
	check_b64("foob", "\"Zm9vYg==\"\n");
	check_b64("fooba", "\"Zm9vYmE=\"\n");
	check_b64("foobar", "\"Zm9vYmFy\"\n");
	for (size_t n = 180; n < 200; n++)
		check_b64_long(n);
	check_b64_long(100000);

	buf_open(&b);
	jw_hex(&b.j, bytes, sizeof(bytes));
	CHECK_INT(buf_finish(&b, &err), 0);
	CHECK_STR(b.p, "\"007fabff\"\n");
	buf_free(&b);
}

static void test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct json j;
	static char big[1 << 16];

	CHECK(f != NULL);
	if (!f)
		return;
	memset(big, 'x', sizeof(big));
	jw_init(&j, f);
	jw_arr_begin(&j);
	jw_strn(&j, big, sizeof(big));
	jw_arr_end(&j);
	errno = 0;
	CHECK_INT(jw_finish(&j), -1);
	CHECK_INT(errno, ENOSPC);
	fclose(f);
}

/* Decode one JSON string literal (as the emitter writes them) to UTF-8. */
static size_t unescape(const char *s, char *out)
{
	size_t k = 0;
	unsigned v;

	for (s++; *s != '"'; s++) {
		if (*s != '\\') {
			CHECK((unsigned char)*s >= 0x20);
			out[k++] = *s;
			continue;
		}
		switch (*++s) {
		case 'b': out[k++] = '\b'; break;
		case 'f': out[k++] = '\f'; break;
		case 'n': out[k++] = '\n'; break;
		case 'r': out[k++] = '\r'; break;
		case 't': out[k++] = '\t'; break;
		case 'u':
			CHECK(sscanf(s + 1, "%4x", &v) == 1);
			s += 4;
			if (v < 0x80) {
				out[k++] = (char)v;
			} else {
				out[k++] = (char)(0xe0 | (v >> 12));
				out[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
				out[k++] = (char)(0x80 | (v & 0x3f));
			}
			break;
		default: out[k++] = *s; break;
		}
	}
	CHECK(s[1] == '\n' && s[2] == '\0');
	return k;
}

/* Random bytes, biased towards the awkward ones, round-trip to the input
 * with every invalid byte replaced by U+FFFD. */
static void test_random(void)
{
	static const unsigned char pick[] = { 0x00, 0x0a, 0x1f, '"', '\\', 0x7f, 0x80,
					      0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4,
					      0xf8, 0xff, 'a' };
	unsigned char in[64];
	char want[64 * 3], got[64 * 6];
	size_t n, k, i, len;
	uint32_t cp;
	struct buf b;
	int err;

	srand(39);
	for (int iter = 0; iter < 20000; iter++) {
		n = (size_t)rand() % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = rand() % 2 ? pick[rand() % sizeof(pick)] : (unsigned char)rand();
		for (i = 0, k = 0; i < n; i += len) {
			len = jw_utf8_next(in + i, n - i, &cp);
			if (len == 0) {
				memcpy(want + k, "\xef\xbf\xbd", 3);
				k += 3;
				len = 1;
			} else {
				memcpy(want + k, in + i, len);
				k += len;
			}
		}
		buf_open(&b);
		jw_strn(&b.j, (const char *)in, n);
		CHECK_INT(buf_finish(&b, &err), 0);
		CHECK(unescape(b.p, got) == k && memcmp(got, want, k) == 0);
		buf_free(&b);
	}
}

int main(void)
{
	test_structure();
	test_escapes();
	test_invalid_utf8();
	for (int i = 0; i < 10; i++)
		check_misuse(i);
	test_depth();
	test_base64_hex();
	test_write_error();
	test_random();
	return check_done("test_json");
}
