/* OSCAL datatypes (oscal.h): UUIDs, date-times and StringDatatype text for
 * verify_oscal.c. Runs in the supervisor; getrandom and the clock are its
 * only system calls. */
#include "oscal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "json.h"

static int oscal_random(uint8_t *b, size_t n)
{
	ssize_t got;

	while (n > 0) {
		got = getrandom(b, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

int oscal_uuids(char (*out)[OSCAL_UUID_LEN], size_t n)
{
	uint8_t b[16];
	size_t i;

	for (i = 0; i < n; i++) {
		if (oscal_random(b, sizeof(b)) < 0)
			return -1;
		b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
		b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
		snprintf(out[i], OSCAL_UUID_LEN,
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
			 b[11], b[12], b[13], b[14], b[15]);
	}
	return 0;
}

/* n decimal digits at s, or -1. */
static int oscal_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Fields of a UTC time; true when they name an existing second in the
 * years OSCAL admits (timegm normalises Feb 30 to Mar 2: compare back). */
static bool oscal_tm_valid(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return false;
	timegm(&tm);
	return tm.tm_year == y - 1900 && tm.tm_mon == mo - 1 && tm.tm_mday == d;
}

/* Callers pass validated fields; the modulos only tell the compiler so. */
static void oscal_time_fmt(char out[OSCAL_TIME_LEN], int y, int mo, int d, int h, int mi, int s)
{
	snprintf(out, OSCAL_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
		 (unsigned)mo % 100u, (unsigned)d % 100u, (unsigned)h % 100u, (unsigned)mi % 100u,
		 (unsigned)s % 100u);
}

/* YYYY-MM-DD at s (n >= 10 bytes), its fields into v[3]. */
static bool oscal_ymd(const char *s, int v[3])
{
	if (s[4] != '-' || s[7] != '-')
		return false;
	v[0] = oscal_digits(s, 4);
	v[1] = oscal_digits(s + 5, 2);
	v[2] = oscal_digits(s + 8, 2);
	return v[0] >= 0 && v[1] >= 0 && v[2] >= 0;
}

bool oscal_time(const char *s, size_t n, char out[OSCAL_TIME_LEN])
{
	int v[3], h, mi, sec;

	if (strnlen(s, n) != OSCAL_TIME_LEN - 1 || !oscal_ymd(s, v) || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return false;
	h = oscal_digits(s + 11, 2);
	mi = oscal_digits(s + 14, 2);
	sec = oscal_digits(s + 17, 2);
	if (!oscal_tm_valid(v[0], v[1], v[2], h, mi, sec))
		return false;
	oscal_time_fmt(out, v[0], v[1], v[2], h, mi, sec);
	return true;
}

bool oscal_day_end(const char *s, size_t n, char out[OSCAL_TIME_LEN])
{
	int v[3];

	if (strnlen(s, n) != 10 || !oscal_ymd(s, v) || !oscal_tm_valid(v[0], v[1], v[2], 23, 59, 59))
		return false;
	oscal_time_fmt(out, v[0], v[1], v[2], 23, 59, 59);
	return true;
}

void oscal_time_now(char out[OSCAL_TIME_LEN])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	oscal_time_fmt(out, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		       tm.tm_min, tm.tm_sec);
}

void oscal_markup(char *dst, size_t dstsz, const char *src)
{
	static const char special[] = "\\`*_[]<>#!|~&{}";
	size_t k = 0;
	unsigned char c;

	for (; (c = (unsigned char)*src) != '\0'; src++) {
		bool esc = strchr(special, c) != NULL;
		if (k + esc + 1 >= dstsz)
			break;
		if (esc)
			dst[k++] = '\\';
		dst[k++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[k] = '\0';
}

/* Characters that JavaScript's \s matches or that are controls: StringDatatype's
 * pattern ^\S(.*\S)?$ is checked with JavaScript regular expressions. */
static bool oscal_is_space(uint32_t c)
{
	return c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

void oscal_string(char *dst, size_t dstsz, const char *src, size_t srcsz,
		  const char *fallback)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strnlen(src, srcsz), i = 0, k = 0, len;
	const char *bytes;
	bool space = false;
	uint32_t cp;

	while (i < n) {
		len = jw_utf8_next(s + i, n - i, &cp);
		bytes = len ? (const char *)s + i : "\xef\xbf\xbd";
		i += len ? len : 1;
		if (len && oscal_is_space(cp)) {
			space = k > 0;
			continue;
		}
		if (!len)
			len = 3;
		if (k + space + len + 1 > dstsz)
			break;
		if (space)
			dst[k++] = ' ';
		memcpy(dst + k, bytes, len);
		k += len;
		space = false;
	}
	if (k == 0)
		snprintf(dst, dstsz, "%s", fallback);
	else
		dst[k] = '\0';
}
