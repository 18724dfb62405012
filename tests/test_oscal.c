/* OSCAL datatypes (supervisor/evidence/oscal.c): date-times at their boundaries
 * (leap days, the 1900-2999 range, out-of-range fields, trailing bytes, no
 * NUL), the StringDatatype sanitiser on hostile text, markup made inert, and
 * UUID shape and uniqueness. */
#include <stdlib.h>

#include "check.h"
#include "evidence/oscal.h"

static void check_time(const char *in, const char *want)
{
	char out[OSCAL_TIME_LEN] = "";
	bool ok = oscal_time(in, strlen(in) + 1, out);

	CHECK_INT(ok, want != NULL);
	if (want && ok)
		CHECK_STR(out, want);
}

static void check_day(const char *in, const char *want)
{
	char out[OSCAL_TIME_LEN] = "";
	bool ok = oscal_day_end(in, strlen(in) + 1, out);

	CHECK_INT(ok, want != NULL);
	if (want && ok)
		CHECK_STR(out, want);
}

static void test_times(void)
{
	const char unterminated[20] = "2026-11-22T14:03:36";
	char out[OSCAL_TIME_LEN], now[OSCAL_TIME_LEN];

	check_time("2026-11-22T14:03:36Z", "2026-11-22T14:03:36Z");
	check_time("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z");
	check_time("2999-12-31T23:59:59Z", "2999-12-31T23:59:59Z");
	check_time("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z");
	check_time("2026-02-29T12:00:00Z", NULL);
	check_time("2100-02-29T12:00:00Z", NULL);
	check_time("1899-12-31T23:59:59Z", NULL);
	check_time("3000-01-01T00:00:00Z", NULL);
	check_time("2026-11-31T00:00:00Z", NULL);
	check_time("2026-13-01T00:00:00Z", NULL);
	check_time("2026-11-22T24:00:00Z", NULL);
	check_time("2026-11-22T23:60:00Z", NULL);
	check_time("2026-11-22T23:59:60Z", NULL);
	check_time("2026-11-22T14:03:36", NULL);
	check_time("2026-11-22T14:03:36Z\n", NULL);
	check_time("2026-11-22 14:03:36Z", NULL);
	check_time("2026-11-22T14:03:36+01:00", NULL);
	check_time("+026-11-22T14:03:36Z", NULL);
	check_time("", NULL);
	CHECK(!oscal_time(unterminated, sizeof(unterminated), out));

	check_day("2027-03-31", "2027-03-31T23:59:59Z");
	check_day("2028-02-29", "2028-02-29T23:59:59Z");
	check_day("2027-02-29", NULL);
	check_day("2027-3-31", NULL);
	check_day("2027-03-31 ", NULL);
	check_day("", NULL);

	oscal_time_now(now);
	CHECK(oscal_time(now, sizeof(now), out));
	CHECK_STR(out, now);
}

static void check_string(const char *in, size_t size, const char *want)
{
	char out[32];

	oscal_string(out, sizeof(out), in, size, "none");
	CHECK_STR(out, want);
}

static void test_strings(void)
{
	const char full[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' }; /* no NUL */

	check_string("plain text", 64, "plain text");
	check_string("  \t lead and trail \n ", 64, "lead and trail");
	check_string("a\n\r\x01\x7f b", 64, "a b");
	check_string("nbsp\xc2\xa0" "ls\xe2\x80\xa8" "bom\xef\xbb\xbf" "x", 64, "nbsp ls bom x");
	check_string("\xc2\x85" "c1\xc2\x9f", 64, "c1");
	check_string("bad\xff\xc0\xaf", 64, "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_string("\xc3\xa9t\xc3\xa9", 64, "\xc3\xa9t\xc3\xa9");
	check_string("", 64, "none");
	check_string(" \n\t\xc2\xa0 ", 64, "none");
	check_string(full, sizeof(full), "abcdefgh");
	check_string("stop\0after", 64, "stop");
	/* 31 bytes fit: the cut falls before a 3-byte character, not inside. */
	check_string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x82\xac", 64,
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	check_string("aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x82\xac", 64,
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x82\xac");
}

static void check_markup(const char *in, size_t size, const char *want)
{
	char out[64];

	CHECK(size <= sizeof(out));
	oscal_markup(out, size, in);
	CHECK_STR(out, want);
}

static void test_markup(void)
{
	check_markup("plain (text), 1.5 - ok", 64, "plain (text), 1.5 - ok");
	check_markup("<img src=x onerror=alert(1)>", 64, "\\<img src=x onerror=alert(1)\\>");
	check_markup("[a](javascript:x) ![i](u)", 64, "\\[a\\](javascript:x) \\!\\[i\\](u)");
	check_markup("*b* _i_ `c` ~s~ | # &amp; {x} \\", 64,
		     "\\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\| \\# \\&amp; \\{x\\} \\\\");
	check_markup("a\nb\rc\td\x01\x7f\xc3\xa9", 64, "a b c d  \xc3\xa9");
	/* Cut to fit, never between a backslash and what it escapes. */
	check_markup("abc<", 5, "abc");
	check_markup("abc<", 6, "abc\\<");
	check_markup("", 1, "");
}

static bool uuid_shape(const char *u)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
			return false;
	}
	return u[36] == '\0' && u[14] == '4' && strchr("89ab", u[19]);
}

static void test_uuids(void)
{
	enum { N = 1000 };
	char (*u)[OSCAL_UUID_LEN] = calloc(N, OSCAL_UUID_LEN);

	CHECK(u != NULL);
	if (!u)
		return;
	CHECK_INT(oscal_uuids(u, N), 0);
	for (int i = 0; i < N; i++) {
		CHECK(uuid_shape(u[i]));
		for (int k = 0; k < i; k++)
			CHECK(strcmp(u[i], u[k]) != 0);
	}
	free(u);
}

int main(void)
{
	test_times();
	test_strings();
	test_markup();
	test_uuids();
	return check_done("test_oscal");
}
