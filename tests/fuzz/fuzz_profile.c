/* libFuzzer target for profile parsing and lint (supervisor/policy/profile_load.c):
 * arbitrary bytes, not NUL-terminated, through the same entry point
 * profile_load uses, with a fixed today (2026-01-01, day 20454) so that
 * exception expiry does not depend on the clock. Built only with
 * -DCAISSON_FUZZ=ON (clang). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/profile_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p;
	char err[512];

	if (profile_parse_buffer_on("fuzz.ini", (const char *)data, size, 20454, &p, err, sizeof(err)) == 0)
		profile_free(&p);
	else if (!memchr(err, '\0', sizeof(err)) || strncmp(err, "fuzz.ini:", 9) != 0)
		__builtin_trap(); /* every refusal carries a terminated "FILE:..." message */
	return 0;
}
