/* libFuzzer target: worker-controlled bytes through the JSON string escaper,
 * the OSCAL StringDatatype sanitiser and the markup neutraliser
 * (supervisor/evidence/json.c, oscal.c). The escaped string must be one valid JSON
 * string literal in valid UTF-8; the sanitised text non-empty UTF-8 with no
 * control or edge white space; the markup free of controls, with every
 * markup character escaped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/json.h"
#include "evidence/oscal.h"

/* Valid UTF-8 with no raw byte below 0x20: abort otherwise. */
static void check_utf8(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	for (size_t i = 0; i < n; i += len) {
		len = jw_utf8_next(s + i, n - i, &cp);
		if (len == 0 || cp < 0x20)
			abort();
	}
}

static void check_escaped(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct json j;

	if (!f)
		abort();
	jw_init(&j, f);
	jw_strn(&j, (const char *)data, size);
	if (jw_finish(&j) != 0 || fclose(f) != 0)
		abort();
	/* "...", a newline; inside, a quote only as \" and a backslash only
	 * starting an escape. */
	if (n < 3 || out[0] != '"' || out[n - 2] != '"' || out[n - 1] != '\n')
		abort();
	check_utf8((const unsigned char *)out, n - 1);
	for (size_t i = 1; i < n - 2; i++) {
		if (out[i] == '"')
			abort();
		if (out[i] == '\\' && !strchr("\"\\bfnrtu", out[++i]))
			abort();
	}
	free(out);
}

static void check_string(const uint8_t *data, size_t size)
{
	char in[256], out[128];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1, len;

	memcpy(in, data, n);
	in[n] = '\0';
	oscal_string(out, sizeof(out), in, sizeof(in), "none");
	len = strlen(out);
	if (len == 0 || out[0] == ' ' || out[len - 1] == ' ' || strstr(out, "  "))
		abort();
	check_utf8((const unsigned char *)out, len);
}

static void check_markup(const uint8_t *data, size_t size)
{
	static const char special[] = "\\`*_[]<>#!|~&{}";
	char in[256], out[300];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;

	memcpy(in, data, n);
	in[n] = '\0';
	oscal_markup(out, sizeof(out), in);
	for (const char *p = out; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
		if (*p == '\\') {
			if (!*++p || !strchr(special, *p))
				abort();
		} else if (strchr(special, *p)) {
			abort(); /* unescaped */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_escaped(data, size);
	check_string(data, size);
	check_markup(data, size);
	return 0;
}
