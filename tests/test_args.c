/* Per-request arguments, pure parts: the wire block (ipc/ipc_args.c) at
 * its boundaries, ipc_decode with IPC_F_ARGS on every request type, the
 * [args] declarations a profile may and may not make, and the supervisor's
 * check of each hostile value with its text. No process is started. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipc/ipc_args.h"
#include "ipc/ipc_codec.h"
#include "ipc/wire.h"
#include "policy/profile.h"
#include "policy/profile_load.h"
#include "policy/reqargs.h"

static struct ipc_kv kv(const char *k, const char *v)
{
	return (struct ipc_kv){ k, strlen(k), v, strlen(v) };
}

static void test_block(void)
{
	static char longval[IPC_ARG_VAL_MAX + 2], longkey[IPC_ARG_KEY_MAX + 2];
	struct ipc_kv pairs[IPC_ARGS_MAX + 1];
	uint8_t b[IPC_ARGS_WIRE_MAX + 64];
	struct ipc_args a;
	char keys[IPC_ARGS_MAX + 1][8];
	size_t n;

	/* The empty block and a round trip. */
	CHECK_INT(ipc_args_encode(b, sizeof(b), NULL, 0), IPC_ARGS_HDR);
	CHECK_INT(ipc_args_span(b, IPC_ARGS_HDR), IPC_ARGS_HDR);
	pairs[0] = kv("page", "3");
	pairs[1] = kv("format", "");
	n = ipc_args_encode(b, sizeof(b), pairs, 2);
	CHECK_INT(n, IPC_ARGS_HDR + 2 * IPC_ARG_REC + 4 + 1 + 6);
	CHECK_INT(ipc_args_decode(b, n, &a), 0);
	CHECK_INT(a.n, 2);
	CHECK_STR(a.kv[0].key, "page");
	CHECK_STR(a.kv[0].val, "3");
	CHECK_STR(a.kv[1].key, "format");
	CHECK_STR(a.kv[1].val, "");
	/* Truncated anywhere: no block; one byte more than the block: decode
	 * wants exactly it, span finds it. */
	for (size_t cut = 0; cut < n; cut++)
		CHECK_INT(ipc_args_span(b, cut), 0);
	CHECK_INT(ipc_args_span(b, n + 1), n);
	CHECK_INT(ipc_args_decode(b, n + 1, &a), -1);
	CHECK_INT(ipc_args_decode(b, 0, &a), -1); /* found by fuzz_args: no block at all */
	CHECK_INT(ipc_args_decode(b, 1, &a), -1);
	/* The largest block: 16 pairs of 32-byte keys and 256-byte values. */
	memset(longval, 'v', IPC_ARG_VAL_MAX);
	for (int i = 0; i < (int)IPC_ARGS_MAX + 1; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%02d", i);
		memset(longkey, 'k', IPC_ARG_KEY_MAX);
		memcpy(longkey, keys[i], 3);
		pairs[i] = (struct ipc_kv){ strdup(longkey), IPC_ARG_KEY_MAX, longval, IPC_ARG_VAL_MAX };
	}
	n = ipc_args_encode(b, sizeof(b), pairs, IPC_ARGS_MAX);
	CHECK_INT(n, IPC_ARGS_WIRE_MAX);
	CHECK_INT(ipc_args_decode(b, n, &a), 0);
	CHECK_INT(a.n, IPC_ARGS_MAX);
	CHECK_INT(strlen(a.kv[15].val), IPC_ARG_VAL_MAX);
	/* 17 pairs, a 33-byte key, a 257-byte value, an empty key: refused. */
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, IPC_ARGS_MAX + 1), 0);
	pairs[0].klen = IPC_ARG_KEY_MAX + 1;
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 1), 0);
	pairs[0].klen = 0;
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 1), 0);
	pairs[0].klen = IPC_ARG_KEY_MAX;
	pairs[0].vlen = IPC_ARG_VAL_MAX + 1;
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 1), 0);
	for (int i = 0; i < (int)IPC_ARGS_MAX + 1; i++)
		free((void *)pairs[i].key);
	/* A NUL inside a key or a value, a key twice: refused by both ends. */
	pairs[0] = (struct ipc_kv){ "pa\0e", 4, "1", 1 };
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 1), 0);
	pairs[0] = (struct ipc_kv){ "page", 4, "1\0", 2 };
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 1), 0);
	pairs[0] = kv("page", "1");
	pairs[1] = kv("page", "2");
	CHECK_INT(ipc_args_encode(b, sizeof(b), pairs, 2), 0);
	/* Hand-made blocks the decoder must refuse: a key twice, a NUL, a
	 * record past the block, a length field past the bytes, B too big. */
	n = ipc_args_encode(b, sizeof(b), (struct ipc_kv[]){ kv("ab", "x"), kv("cd", "y") }, 2);
	CHECK(n > 0);
	b[IPC_ARGS_HDR + IPC_ARG_REC + 3 + IPC_ARG_REC] = 'a';
	b[IPC_ARGS_HDR + IPC_ARG_REC + 3 + IPC_ARG_REC + 1] = 'b';
	CHECK_INT(ipc_args_span(b, n), 0);
	b[IPC_ARGS_HDR + IPC_ARG_REC + 3 + IPC_ARG_REC + 1] = '\0';
	CHECK_INT(ipc_args_span(b, n), 0);
	n = ipc_args_encode(b, sizeof(b), (struct ipc_kv[]){ kv("ab", "x") }, 1);
	wire_put16(b + IPC_ARGS_HDR + 1, 2); /* value length 2: past the block */
	CHECK_INT(ipc_args_span(b, n), 0);
	wire_put16(b + IPC_ARGS_HDR + 1, 1);
	wire_put16(b, (uint16_t)(n - IPC_ARGS_HDR + 1));
	CHECK_INT(ipc_args_span(b, n + 5), 0); /* B one more than the records */
	wire_put16(b, 0xffff);
	CHECK_INT(ipc_args_span(b, sizeof(b)), 0);
}

/* A request message with an arguments block before its payload. */
static size_t flagged(uint8_t *buf, enum ipc_type t, const uint8_t *blk, size_t blen, const void *p, size_t plen)
{
	ipc_encode_hdr_flags(buf, t, IPC_F_ARGS, 5, (uint32_t)(blen + plen));
	memcpy(buf + IPC_HDR_LEN, blk, blen);
	memcpy(buf + IPC_HDR_LEN + blen, p, plen);
	return IPC_HDR_LEN + blen + plen;
}

static void test_decode(void)
{
	static uint8_t buf[IPC_HDR_LEN + IPC_INLINE_MAX + IPC_ARGS_WIRE_MAX + 8], big[IPC_INLINE_MAX + 1];
	const struct ipc_expect ex = { .dir = IPC_S2W, .state = ST_IDLE };
	uint8_t blk[64], shm[8], rec[IPC_REC_HDR];
	struct ipc_msg m;
	size_t bl = ipc_args_encode(blk, sizeof(blk), (struct ipc_kv[]){ kv("dpi", "300") }, 1), n;
	const uint8_t *data, *args;
	uint32_t len, alen;
	uint64_t id;

	/* W_REQUEST: the block, then the input; bounds are the input's. */
	n = flagged(buf, IPC_W_REQUEST, blk, bl, "hello", 5);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_OK);
	CHECK_INT(m.len, 5);
	CHECK(memcmp(m.payload, "hello", 5) == 0);
	CHECK_INT(m.args_len, bl);
	CHECK(m.args == buf + IPC_HDR_LEN);
	n = flagged(buf, IPC_W_REQUEST, blk, bl, big, IPC_INLINE_MAX);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_OK);
	n = flagged(buf, IPC_W_REQUEST, blk, bl, big, IPC_INLINE_MAX + 1);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_E_BOUNDS);
	/* A broken block: a field error, whatever follows. */
	n = flagged(buf, IPC_W_REQUEST, blk, bl - 1, "", 0);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_E_FIELD);
	/* Unflagged, the same bytes are all input. */
	n = flagged(buf, IPC_W_REQUEST, blk, bl, "hello", 5);
	wire_put16(buf + 6, 0);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_OK);
	CHECK_INT(m.len, bl + 5);
	CHECK(m.args == NULL);
	/* An unknown flag, or IPC_F_ARGS on a type that cannot carry it. */
	wire_put16(buf + 6, 2);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_E_FLAGS);
	ipc_encode_hdr_flags(buf, IPC_W_OK, IPC_F_ARGS, 5, 0);
	CHECK_INT(ipc_decode(buf, IPC_HDR_LEN, NULL, 0,
			     &(struct ipc_expect){ .dir = IPC_W2S, .state = ST_BUSY, .match_id = 1, .id = 5 }, &m),
		  IPC_E_FLAGS);
	/* W_REQUEST_SHM: the block, then the u64 size. */
	wire_put64(shm, 4096);
	n = flagged(buf, IPC_W_REQUEST_SHM, blk, bl, shm, 8);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_OK);
	CHECK_INT(m.u.bulk.size, 4096);
	CHECK_INT(m.args_len, bl);
	n = flagged(buf, IPC_W_REQUEST_SHM, blk, bl, shm, 7);
	CHECK_INT(ipc_decode(buf, n, NULL, 0, &ex, &m), IPC_E_BOUNDS);
	/* W_REQUESTS: every record begins with a block (here the empty one
	 * for the second); a record without one is refused. */
	ipc_rec_put(rec, 9, (uint32_t)(bl + 2));
	memcpy(big, rec, IPC_REC_HDR);
	memcpy(big + IPC_REC_HDR, blk, bl);
	memcpy(big + IPC_REC_HDR + bl, "hi", 2);
	n = IPC_REC_HDR + bl + 2;
	ipc_rec_put(big + n, 10, IPC_ARGS_HDR + 1);
	memset(big + n + IPC_REC_HDR, 0, IPC_ARGS_HDR);
	big[n + IPC_REC_HDR + IPC_ARGS_HDR] = 'z';
	n += IPC_REC_HDR + IPC_ARGS_HDR + 1;
	ipc_encode_hdr_flags(buf, IPC_W_REQUESTS, IPC_F_ARGS, 0, (uint32_t)n);
	memcpy(buf + IPC_HDR_LEN, big, n);
	CHECK_INT(ipc_decode(buf, IPC_HDR_LEN + n, NULL, 0, &ex, &m), IPC_OK);
	{
		struct ipc_rec_it it = { m.payload, m.len };
		CHECK(ipc_rec_next(&it, &id, &data, &len));
		ipc_rec_args(&data, &len, &args, &alen);
		CHECK_INT(id, 9);
		CHECK_INT(alen, bl);
		CHECK_INT(len, 2);
		CHECK(memcmp(data, "hi", 2) == 0);
		CHECK(ipc_rec_next(&it, &id, &data, &len));
		ipc_rec_args(&data, &len, &args, &alen);
		CHECK_INT(alen, IPC_ARGS_HDR);
		CHECK_INT(len, 1);
		CHECK(!ipc_rec_next(&it, &id, &data, &len));
	}
	/* The second record's block broken: B = 1 in a record of 3 bytes. */
	buf[IPC_HDR_LEN + IPC_REC_HDR + bl + 2 + IPC_REC_HDR] = 1;
	CHECK_INT(ipc_decode(buf, IPC_HDR_LEN + n, NULL, 0, &ex, &m), IPC_E_FIELD);
}

static int declare(const char *text, char *err, size_t errlen, struct profile *p)
{
	char file[1024];
	int rc;

	snprintf(file, sizeof(file), "[seccomp]\nallow = @default\n[args]\n%s\n", text);
	memset(p, 0, sizeof(*p));
	rc = profile_parse_buffer("t.ini", file, strlen(file), p, err, errlen);
	return rc;
}

static void test_declare(void)
{
	static const struct {
		const char *text, *err; /* err NULL: accepted */
	} cases[] = {
		{ "page = int 1..9999", NULL },
		{ "format = enum png, jpeg,tiff", NULL },
		{ "name = word 64", NULL },
		{ "n0_x = int 0..0", NULL },
		{ "page = int 10..1", "t.ini:4: page: empty range 10..1" },
		{ "page = int 1..x", "t.ini:4: page: expected 'int LO..HI' with decimal integers" },
		{ "page = int 01..5", "t.ini:4: page: expected 'int LO..HI' with decimal integers" },
		{ "page = int -5..5", "t.ini:4: [args] page: int range reaches below 0: a value starting with '-' "
				       "would read as an option" },
		{ "page = float 1", "t.ini:4: page: expected a type: 'int LO..HI', 'enum A,B,...' or 'word N'" },
		{ "name = word 0", "t.ini:4: name: expected 'word N' with N in 1..256" },
		{ "name = word 257", "t.ini:4: name: expected 'word N' with N in 1..256" },
		{ "f = enum a,,b", "t.ini:4: f: enum member 2 is empty (1 to 64 characters from [A-Za-z0-9._+-], "
				    "not starting with '-')" },
		{ "f = enum a,-rf", "t.ini:4: f: enum member 2 starts with '-' (1 to 64 characters from "
				     "[A-Za-z0-9._+-], not starting with '-')" },
		{ "f = enum a b", "t.ini:4: f: expected ',' between enum members" },
		{ "f = enum a;b", "t.ini:4: f: enum member 1 has a character outside [A-Za-z0-9._+-] (1 to 64 "
				   "characters from [A-Za-z0-9._+-], not starting with '-')" },
		{ "f = enum a,a", "t.ini:4: f: enum member 'a' listed twice" },
		{ "Page = int 1..2", "t.ini:4: argument name 'Page': expected 1 to 32 characters from [a-z0-9_], "
				      "starting with a letter" },
		{ "a23456789012345678901234567890123 = int 1..2", "t.ini:4: argument name "
		  "'a23456789012345678901234567890123': expected 1 to 32 characters from [a-z0-9_], starting with a letter" },
		{ "page = int 1..2\npage = int 1..3", "t.ini:5: argument 'page' declared twice (first on line 4)" },
		{ "in = word 8", "t.ini:4: [args] in: the name is reserved for the {in} placeholder of caisson exec" },
		{ "out = word 8", "t.ini:4: [args] out: the name is reserved for the {out} placeholder of caisson exec" },
	};
	static struct profile p;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = declare(cases[i].text, err, sizeof(err), &p);

		if (cases[i].err) {
			CHECK_INT(rc, -1);
			if (rc < 0)
				CHECK_STR(err, cases[i].err);
		} else {
			CHECK_INT(rc, 0);
			if (rc < 0)
				fprintf(stderr, "  %s: %s\n", cases[i].text, err);
		}
		if (rc == 0)
			profile_free(&p);
	}
	CHECK_INT(declare("format = enum png, jpeg,tiff\nname = word 64", err, sizeof(err), &p), 0);
	CHECK_INT(p.args.n, 2);
	CHECK_STR(p.args.keys[0].members, "png,jpeg,tiff");
	CHECK_INT(p.args.keys[1].max, 64);
	profile_free(&p);
}

static void test_check(void)
{
	static struct profile p;
	static char v257[IPC_ARG_VAL_MAX + 2];
	struct ipc_kv many[IPC_ARGS_MAX + 1];
	static const struct {
		struct ipc_kv kv;
		const char *why; /* NULL: accepted */
	} cases[] = {
		{ { "page", 4, "9999", 4 }, NULL },
		{ { "page", 4, "0", 1 }, "argument 'page': '0' is out of range (int 1..9999)" },
		{ { "page", 4, "10000", 5 }, "argument 'page': '10000' is out of range (int 1..9999)" },
		{ { "page", 4, "-1", 2 }, "argument 'page': '-1' is out of range (int 1..9999)" },
		{ { "page", 4, "07", 2 }, "argument 'page': '07' is not a decimal integer (int 1..9999)" },
		{ { "page", 4, "1e3", 3 }, "argument 'page': '1e3' is not a decimal integer (int 1..9999)" },
		{ { "page", 4, "99999999999999999999", 20 }, "argument 'page': '99999999999999999999' is not a decimal "
							      "integer (int 1..9999)" },
		{ { "format", 6, "png", 3 }, NULL },
		{ { "format", 6, "gif", 3 }, "argument 'format': 'gif' is not one of the members (enum png,jpeg,tiff)" },
		{ { "format", 6, "pn", 2 }, "argument 'format': 'pn' is not one of the members (enum png,jpeg,tiff)" },
		{ { "name", 4, "a-b.c+d_9", 9 }, NULL },
		{ { "name", 4, "-rf", 3 }, "argument 'name': '-rf' starts with '-' (word 64)" },
		{ { "name", 4, "a;rm", 4 }, "argument 'name': 'a;rm' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "$(id)", 5 }, "argument 'name': '$(id)' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "a b", 3 }, "argument 'name': 'a b' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "`x`|&>", 6 }, "argument 'name': '`x`|&>' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "a/../b", 6 }, "argument 'name': 'a/../b' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "", 0 }, "argument 'name': '' is empty (word 64)" },
		{ { "name", 4, "\x1b[31m", 5 }, "argument 'name': '?[31m' has a character outside [A-Za-z0-9._+-] (word 64)" },
		{ { "name", 4, "a\0b", 3 }, "argument 'name': value 'a?b' holds a NUL byte" },
		{ { "na\0e", 4, "x", 1 }, "argument name 'na?e' holds a NUL byte" },
		{ { "size", 4, "1", 1 }, "unknown argument 'size' (the profile declares page, format, name)" },
		{ { "a23456789012345678901234567890123", 33, "1", 1 }, "argument name of 33 bytes > limit 32 "
									"('a23456789012345678901234567890123')" },
	};
	char why[512];

	CHECK_INT(declare("page = int 1..9999\nformat = enum png,jpeg,tiff\nname = word 64", why, sizeof(why), &p), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = reqargs_check(&p.args, &cases[i].kv, 1, why, sizeof(why));

		CHECK_INT(rc, cases[i].why ? -1 : 0);
		if (rc < 0 && cases[i].why)
			CHECK_STR(why, cases[i].why);
	}
	/* A value over 256 bytes, whatever its type; over the word's own cap. */
	memset(v257, 'a', IPC_ARG_VAL_MAX + 1);
	CHECK_INT(reqargs_check(&p.args, &(struct ipc_kv){ "name", 4, v257, IPC_ARG_VAL_MAX + 1 }, 1, why, sizeof(why)),
		  -1);
	CHECK_STR(why, "argument 'name': value of 257 bytes > limit 256");
	CHECK_INT(reqargs_check(&p.args, &(struct ipc_kv){ "name", 4, v257, 65 }, 1, why, sizeof(why)), -1);
	CHECK_STR(why, "argument 'name': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (word 64)");
	/* A key twice; 17 pairs (refused by the count alone). */
	many[0] = kv("page", "1");
	many[1] = kv("page", "2");
	CHECK_INT(reqargs_check(&p.args, many, 2, why, sizeof(why)), -1);
	CHECK_STR(why, "argument 'page' given twice");
	CHECK_INT(reqargs_check(&p.args, many, IPC_ARGS_MAX + 1, why, sizeof(why)), -1);
	CHECK_STR(why, "17 arguments > limit 16");
	CHECK_INT(reqargs_check(&p.args, many, 0, why, sizeof(why)), 0);
	profile_free(&p);
	/* A profile that declares none. */
	CHECK_INT(declare("", why, sizeof(why), &p), 0);
	CHECK_INT(reqargs_check(&p.args, many, 1, why, sizeof(why)), -1);
	CHECK_STR(why, "unknown argument 'page' (the profile declares none)");
	profile_free(&p);
}

int main(void)
{
	test_block();
	test_decode();
	test_declare();
	test_check();
	return check_done("test_args");
}
