/* A finding's stack out of the worker's log; see fz_stack.h. Pure; runs in
 * the supervisor on hostile text: every copy bounded, every number parsed
 * with its length checked. */
#include "fz_stack.h"

#include <stdio.h>
#include <string.h>

#include "fz_sha1.h"

/* Copies up to the first of stop (or the end, or cap) into out. */
static void fz_copy_until(const char *p, const char *end, const char *stop, char *out, size_t cap)
{
	size_t n = 0;

	while (p + n < end && !strchr(stop, p[n]) && n + 1 < cap)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

static const char *fz_hex(const char *p, const char *end, uint64_t *v)
{
	int digits = 0;

	*v = 0;
	if (end - p < 3 || p[0] != '0' || p[1] != 'x')
		return NULL;
	for (p += 2; p < end && digits < 16; p++, digits++) {
		int c = *p;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			break;
		*v = *v << 4 | (uint64_t)d;
	}
	return digits ? p : NULL;
}

static const char *fz_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Sanitizer runtimes' frames (interceptors, the report machinery), libc's
 * and the worker image's (its loop calling the target) are not the
 * target's: a frame in them is kept but not hashed. */
static bool fz_runtime_frame(const struct fz_frame *fr)
{
	static const char *const mods[] = { "libclang_rt.", "libasan.", "libubsan.", "libc.so", "ld-linux",
					    "caisson-zygote", NULL };
	static const char *const funcs[] = { "__asan_", "__interceptor_", "___interceptor_", "__sanitizer_",
					     "__ubsan_", NULL };

	for (const char *const *m = mods; fr->has_module && *m; m++)
		if (!strncmp(fz_base(fr->module), *m, strlen(*m)))
			return true;
	for (const char *const *f = funcs; *f; f++)
		if (!strncmp(fr->func, *f, strlen(*f)))
			return true;
	return false;
}

/* One "#N 0xPC [in FUNC ...] [(MODULE+0xOFF)]" line; false if it is not a
 * frame numbered want. */
static bool fz_frame_line(const char *p, const char *end, unsigned want, struct fz_frame *fr)
{
	unsigned num = 0;
	int digits = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p++ != '#')
		return false;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		num = num * 10 + (unsigned)(*p - '0');
	if (!digits || num != want || p >= end || *p != ' ')
		return false;
	while (p < end && *p == ' ')
		p++;
	memset(fr, 0, sizeof(*fr));
	if (!(p = fz_hex(p, end, &fr->pc)))
		return false;
	if (end - p > 4 && !memcmp(p, " in ", 4))
		fz_copy_until(p + 4, end, " (", fr->func, sizeof(fr->func));
	for (const char *o = p; o < end; o++) {
		const char *plus, *q;
		if (*o != '(')
			continue;
		for (plus = o + 1; plus < end && *plus != ')' && *plus != '+'; plus++)
			;
		if (plus >= end || *plus != '+' || !(q = fz_hex(plus + 1, end, &fr->off)) || q >= end || *q != ')')
			continue;
		fz_copy_until(o + 1, plus, "", fr->module, sizeof(fr->module));
		fr->has_module = (size_t)(plus - o - 1) < sizeof(fr->module);
		break;
	}
	return true;
}

/* "ERROR: AddressSanitizer: heap-buffer-overflow on address ..." -> the
 * sanitizer and its kind; UBSan's "runtime error: ..." likewise. */
static void fz_verdict(const char *line, const char *end, struct fz_stack *st)
{
	const char *e = NULL;

	for (const char *p = line; p + 7 <= end && !e; p++)
		if (!memcmp(p, "ERROR: ", 7) && end - p > 7 && memchr(p + 7, ':', (size_t)(end - p - 7)))
			e = p + 7;
	if (e) {
		fz_copy_until(e, end, "\n", st->verdict, sizeof(st->verdict));
		for (char *cut = st->verdict; (cut = strstr(cut, " on ")); cut++)
			if (!strncmp(cut, " on address", 11) || !strncmp(cut, " on unknown", 11)) {
				*cut = '\0';
				break;
			}
	}
}

static void fz_stack_hash(struct fz_stack *st)
{
	char buf[FZ_STACK_HASHED * 300], hex[FZ_SHA1_HEX];
	size_t o = 0;

	st->hashed = 0;
	st->hash[0] = '\0';
	for (size_t i = 0; i < st->n && st->hashed < FZ_STACK_HASHED; i++) {
		const struct fz_frame *fr = &st->f[i];
		int w;
		if (fr->runtime)
			continue;
		if (fr->has_module)
			w = snprintf(buf + o, sizeof(buf) - o, "%s+0x%llx\n", fz_base(fr->module),
				     (unsigned long long)fr->off);
		else if (fr->func[0])
			w = snprintf(buf + o, sizeof(buf) - o, "%s\n", fr->func);
		else
			continue;
		if (w < 0 || (size_t)w >= sizeof(buf) - o)
			break;
		o += (size_t)w;
		st->hashed++;
	}
	if (!st->hashed)
		return;
	fz_sha1_hex((const uint8_t *)buf, o, hex);
	memcpy(st->hash, hex, FZ_STACK_HASH_HEX - 1);
	st->hash[FZ_STACK_HASH_HEX - 1] = '\0';
}

void fz_stack_parse(const char *log, size_t len, struct fz_stack *st)
{
	const char *p = log, *end = log + len;
	bool in = false;

	memset(st, 0, sizeof(*st));
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct fz_frame fr;

		if (!st->verdict[0])
			fz_verdict(p, le, st);
		/* An allocation or free stack's heading before any stack: the
		 * report's head (its error's stack) fell out of the log tail;
		 * hashing the allocation site would fold unrelated bugs. */
		if (!in && memmem(p, (size_t)(le - p), " by thread T", 12))
			break;
		if (st->n < FZ_STACK_MAX && fz_frame_line(p, le, (unsigned)st->n, &fr)) {
			in = true;
			st->f[st->n] = fr;
			st->f[st->n].runtime = fz_runtime_frame(&fr);
			st->n++;
		} else if (in) {
			break; /* the first stack ended */
		}
		p = nl ? nl + 1 : NULL;
	}
	fz_stack_hash(st);
}

void fz_stack_frame_line(const struct fz_stack *st, size_t i, char *out, size_t len)
{
	const struct fz_frame *fr = &st->f[i];
	int o = snprintf(out, len, "#%zu 0x%llx", i, (unsigned long long)fr->pc);

	if (o >= 0 && (size_t)o < len && fr->func[0])
		o += snprintf(out + o, len - (size_t)o, " in %s", fr->func);
	if (o >= 0 && (size_t)o < len && fr->where[0])
		o += snprintf(out + o, len - (size_t)o, " %s", fr->where);
	if (o >= 0 && (size_t)o < len && fr->has_module)
		snprintf(out + o, len - (size_t)o, " (%s+0x%llx)", fr->module, (unsigned long long)fr->off);
}
