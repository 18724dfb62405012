/* A libFuzzer harness that aborts on every 10th input its process runs,
 * whatever the input: the fuzzer must keep going (a fresh worker after
 * each crash) and fold the crashes into one. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned calls;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	if (++calls % 10 == 0) {
		fprintf(stderr, "fuzz_every10: input %u of this worker, aborting\n", calls);
		abort();
	}
	return 0;
}
