/* SHA-1, for naming corpus inputs and findings as libFuzzer does (a name,
 * not a security property). Pure; runs in the supervisor. */
#ifndef CAISSON_FZ_SHA1_H
#define CAISSON_FZ_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define FZ_SHA1_HEX 41 /* 40 hex digits and the NUL */

void fz_sha1(const uint8_t *data, size_t len, uint8_t out[20]);
void fz_sha1_hex(const uint8_t *data, size_t len, char out[FZ_SHA1_HEX]);

#endif
