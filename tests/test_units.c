/* Boundary tests for the profile unit parsers (supervisor/policy/units.c): zero,
 * the 64-bit maximum and one past it, overflow through a suffix, missing and
 * unknown units, signs, whitespace and other near-misses. */
#include <stdint.h>

#include "check.h"
#include "policy/units.h"

static void check_duration(const char *s, enum units_err want, uint64_t want_us)
{
	uint64_t v = 0xdead;
	enum units_err e = units_duration_us(s, &v);

	if (e != want || (want == UNITS_OK && v != want_us))
		fprintf(stderr, "duration '%s' -> %d/%llu\n", s, e, (unsigned long long)v);
	CHECK_INT(e, want);
	if (want == UNITS_OK)
		CHECK(v == want_us);
}

static void check_size(const char *s, enum units_err want, uint64_t want_bytes)
{
	uint64_t v = 0xdead;
	enum units_err e = units_size_bytes(s, &v);

	if (e != want || (want == UNITS_OK && v != want_bytes))
		fprintf(stderr, "size '%s' -> %d/%llu\n", s, e, (unsigned long long)v);
	CHECK_INT(e, want);
	if (want == UNITS_OK)
		CHECK(v == want_bytes);
}

static void check_uint(const char *s, enum units_err want, uint64_t want_v)
{
	uint64_t v = 0xdead;
	enum units_err e = units_uint(s, &v);

	CHECK_INT(e, want);
	if (want == UNITS_OK)
		CHECK(v == want_v);
}

static void test_durations(void)
{
	check_duration("0us", UNITS_OK, 0);
	check_duration("1us", UNITS_OK, 1);
	check_duration("250ms", UNITS_OK, 250000);
	check_duration("2s", UNITS_OK, 2000000);
	check_duration("1min", UNITS_OK, 60000000);
	check_duration("1h", UNITS_OK, 3600000000ull);
	check_duration("007s", UNITS_OK, 7000000);
	check_duration("18446744073709551615us", UNITS_OK, UINT64_MAX);
	check_duration("18446744073709551616us", UNITS_E_OVERFLOW, 0);
	check_duration("18446744073709551615ms", UNITS_E_OVERFLOW, 0);
	check_duration("5124095577h", UNITS_E_OVERFLOW, 0);
	check_duration("5124095576h", UNITS_OK, 5124095576ull * 3600000000ull);
	check_duration("99999999999999999999s", UNITS_E_OVERFLOW, 0);
	check_duration("", UNITS_E_EMPTY, 0);
	check_duration("5", UNITS_E_NO_UNIT, 0);
	check_duration("0", UNITS_E_NO_UNIT, 0);
	check_duration("5sec", UNITS_E_UNIT, 0);
	check_duration("5m", UNITS_E_UNIT, 0);
	check_duration("5S", UNITS_E_UNIT, 0);
	check_duration("5ss", UNITS_E_UNIT, 0);
	check_duration("-1s", UNITS_E_SYNTAX, 0);
	check_duration("+1s", UNITS_E_SYNTAX, 0);
	check_duration(" 1s", UNITS_E_SYNTAX, 0);
	check_duration("1 s", UNITS_E_SYNTAX, 0);
	check_duration("1s ", UNITS_E_UNIT, 0);
	check_duration("1.5s", UNITS_E_SYNTAX, 0);
	check_duration("0x10s", UNITS_E_UNIT, 0);
	check_duration("s", UNITS_E_SYNTAX, 0);
	check_duration("ms", UNITS_E_SYNTAX, 0);
}

static void test_sizes(void)
{
	check_size("0", UNITS_OK, 0);
	check_size("1", UNITS_OK, 1);
	check_size("4096", UNITS_OK, 4096);
	check_size("1K", UNITS_OK, 1024);
	check_size("512M", UNITS_OK, 512ull * 1024 * 1024);
	check_size("64G", UNITS_OK, 64ull << 30);
	check_size("2T", UNITS_OK, 2ull << 40);
	check_size("18446744073709551615", UNITS_OK, UINT64_MAX);
	check_size("18446744073709551616", UNITS_E_OVERFLOW, 0);
	check_size("16777215T", UNITS_OK, 16777215ull << 40);
	check_size("16777216T", UNITS_E_OVERFLOW, 0);
	check_size("17179869184G", UNITS_E_OVERFLOW, 0);
	check_size("99999999999999999999G", UNITS_E_OVERFLOW, 0);
	check_size("", UNITS_E_EMPTY, 0);
	check_size("1k", UNITS_E_UNIT, 0);
	check_size("1KB", UNITS_E_UNIT, 0);
	check_size("1KiB", UNITS_E_UNIT, 0);
	check_size("1P", UNITS_E_UNIT, 0);
	check_size("-1", UNITS_E_SYNTAX, 0);
	check_size("-0", UNITS_E_SYNTAX, 0);
	check_size(" 1M", UNITS_E_SYNTAX, 0);
	check_size("1 M", UNITS_E_SYNTAX, 0);
	check_size("1.5M", UNITS_E_SYNTAX, 0);
	check_size("M", UNITS_E_SYNTAX, 0);
}

static void test_uints(void)
{
	check_uint("0", UNITS_OK, 0);
	check_uint("4096", UNITS_OK, 4096);
	check_uint("18446744073709551615", UNITS_OK, UINT64_MAX);
	check_uint("18446744073709551616", UNITS_E_OVERFLOW, 0);
	check_uint("", UNITS_E_EMPTY, 0);
	check_uint("-4", UNITS_E_SYNTAX, 0);
	check_uint("4K", UNITS_E_SYNTAX, 0);
	check_uint("4 ", UNITS_E_SYNTAX, 0);
	check_uint("\t4", UNITS_E_SYNTAX, 0);
	CHECK_STR(units_strerror(UNITS_E_NO_UNIT), "a unit is required (us, ms, s, min, h)");
}

static void test_format(void)
{
	static const struct {
		uint64_t v;
		const char *dur, *size;
	} t[] = {
		{ 0, "0us", "0" },
		{ 1, "1us", "1" },
		{ 1000, "1ms", "1000" },
		{ 1024, "1024us", "1K" },
		{ 1500000, "1500ms", "1500000" },
		{ 5000000, "5s", "5000000" },
		{ 120000000, "2min", "120000000" },
		{ 3600000000ull, "1h", "3515625K" },
		{ 268435456, "268435456us", "256M" },
		{ 1ull << 40, "1099511627776us", "1T" },
		{ 3ull << 50, "3377699720527872us", "3072T" },
		{ UINT64_MAX, "18446744073709551615us", "18446744073709551615" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		units_format_us(t[i].v, buf, sizeof(buf));
		CHECK_STR(buf, t[i].dur);
		units_format_size(t[i].v, buf, sizeof(buf));
		CHECK_STR(buf, t[i].size);
	}
	units_format_size(256ull << 20, buf, 3);
	CHECK_STR(buf, "25");
}

int main(void)
{
	test_format();
	test_durations();
	test_sizes();
	test_uints();
	return check_done("test_units");
}
