/* SHA-256 (FIPS 180-4), pure and self-contained, used for the seccomp
 * program digest that workers are checked against and that `caisson verify`
 * reports. Runs in the supervisor; no syscalls, no allocation. */
#ifndef CAISSON_SHA256_H
#define CAISSON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32u

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);
/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Lower-case hex of a digest into out (2 * SHA256_LEN + 1 bytes). */
void sha256_hex(const uint8_t digest[SHA256_LEN], char out[2 * SHA256_LEN + 1]);

#endif
