/* A libFuzzer harness with two planted bugs, each behind a multi-byte
 * comparison (a memcmp, then single bytes) that blind mutation would
 * almost never pass: "FUZZING!" writes through a null pointer, "OPENUP"
 * opens /etc/passwd (a seccomp violation under caisson). Built with clang
 * -fsanitize=fuzzer-no-link -shared -fPIC and no caisson header. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* -DFUZZ_PLANTED_SAFE (make bench's throughput figure) keeps the
 * comparisons and leaves the bugs out, so that runs of both fuzzers last
 * the same number of inputs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 8 && memcmp(data, "FUZZ", 4) == 0 && data[4] == 'I' && data[5] == 'N' && data[6] == 'G' &&
	    data[7] == '!') {
#ifndef FUZZ_PLANTED_SAFE
		*(volatile int *)0 = 1;
#endif
	}
	if (size >= 6 && memcmp(data, "OPEN", 4) == 0 && data[4] == 'U' && data[5] == 'P') {
#ifndef FUZZ_PLANTED_SAFE
		int fd = open("/etc/passwd", O_RDONLY);
		if (fd >= 0)
			close(fd);
#endif
	}
	return 0;
}
