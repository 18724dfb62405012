/* A libFuzzer harness that spins forever on an input starting "HANG"
 * and returns at once otherwise: inside a batch, the timeout must be
 * blamed on that input, and on no input that merely shared its batch. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile unsigned long spin = 0;

	if (size >= 4 && memcmp(data, "HANG", 4) == 0)
		for (;;)
			spin++;
	return 0;
}
