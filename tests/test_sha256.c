/* SHA-256 (supervisor/policy/sha256.c) against the NIST FIPS 180-4 example vectors,
 * one-shot and fed in uneven pieces across block boundaries. */
#include <stdlib.h>

#include "check.h"
#include "policy/sha256.h"

static void check_digest(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	struct sha256 c;
	const uint8_t *p = data;

	sha256(data, len, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, want);
	/* Same digest when the input arrives in pieces of 1, 2, 3... bytes. */
	sha256_init(&c);
	for (size_t off = 0, step = 1; off < len; off += step, step = step % 97 + 1)
		sha256_update(&c, p + off, len - off < step ? len - off : step);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, want);
}

int main(void)
{
	const char *s448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	const char *s896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	size_t mlen = 1000000;
	char *million = malloc(mlen);

	check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_digest(s448, strlen(s448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_digest(s896, strlen(s896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	CHECK(million != NULL);
	if (million) {
		memset(million, 'a', mlen);
		check_digest(million, mlen,
			     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	free(million);
	return check_done("test_sha256");
}
