/* A libFuzzer harness with a heap overflow behind a multi-byte comparison:
 * "HEAP" and then a length byte copies that many bytes into an 8-byte
 * heap buffer. A plain build rarely notices (glibc's chunk has room); built
 * with -fsanitize=address,fuzzer-no-link, ASan reports a
 * heap-buffer-overflow on the first byte past the buffer. No caisson
 * header; the shape of an OSS-Fuzz harness. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void heap_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size < 5 || memcmp(data, "HEAP", 4) != 0)
		return 0;
	buf = malloc(8);
	if (!buf)
		return 0;
	heap_copy(buf, data + 5, data[4] < size - 5 ? data[4] : size - 5);
	free(buf);
	return 0;
}
