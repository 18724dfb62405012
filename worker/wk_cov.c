/* The SanitizerCoverage runtime of a fuzz worker: the callbacks clang emits
 * for -fsanitize=fuzzer-no-link (8-bit inline counters, PC tables, the
 * comparison hooks) and interposed memcmp/bcmp/strcmp/strncmp, exported to
 * the target through the zygote image's dynamic symbol table
 * (exports.list). Runs in a locked worker, beside hostile code: it only
 * writes the worker's own coverage region (ipc_cov.h), which the
 * supervisor reads as untrusted bytes. Without a region (any worker that is
 * not a fuzz target's) every hook returns at once. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ipc_cov.h"
#include "wk.h"

#define WK_COV_MODULES 64u

static struct {
	uint8_t *region;
	uint64_t size;
	int on; /* inside the target's call for one input */
	uint32_t nmod;
	struct { uint8_t *start, *stop; } mod[WK_COV_MODULES];
	/* Loaded objects' base addresses, highest first, taken once the
	 * target is loaded: a call site is named by its offset in its object,
	 * the same in every run whatever ASLR picked (slot choice, and so the
	 * supervisor's mutations, must not depend on it). */
	uint32_t nbase;
	uintptr_t base[WK_COV_MODULES];
} cov;

/* libFuzzer's stack-depth feature: -fsanitize=fuzzer-no-link makes every
 * instrumented function update it, so the image must define it. Unused
 * by this engine. */
__thread uintptr_t __sancov_lowest_stack;

int wk_cov_map(int fd, uint64_t size, struct wk_detail *d)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int saved = errno;

	close(fd);
	if (m == MAP_FAILED) {
		snprintf(d->text, sizeof(d->text), "mmap coverage region of %llu bytes", (unsigned long long)size);
		errno = saved;
		return -1;
	}
	cov.region = m;
	cov.size = size;
	return 0;
}

static int wk_cov_base(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint32_t i;

	(void)size;
	(void)arg;
	if (cov.nbase == WK_COV_MODULES)
		return 1;
	for (i = cov.nbase++; i > 0 && cov.base[i - 1] < info->dlpi_addr; i--)
		cov.base[i] = cov.base[i - 1];
	cov.base[i] = info->dlpi_addr;
	return 0;
}

/* The offset of pc in the object holding it (the nearest base below). */
static uintptr_t wk_cov_offset(uintptr_t pc)
{
	for (uint32_t i = 0; i < cov.nbase; i++)
		if (cov.base[i] <= pc)
			return (pc - cov.base[i]) ^ ((uintptr_t)i << 40);
	return pc;
}

bool wk_cov_active(void)
{
	return cov.region != NULL;
}

void wk_cov_batch_begin(void)
{
	if (!cov.nbase)
		dl_iterate_phdr(wk_cov_base, NULL);
	*(uint64_t *)(cov.region + IPC_COV_MASK_OFF) = 0;
}

/* Counters start at zero for each input, as in libFuzzer, so that each
 * input's counts are its own. The index goes out first: if the target
 * kills the worker, the supervisor reads it there. */
void wk_cov_begin(uint32_t index)
{
	*(volatile uint32_t *)(cov.region + IPC_COV_CURRENT_OFF) = index;
	for (uint32_t i = 0; i < cov.nmod; i++)
		memset(cov.mod[i].start, 0, (size_t)(cov.mod[i].stop - cov.mod[i].start));
	cov.on = 1;
}

/* The features this worker has seen, a byte of bucket bits per counter
 * (all modules one after the other, as published), allocated at the first
 * input once every module has registered; NULL when out of memory, then
 * every input counts as new and the supervisor decides. The supervisor's
 * corpus holds every feature reported here, so nothing new to it goes
 * unreported; a fresh worker reports more, which costs only an early end
 * of its first batches. */
static uint8_t *seen;
static uint64_t nseen;

static bool wk_cov_fresh(const uint8_t *c, uint64_t n, uint64_t at)
{
	bool fresh = false;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t bit;
		if (!c[i])
			continue;
		bit = (uint8_t)(1u << ipc_cov_bucket(c[i]));
		if (!(seen[at + i] & bit)) {
			seen[at + i] |= bit;
			fresh = true;
		}
	}
	return fresh;
}

bool wk_cov_end(void)
{
	uint64_t at = 0;
	bool fresh = false;

	cov.on = 0;
	if (!seen) {
		for (uint32_t i = 0; i < cov.nmod; i++)
			nseen += (uint64_t)(cov.mod[i].stop - cov.mod[i].start);
		if (!(seen = calloc(nseen ? nseen : 1, 1)))
			return true;
	}
	for (uint32_t i = 0; i < cov.nmod && at < nseen; i++) {
		uint64_t n = (uint64_t)(cov.mod[i].stop - cov.mod[i].start);
		if (n > nseen - at)
			n = nseen - at;
		fresh |= wk_cov_fresh(cov.mod[i].start, n, at);
		at += n;
	}
	return fresh;
}

/* Copies the counters of every module into the region, in order: one
 * memcpy of a few KB per batch. (Mapping the shared pages over the
 * modules' counter sections instead would share the rest of those pages,
 * the target's writable data, with the supervisor: the sections are not
 * page-aligned.) */
void wk_cov_publish(void)
{
	uint64_t cap = cov.size - IPC_COV_COUNTERS, used = 0;

	for (uint32_t i = 0; i < cov.nmod && used < cap; i++) {
		uint64_t n = (uint64_t)(cov.mod[i].stop - cov.mod[i].start);
		if (n > cap - used)
			n = cap - used;
		memcpy(cov.region + IPC_COV_COUNTERS + used, cov.mod[i].start, (size_t)n);
		used += n;
	}
	*(uint32_t *)(cov.region + IPC_COV_NCOUNTERS_OFF) = (uint32_t)used;
}

void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
{
	if (start >= stop || cov.nmod == WK_COV_MODULES)
		return;
	for (uint32_t i = 0; i < cov.nmod; i++)
		if (cov.mod[i].start == start)
			return;
	cov.mod[cov.nmod].start = start;
	cov.mod[cov.nmod].stop = stop;
	cov.nmod++;
}

/* The PC tables pair each counter with its code address: for symbolized
 * coverage reports, which this engine does not make; the call is accepted. */
void __sanitizer_cov_pcs_init(const uintptr_t *beg, const uintptr_t *end)
{
	(void)beg;
	(void)end;
}

/* One slot per call site (a hash of its return address), so a hot loop
 * overwrites its own slot instead of flooding the table. */
static struct ipc_cov_cmp *wk_cov_slot(uintptr_t pc)
{
	unsigned i = (unsigned)(((uint64_t)wk_cov_offset(pc) * 0x9e3779b97f4a7c15ull) >> 58);

	*(uint64_t *)(cov.region + IPC_COV_MASK_OFF) |= 1ull << i;
	return (struct ipc_cov_cmp *)(cov.region + IPC_COV_CMP_OFF) + i;
}

static void wk_cov_int(uintptr_t pc, uint64_t a, uint64_t b, uint8_t len)
{
	struct ipc_cov_cmp *e;

	if (!cov.on || a == b)
		return;
	e = wk_cov_slot(pc);
	e->kind = IPC_COV_INT;
	e->la = e->lb = len;
	memcpy(e->a, &a, len);
	memcpy(e->b, &b, len);
}

static void wk_cov_mem(uintptr_t pc, const void *a, size_t la, const void *b, size_t lb)
{
	struct ipc_cov_cmp *e;

	if (!cov.on)
		return;
	e = wk_cov_slot(pc);
	e->kind = IPC_COV_MEM;
	e->la = (uint8_t)(la < IPC_COV_CMP_BYTES ? la : IPC_COV_CMP_BYTES);
	e->lb = (uint8_t)(lb < IPC_COV_CMP_BYTES ? lb : IPC_COV_CMP_BYTES);
	memcpy(e->a, a, e->la);
	memcpy(e->b, b, e->lb);
}

#define WK_PC ((uintptr_t)__builtin_return_address(0))
void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b) { wk_cov_int(WK_PC, a, b, 1); }
void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b) { wk_cov_int(WK_PC, a, b, 2); }
void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b) { wk_cov_int(WK_PC, a, b, 4); }
void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b) { wk_cov_int(WK_PC, a, b, 8); }
void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b) { wk_cov_int(WK_PC, a, b, 1); }
void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b) { wk_cov_int(WK_PC, a, b, 2); }
void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b) { wk_cov_int(WK_PC, a, b, 4); }
void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b) { wk_cov_int(WK_PC, a, b, 8); }
/* -fsanitize-coverage=trace-div,trace-gep (not implied by fuzzer-no-link):
 * a divisor is compared with 0; a gep index is not recorded. */
void __sanitizer_cov_trace_div4(uint32_t v) { wk_cov_int(WK_PC, v, 0, 4); }
void __sanitizer_cov_trace_div8(uint64_t v) { wk_cov_int(WK_PC, v, 0, 8); }
void __sanitizer_cov_trace_gep(uintptr_t idx) { (void)idx; }
/* -fsanitize=fuzzer-no-link traces indirect calls (libFuzzer's
 * caller-callee feature); an indirect call's target is not recorded. */
void __sanitizer_cov_trace_pc_indir(uintptr_t callee) { (void)callee; }

/* cases[0]: the number of cases, cases[1]: the value's width in bits,
 * then the case values. Each case is a slot of its own (pc + index), up
 * to 16. */
void __sanitizer_cov_trace_switch(uint64_t val, void *table)
{
	const uint64_t *cases = table; /* void *: the type gcc declares it with */
	uintptr_t pc = WK_PC;
	uint8_t len = (uint8_t)(cases[1] / 8);

	if (!cov.on || (len != 1 && len != 2 && len != 4 && len != 8))
		return;
	for (uint64_t i = 0; i < cases[0] && i < 16; i++)
		wk_cov_int(pc + i, val, cases[2 + i], len);
}

/* memcmp and friends: defined in the image and exported, they take the
 * place of libc's for the target and its libraries (the executable comes
 * first in the global lookup scope), as libFuzzer's interceptors do. The
 * work is libc's (resolved once by wk_cov_resolve; a byte loop before
 * that, for the zygote's own early calls). */
typedef int (*wk_memcmp_fn)(const void *, const void *, size_t);
typedef int (*wk_strcmp_fn)(const char *, const char *);
typedef int (*wk_strncmp_fn)(const char *, const char *, size_t);
static wk_memcmp_fn real_memcmp, real_bcmp;
static wk_strcmp_fn real_strcmp;
static wk_strncmp_fn real_strncmp;

void wk_cov_resolve(void)
{
	real_memcmp = (wk_memcmp_fn)dlsym(RTLD_NEXT, "memcmp");
	real_bcmp = (wk_memcmp_fn)dlsym(RTLD_NEXT, "bcmp");
	real_strcmp = (wk_strcmp_fn)dlsym(RTLD_NEXT, "strcmp");
	real_strncmp = (wk_strncmp_fn)dlsym(RTLD_NEXT, "strncmp");
}

static int wk_bytes_cmp(const unsigned char *a, const unsigned char *b, size_t n, int stop_at_nul)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
		if (stop_at_nul && !a[i])
			return 0;
	}
	return 0;
}

int memcmp(const void *a, const void *b, size_t n)
{
	int r = real_memcmp ? real_memcmp(a, b, n) : wk_bytes_cmp(a, b, n, 0);

	if (r && cov.on)
		wk_cov_mem(WK_PC, a, n, b, n);
	return r;
}

int bcmp(const void *a, const void *b, size_t n)
{
	int r = real_bcmp ? real_bcmp(a, b, n) : wk_bytes_cmp(a, b, n, 0);

	if (r && cov.on)
		wk_cov_mem(WK_PC, a, n, b, n);
	return r;
}

int strncmp(const char *a, const char *b, size_t n)
{
	int r = real_strncmp ? real_strncmp(a, b, n) : wk_bytes_cmp((const void *)a, (const void *)b, n, 1);

	if (r && cov.on)
		wk_cov_mem(WK_PC, a, strnlen(a, n), b, strnlen(b, n));
	return r;
}

int strcmp(const char *a, const char *b)
{
	int r = real_strcmp ? real_strcmp(a, b) : wk_bytes_cmp((const void *)a, (const void *)b, SIZE_MAX, 1);

	if (r && cov.on)
		wk_cov_mem(WK_PC, a, strnlen(a, IPC_COV_CMP_BYTES), b, strnlen(b, IPC_COV_CMP_BYTES));
	return r;
}
