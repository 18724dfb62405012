/* A libFuzzer harness that crashes on every input, at one of two call
 * paths into the same faulting helper (by the first byte's low bit): one
 * signal, one faulting instruction, two stacks. caisson fuzz keeps one
 * artifact per stack hash (two here) and counts the rest as duplicates.
 * Built with clang -fsanitize=fuzzer-no-link -shared -fPIC. */
#include <stddef.h>
#include <stdint.h>

__attribute__((noinline)) static void twosites_store(volatile int *p, int v)
{
	*p = v;
}

/* The empty asm after each call keeps it out of tail position, so that
 * the caller's frame stays on the stack. */
__attribute__((noinline)) static void twosites_even(void)
{
	twosites_store(NULL, 1);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void twosites_odd(void)
{
	twosites_store(NULL, 2);
	__asm__ volatile("" ::: "memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && (data[0] & 1))
		twosites_odd();
	else
		twosites_even();
	return 0;
}
