/* caisson fuzz's pure parts (supervisor/fuzz): SHA-1 against FIPS 180
 * vectors, the dictionary parser on good and bad lines, features and
 * their buckets, the comparison table on hostile slots, and the mutators:
 * lengths always within 1..max_len, the same seed the same outputs, and
 * comparison operands written into inputs; stacks read from worker logs
 * (ASan's and the worker's own), hashed by the target's top frames. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipc/ipc_codec.h"
#include "fuzz/fz_batch.h"
#include "fuzz/fz_corpus.h"
#include "fuzz/fz_fold.h"
#include "fuzz/fz_mutate.h"
#include "fuzz/fz_sha1.h"
#include "fuzz/fz_stack.h"

static void test_sha1(void)
{
	char hex[FZ_SHA1_HEX];
	const char *s448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t *million = malloc(1000000);

	fz_sha1_hex((const uint8_t *)"", 0, hex);
	CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	fz_sha1_hex((const uint8_t *)"abc", 3, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	fz_sha1_hex((const uint8_t *)s448, strlen(s448), hex);
	CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	CHECK(million != NULL);
	if (million) {
		memset(million, 'a', 1000000);
		fz_sha1_hex(million, 1000000, hex);
		CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	}
	free(million);
}

static void test_dict(void)
{
	const char *good = "# comment\n\nkw1=\"GIF89a\"\n  \"\\x00\\xffA\\\\\\\"\"  \r\nname_2=\"x\"\n";
	struct fz_dict d;
	char err[128];

	CHECK_INT(fz_dict_parse(good, strlen(good), &d, err, sizeof(err)), 0);
	CHECK_INT(d.n, 3);
	if (d.n == 3) {
		CHECK_INT(d.w[0].len, 6);
		CHECK(!memcmp(d.w[0].b, "GIF89a", 6));
		CHECK_INT(d.w[1].len, 5);
		CHECK(!memcmp(d.w[1].b, "\x00\xff" "A\\\"", 5));
	}
	fz_dict_free(&d);
	const struct {
		const char *text, *why;
	} bad[] = {
		{ "a=b\n", "1: expected" },
		{ "ok=\"1\"\nx=\"open\n", "2: value not closed" },
		{ "x=\"\"\n", "1: empty word" },
		{ "x=\"\\q\"\n", "1: bad escape" },
		{ "x=\"\\x4\"\n", "1: bad escape" },
		{ "x=\"\x01\"\n", "1: bad escape or unprintable" },
		{ "x=\"01234567890123456789012345678901234567890123456789012345678901234\"\n", "1: word longer" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(fz_dict_parse(bad[i].text, strlen(bad[i].text), &d, err, sizeof(err)), -1);
		CHECK(strstr(err, bad[i].why) == err);
		CHECK(d.w == NULL && d.n == 0);
	}
}

static void test_features(void)
{
	struct fz_corpus c;
	uint8_t cnt[16] = { 0 };

	CHECK_INT(fz_corpus_init(&c), 0);
	cnt[3] = 1;
	CHECK_INT(fz_corpus_features(&c, cnt, sizeof(cnt)), 1);
	CHECK_INT(fz_corpus_features(&c, cnt, sizeof(cnt)), 0); /* seen */
	cnt[3] = 5;                                              /* bucket 4-7: a new feature, same edge */
	CHECK_INT(fz_corpus_features(&c, cnt, sizeof(cnt)), 1);
	cnt[3] = 7;
	CHECK_INT(fz_corpus_features(&c, cnt, sizeof(cnt)), 0);
	cnt[3] = 200;
	cnt[15] = 2;
	CHECK_INT(fz_corpus_features(&c, cnt, sizeof(cnt)), 2);
	CHECK_INT(c.nedges, 2);
	CHECK_INT(c.nfeatures, 4);
	/* A count past the region's counters is clamped, never read past. */
	CHECK_INT(fz_corpus_features(&c, cnt, 0), 0);
	CHECK_INT(fz_corpus_add(&c, (const uint8_t *)"abc", 3), 0);
	CHECK_INT(fz_corpus_add(&c, (const uint8_t *)"", 0), 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(c.bytes, 3);
	CHECK_INT(c.max_len, 3);
	fz_corpus_free(&c);
}

/* A coverage snapshot with one comparison slot set. */
static void put_slot(uint8_t *cov, unsigned i, uint8_t kind, const char *a, uint8_t la, const char *b, uint8_t lb)
{
	struct ipc_cov_cmp e = { .kind = kind, .la = la, .lb = lb };
	uint64_t mask;

	memcpy(e.a, a, la < IPC_COV_CMP_BYTES ? la : IPC_COV_CMP_BYTES);
	memcpy(e.b, b, lb < IPC_COV_CMP_BYTES ? lb : IPC_COV_CMP_BYTES);
	memcpy(&mask, cov + IPC_COV_MASK_OFF, 8);
	mask |= 1ull << i;
	memcpy(cov + IPC_COV_MASK_OFF, &mask, 8);
	memcpy(cov + IPC_COV_CMP_OFF + i * sizeof(e), &e, sizeof(e));
}

static void test_torc(void)
{
	static uint8_t cov[IPC_COV_COUNTERS];
	struct fz_mut m = { 0 };
	uint8_t buf[64];
	int found = 0;

	/* Hostile slots are ignored: bad kind, lengths past the bound,
	 * integers of unequal or odd widths. */
	put_slot(cov, 1, 9, "a", 1, "b", 1);
	put_slot(cov, 2, IPC_COV_MEM, "a", 1, "b", 1);
	((struct ipc_cov_cmp *)(cov + IPC_COV_CMP_OFF))[2].la = 200;
	put_slot(cov, 3, IPC_COV_INT, "abcd", 4, "ab", 2);
	put_slot(cov, 4, IPC_COV_INT, "abcdefghi", 9, "abcdefghi", 9);
	fz_torc_take(&m.torc, cov, sizeof(cov));
	CHECK(m.torc.used == 0);
	fz_torc_take(&m.torc, cov, IPC_COV_COUNTERS - 1); /* too short: nothing read */
	memset(cov, 0, sizeof(cov));
	put_slot(cov, 7, IPC_COV_MEM, "xxxx", 4, "MAGIC", 5);
	fz_torc_take(&m.torc, cov, sizeof(cov));
	CHECK(m.torc.used == 1ull << 7);
	/* With the table the only source of words, "MAGIC" lands in inputs. */
	fz_rng_seed(&m.rng, 42);
	for (int i = 0; i < 2000 && !found; i++) {
		size_t n = fz_mutate(&m, memcpy(buf, "xxxxyyyy", 8), 8, sizeof(buf), NULL, 0);
		found = memmem(buf, n, "MAGIC", 5) != NULL;
	}
	CHECK(found);
}

/* 20000 stacked mutations from one seed; the lengths seen, and whether
 * the dictionary word appeared. Returns a digest of every output. */
static uint64_t mutate_run(const struct fz_dict *d, size_t lens[301], int *key)
{
	static const uint8_t other[] = "the other corpus input, for cross-over";
	struct fz_mut m = { .dict = d };
	uint8_t x[300];
	size_t n = 10;
	uint64_t h = 1469598103934665603ull;

	memset(x, 'A', sizeof(x));
	fz_rng_seed(&m.rng, 7);
	for (int i = 0; i < 20000; i++) {
		size_t max = 1 + (size_t)(i % 256);
		n = fz_mutate(&m, x, n < max ? n : max, max, other, sizeof(other) - 1);
		CHECK(n >= 1 && n <= max);
		*key |= memmem(x, n, "KEY", 3) != NULL;
		lens[n]++;
		for (size_t j = 0; j < n; j++)
			h = (h ^ x[j]) * 1099511628211ull;
	}
	return h;
}

static void test_mutate(void)
{
	struct fz_word w = { .len = 3, .b = "KEY" };
	struct fz_dict d = { &w, 1 };
	struct fz_mut m = { 0 };
	size_t lens[301] = { 0 }, distinct = 0;
	int key = 0;
	uint8_t x[4];

	CHECK(mutate_run(&d, lens, &key) == mutate_run(&d, lens, &key)); /* same seed, same outputs */
	CHECK(key); /* dictionary words are used */
	/* Lengths grow and shrink: many distinct lengths are produced. */
	for (size_t i = 0; i <= 300; i++)
		distinct += lens[i] != 0;
	CHECK(distinct > 100);
	/* From empty, a mutation makes at least one byte. */
	fz_rng_seed(&m.rng, 1);
	CHECK(fz_mutate(&m, x, 0, 1, NULL, 0) == 1);
}

static void test_fold(void)
{
	char k[64];

	fz_fold_key(CS_CRASHED, "SIGSEGV", NULL, k, sizeof(k));
	CHECK_STR(k, "CRASHED SIGSEGV");
	/* A crash with a stack is its stack hash; a violation keeps its call. */
	fz_fold_key(CS_CRASHED, "SIGSEGV", "0123456789abcdef", k, sizeof(k));
	CHECK_STR(k, "CRASHED stack 0123456789abcdef");
	fz_fold_key(CS_VIOLATION, "socket(AF_INET, SOCK_STREAM, 0)", "0123456789abcdef", k, sizeof(k));
	CHECK_STR(k, "VIOLATION socket(AF_INET, SOCK_STREAM, 0)");
	/* Limits fold by status: their detail is a measurement. */
	fz_fold_key(CS_MEMORY_LIMIT, "memory limit 64M reached (cgroup v1 OOM kill, peak 65M)", NULL, k, sizeof(k));
	CHECK_STR(k, "MEMORY_LIMIT");
	fz_fold_key(CS_CPU_LIMIT, "cpu time 100ms exceeded (used 103ms)", NULL, k, sizeof(k));
	CHECK_STR(k, "CPU_LIMIT");
	/* Addresses (0x and 5+ hex digits) are masked, small values kept. */
	fz_fold_key(CS_VIOLATION, "mmap(0x7f12345000, 0x1000, PROT_READ|PROT_EXEC, 0x2)", NULL, k, sizeof(k));
	CHECK_STR(k, "VIOLATION mmap(0x?, 0x1000, PROT_READ|PROT_EXEC, 0x2)");
	/* Truncated, always terminated. */
	fz_fold_key(CS_VIOLATION, "openat(AT_FDCWD, \"/a/very/long/path/that/goes/on/and/on\", O_RDONLY)", NULL, k, 24);
	CHECK_INT(strlen(k), 23);
}

/* Batches: bounded by count and bytes, decodable as the worker decodes
 * them, and dropping a prefix keeps the rest in order. */
static void test_batch(void)
{
	struct fz_batch b;
	struct ipc_batch_it it;
	const uint8_t *data;
	uint32_t len;

	CHECK(fz_batch_bytes(4, 10) == IPC_FUZZ_BATCH_HDR + 4 * (IPC_FUZZ_BATCH_REC + 10));
	CHECK(fz_batch_bytes(4, 1u << 30) == IPC_FUZZ_BATCH_HDR + 4 * IPC_FUZZ_BATCH_REC + (1u << 30));
	CHECK(fz_batch_init(&b, 4, 10) == 0);
	CHECK(fz_batch_room(&b, 52) && !fz_batch_room(&b, 53)); /* the byte budget */
	for (int i = 0; i < 4; i++) {
		CHECK(fz_batch_room(&b, 10));
		memset(fz_batch_slot(&b), '0' + i, (size_t)i + 1);
		fz_batch_commit(&b, (size_t)i + 1);
	}
	CHECK(!fz_batch_room(&b, 0)); /* the count is reached */
	CHECK(ipc_batch_open(&it, b.buf, b.len) == 4);
	for (uint32_t i = 0; i < 4; i++)
		CHECK(ipc_batch_next(&it, &data, &len) && len == i + 1 && data[0] == '0' + i &&
		      data == b.buf + b.off[i]);
	fz_batch_drop(&b, 2);
	CHECK(b.n == 2 && ipc_batch_open(&it, b.buf, b.len) == 2);
	CHECK(ipc_batch_next(&it, &data, &len) && len == 3 && !memcmp(data, "222", 3));
	CHECK(ipc_batch_next(&it, &data, &len) && len == 4 && !memcmp(data, "3333", 4));
	CHECK(b.buf[b.off[1]] == '3' && b.lens[1] == 4);
	fz_batch_drop(&b, 5);
	CHECK(b.n == 0 && b.len == IPC_FUZZ_BATCH_HDR);
	fz_batch_free(&b);
}

/* An ASan report as the worker's log holds it (symbolize=0): the first
 * stack only, the runtime's interceptor frame kept but not hashed, the
 * same hash wherever ASLR put the modules, another for another caller. */
static void test_stack(void)
{
	static const char asan[] =
		"=================================================================\n"
		"==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000031 at pc 0x7f01 bp 0x7ffd\n"
		"READ of size 1 at 0x602000000031 thread T0\n"
		"    #0 0x7f11aa0c41c  (/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so+0xc41c)\n"
		"    #1 0x7f22bb001234  (/b/samples/fuzz_heap.so+0x1234) (BuildId: 0a1b)\n"
		"    #2 0x7f22bb001300  (/b/samples/fuzz_heap.so+0x1300) (BuildId: 0a1b)\n"
		"    #3 0x7f22bb001400  (/b/samples/fuzz_heap.so+0x1400)\n"
		"    #4 0x7f22bb001500  (/b/samples/fuzz_heap.so+0x1500)\n"
		"\n"
		"0x602000000031 is located 0 bytes to the right of 1-byte region\n"
		"allocated by thread T0 here:\n"
		"    #0 0x7f11aa0d000  (/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so+0xd000)\n"
		"    #1 0x7f22bb009999  (/b/samples/fuzz_heap.so+0x9999)\n";
	char moved[sizeof(asan)], other[sizeof(asan)], line[700], h[FZ_STACK_HASH_HEX];
	struct fz_stack st;
	char *p;
	const char *q;

	fz_stack_parse(asan, strlen(asan), &st);
	CHECK_INT(st.n, 5);
	CHECK_STR(st.verdict, "AddressSanitizer: heap-buffer-overflow");
	CHECK(st.f[0].runtime && !st.f[1].runtime && st.f[1].has_module && st.f[1].off == 0x1234);
	CHECK_STR(st.f[1].module, "/b/samples/fuzz_heap.so");
	CHECK_INT(st.hashed, FZ_STACK_HASHED);
	CHECK_INT(strlen(st.hash), FZ_STACK_HASH_HEX - 1);
	snprintf(h, sizeof(h), "%s", st.hash);
	fz_stack_frame_line(&st, 1, line, sizeof(line));
	CHECK_STR(line, "#1 0x7f22bb001234 (/b/samples/fuzz_heap.so+0x1234)");
	/* Other load addresses, and a different frame below the top three. */
	memcpy(moved, asan, sizeof(asan));
	while ((p = strstr(moved, "0x7f22bb")))
		memcpy(p, "0x5555cc", 8);
	p = strstr(moved, "+0x1500");
	memcpy(p, "+0x1600", 7);
	fz_stack_parse(moved, strlen(moved), &st);
	CHECK_STR(st.hash, h);
	/* Another caller (frame #3 is the third of the target's). */
	memcpy(other, asan, sizeof(asan));
	p = strstr(other, "+0x1400");
	memcpy(p, "+0x1410", 7);
	fz_stack_parse(other, strlen(other), &st);
	CHECK(strcmp(st.hash, h) != 0);
	/* The worker's own fault stack; a log with none; hostile lines. */
	q = "==caisson== fatal signal 11 (SEGV), the worker's stack:\n    #0 0x7f0c2a6ed2b4 (/b/p.so+0x12b4)\n";
	fz_stack_parse(q, strlen(q), &st);
	CHECK(st.n == 1 && st.hashed == 1 && st.f[0].off == 0x12b4 && st.verdict[0] == '\0');
	q = "fuzz_every10: input 10 of this worker, aborting\n";
	fz_stack_parse(q, strlen(q), &st);
	CHECK(st.n == 0 && st.hash[0] == '\0');
	/* A report whose head fell out of the tail: no stack, not the
	 * allocation site's. */
	q = "allocated by thread T0 here:\n    #0 0x7f11 (/b/p.so+0x10)\n";
	fz_stack_parse(q, strlen(q), &st);
	CHECK(st.n == 0 && st.hash[0] == '\0');
	q = "#0 0x\n#1 0x12 (unterminated+0x\n#0 zz\n";
	fz_stack_parse(q, strlen(q), &st);
	CHECK(st.n == 0 || (st.n == 1 && !st.f[0].has_module));
}

int main(void)
{
	test_stack();
	test_batch();
	test_fold();
	test_sha1();
	test_dict();
	test_features();
	test_torc();
	test_mutate();
	return check_done("test_fuzz");
}
