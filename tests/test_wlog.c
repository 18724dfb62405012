/* A worker's stderr as the supervisor shows it (wlog.c, issue 19 finding
 * 3): every byte but printable ASCII escaped (C0 with ESC, BEL, CR, TAB;
 * DEL; C1 raw and UTF-8-encoded; the backslash itself), lines assembled
 * across reads, every line and every piece of a long one prefixed with
 * the worker's identity, a last line without newline flushed; and the
 * log tail a failed request keeps for a report, escaped. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/wlog.h"
#include "check.h"

static char *run(const char *const *chunks, const size_t *lens, size_t n)
{
	static char out[8192];
	struct wlog l;
	FILE *f = fmemopen(out, sizeof(out), "w");

	if (!f)
		return NULL;
	setvbuf(f, NULL, _IONBF, 0);
	wlog_init(&l, 3, 1234);
	for (size_t i = 0; i < n; i++)
		wlog_feed(&l, (const uint8_t *)chunks[i], lens[i], f);
	wlog_flush(&l, f);
	fclose(f);
	return out;
}

int main(void)
{
	char e[5];
	char *o;

	CHECK_INT(wlog_escape('a', e), 1);
	CHECK_STR(e, "a");
	CHECK_INT(wlog_escape(0x1b, e), 4);
	CHECK_STR(e, "\\x1b");
	CHECK_INT(wlog_escape('\\', e), 4);
	CHECK_STR(e, "\\x5c");
	for (unsigned c = 0; c < 256; c++) {
		size_t k = wlog_escape((uint8_t)c, e);
		CHECK(k == (c >= 0x20 && c < 0x7f && c != '\\' ? 1u : 4u));
		for (size_t i = 0; i < k; i++)
			CHECK(e[i] >= 0x20 && e[i] < 0x7f);
	}

	{
		/* A forged supervisor line, split across reads mid-sequence. */
		const char *c[] = { "\x1b]0;t\x07\r\x1b[2K", "\x9b" "1m\xc2\x9bx.png: OK\nsecond\tline\x7f\n", "tail\x1b" };
		const size_t n[] = { strlen(c[0]), strlen(c[1]), strlen(c[2]) };
		o = run(c, n, 3);
		CHECK_STR(o, "[worker 3 pid 1234] \\x1b]0;t\\x07\\x0d\\x1b[2K\\x9b1m\\xc2\\x9bx.png: OK\n"
			     "[worker 3 pid 1234] second\\x09line\\x7f\n"
			     "[worker 3 pid 1234] tail\\x1b\n");
	}
	{
		/* A line longer than WLOG_LINE_MAX goes on in prefixed pieces. */
		static char big[WLOG_LINE_MAX + 10];
		const char *c[] = { big };
		size_t n[] = { sizeof(big) };
		char *second;

		memset(big, 'y', sizeof(big));
		big[sizeof(big) - 1] = '\n';
		o = run(c, n, 1);
		CHECK(!strncmp(o, "[worker 3 pid 1234] ", 20));
		second = strchr(o, '\n');
		CHECK(second && second - o == 20 + (long)WLOG_LINE_MAX);
		CHECK(second && !strcmp(second + 1, "[worker 3 pid 1234] yyyyyyyyy\n"));
	}
	{
		/* An escape never split across pieces: 4-byte escapes fill up. */
		static char esc[WLOG_LINE_MAX];
		const char *c[] = { esc };
		size_t n[] = { sizeof(esc) / 4 + 1 };
		char *nl;

		memset(esc, 0x01, sizeof(esc));
		o = run(c, n, 1);
		nl = strchr(o, '\n');
		CHECK(nl && (nl - o - 20) % 4 == 0 && nl[-4] == '\\');
	}
	{
		/* The log tail kept for a report: lines kept, the rest escaped. */
		size_t n = 0;
		char *t = wlog_escape_text((const uint8_t *)"==1==ERROR\n\x1b[1mx\r\n", 18, &n);

		CHECK(t && n == strlen(t));
		CHECK_STR(t, "==1==ERROR\n\\x1b[1mx\\x0d\n");
		free(t);
	}
	return check_done("test_wlog");
}
