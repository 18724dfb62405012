/* A fuzz worker's stack when it dies of a fault (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL), written to its log pipe as sanitizer-style frames
 * ("#N 0xPC (MODULE+0xOFFSET)") for caisson fuzz to hash and symbolize
 * outside; the target's frames only, from the faulting one down to the
 * runtime's call into it. Runs in a locked fuzz worker: no new right, only
 * write(2) on its own stderr; the fault then happens again with the
 * default action, so the worker dies of the same signal. */
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include "wk.h"

#define WK_STACK_FRAMES 64u

struct wk_bt {
	uintptr_t pc[WK_STACK_FRAMES];
	unsigned n;
};

static _Unwind_Reason_Code wk_stack_step(struct _Unwind_Context *ctx, void *arg)
{
	struct wk_bt *bt = arg;
	int before = 0;
	uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);

	if (!ip || bt->n == WK_STACK_FRAMES)
		return _URC_END_OF_STACK;
	bt->pc[bt->n++] = ip;
	return _URC_NO_REASON;
}

/* The image's own code (this runtime) ends the target's stack. */
static int wk_stack_own(uintptr_t pc)
{
	Dl_info self, at;

	return dladdr((void *)wk_stack_own, &self) && dladdr((void *)pc, &at) && at.dli_fbase == self.dli_fbase;
}

static void wk_stack_fatal(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	uintptr_t fault = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	struct wk_bt bt = { .n = 0 };
	unsigned first = 0, k = 0;
	char line[512];
	int n;

	_Unwind_Backtrace(wk_stack_step, &bt);
	/* Past this handler and the signal trampoline: the faulting frame. */
	while (first < bt.n && bt.pc[first] != fault)
		first++;
	if (first == bt.n)
		first = 0;
	n = snprintf(line, sizeof(line), "==caisson== fatal signal %d (%s), the worker's stack:\n", sig,
		     sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	if (n > 0 && write(2, line, (size_t)n) < 0)
		return;
	for (unsigned i = first; i < bt.n && !wk_stack_own(bt.pc[i]); i++) {
		Dl_info at;

		if (dladdr((void *)bt.pc[i], &at) && at.dli_fname && at.dli_fname[0])
			n = snprintf(line, sizeof(line), "    #%u 0x%lx (%s+0x%lx)\n", k++, (unsigned long)bt.pc[i],
				     at.dli_fname, (unsigned long)(bt.pc[i] - (uintptr_t)at.dli_fbase));
		else
			n = snprintf(line, sizeof(line), "    #%u 0x%lx (<unknown module>)\n", k++,
				     (unsigned long)bt.pc[i]);
		if (n > 0 && write(2, line, (size_t)n) < 0)
			return;
	}
	/* A signal sent rather than a fault (raise, kill): send it again;
	 * the action is the default now (SA_RESETHAND). */
	if (si->si_code <= 0)
		raise(sig);
}

void wk_stack_install(void)
{
	struct sigaction sa;

	/* ASan's runtime in the image (caisson fuzz preloads it for an
	 * ASan-built target) reports faults itself, with its own stack. */
	if (dlsym(RTLD_DEFAULT, "__asan_init"))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = wk_stack_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (const int *s = (const int[]){ SIGSEGV, SIGBUS, SIGFPE, SIGILL, 0 }; *s; s++)
		sigaction(*s, &sa, NULL);
}
