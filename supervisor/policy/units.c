/* Unit parsing and formatting for profile values; see units.h. Pure code run by the
 * supervisor on untrusted profile text: every number goes through strtoull
 * with ERANGE checked and every multiplication is checked for overflow. */
#include "units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct units_mult {
	const char *suffix;
	uint64_t mult;
};

static const struct units_mult units_durations[] = {
	{ "us", 1 },
	{ "ms", 1000 },
	{ "s", 1000 * 1000 },
	{ "min", 60ull * 1000 * 1000 },
	{ "h", 3600ull * 1000 * 1000 },
};

static const struct units_mult units_sizes[] = {
	{ "", 1 },
	{ "K", 1ull << 10 },
	{ "M", 1ull << 20 },
	{ "G", 1ull << 30 },
	{ "T", 1ull << 40 },
};

/* Leading digits of s into *v; *end points past them. strtoull alone would
 * accept leading space, a sign and "0x", so the first byte is checked. */
static enum units_err units_digits(const char *s, uint64_t *v, const char **end)
{
	char *e;

	if (!*s)
		return UNITS_E_EMPTY;
	if (*s < '0' || *s > '9')
		return UNITS_E_SYNTAX;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return UNITS_E_OVERFLOW;
	*end = e;
	return UNITS_OK;
}

static enum units_err units_scaled(const char *s, const struct units_mult *tab, size_t n,
				   enum units_err bare, uint64_t *out)
{
	const char *rest;
	uint64_t v;
	enum units_err e = units_digits(s, &v, &rest);

	if (e != UNITS_OK)
		return e;
	if (!*rest && bare != UNITS_OK)
		return bare;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rest, tab[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / tab[i].mult)
			return UNITS_E_OVERFLOW;
		*out = v * tab[i].mult;
		return UNITS_OK;
	}
	/* Digits followed by something that starts like a number (".5s",
	 * " 5") is a syntax error rather than an unknown unit. */
	if (*rest == '.' || *rest == ' ' || *rest == '\t' || (*rest >= '0' && *rest <= '9'))
		return UNITS_E_SYNTAX;
	return UNITS_E_UNIT;
}

enum units_err units_duration_us(const char *s, uint64_t *us)
{
	return units_scaled(s, units_durations, sizeof(units_durations) / sizeof(units_durations[0]),
			    UNITS_E_NO_UNIT, us);
}

enum units_err units_size_bytes(const char *s, uint64_t *bytes)
{
	return units_scaled(s, units_sizes, sizeof(units_sizes) / sizeof(units_sizes[0]), UNITS_OK,
			    bytes);
}

enum units_err units_uint(const char *s, uint64_t *v)
{
	const char *rest;
	enum units_err e = units_digits(s, v, &rest);

	if (e == UNITS_OK && *rest)
		return UNITS_E_SYNTAX;
	return e;
}

/* The largest unit of tab that divides v exactly (tab is ascending). */
static void units_format(uint64_t v, const struct units_mult *tab, size_t n, char *buf, size_t len)
{
	size_t i = n;

	while (i > 1 && (v == 0 || v % tab[i - 1].mult != 0))
		i--;
	snprintf(buf, len, "%llu%s", (unsigned long long)(v / tab[i - 1].mult), tab[i - 1].suffix);
}

void units_format_us(uint64_t us, char *buf, size_t len)
{
	units_format(us, units_durations, sizeof(units_durations) / sizeof(units_durations[0]), buf, len);
}

void units_format_size(uint64_t bytes, char *buf, size_t len)
{
	units_format(bytes, units_sizes, sizeof(units_sizes) / sizeof(units_sizes[0]), buf, len);
}

const char *units_strerror(enum units_err e)
{
	switch (e) {
	case UNITS_OK:
		return "ok";
	case UNITS_E_EMPTY:
		return "empty value";
	case UNITS_E_SYNTAX:
		return "expected an unsigned integer followed by its unit";
	case UNITS_E_NO_UNIT:
		return "a unit is required (us, ms, s, min, h)";
	case UNITS_E_UNIT:
		return "unknown unit";
	case UNITS_E_OVERFLOW:
		return "number too large";
	}
	return "invalid value";
}
