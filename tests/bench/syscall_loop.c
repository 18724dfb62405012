/* The hot-syscall loop (see syscall_loop.h). Raw syscall(2) calls, timed
 * with the vDSO clock (no syscall of its own). */
#include "syscall_loop.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* getpid, read, write, sendmsg, recvmsg and futex take the filter's
 * unconditional path (the kernel's action cache); mmap has an argument
 * rule (PROT_EXEC refused), so its filter program runs on every call. */
const char *const sysloop_names[SYSLOOP_COUNT] = {
	"getpid", "read", "write", "sendmsg", "recvmsg", "futex", "mmap",
};

static uint64_t sysloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sysloop_call(int which, struct msghdr *mh, int *word, char *buf)
{
	switch (which) {
	case 0:
		syscall(SYS_getpid);
		break;
	case 1:
		syscall(SYS_read, -1, buf, 0);
		break;
	case 2:
		syscall(SYS_write, -1, buf, 0);
		break;
	case 3:
		syscall(SYS_sendmsg, -1, mh, 0);
		break;
	case 4:
		syscall(SYS_recvmsg, -1, mh, 0);
		break;
	case 5:
		syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		break;
	default:
		/* Length 0: EINVAL after the filter allowed PROT_READ. */
		syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	}
}

void sysloop_run(unsigned iters, unsigned reps, double ns[SYSLOOP_COUNT])
{
	struct msghdr mh = { 0 };
	int word = 0;
	char buf[8];

	for (int s = 0; s < SYSLOOP_COUNT; s++) {
		uint64_t best = UINT64_MAX;

		for (unsigned r = 0; r < reps; r++) {
			uint64_t t0 = sysloop_now(), t;

			for (unsigned i = 0; i < iters; i++)
				sysloop_call(s, &mh, &word, buf);
			t = sysloop_now() - t0;
			best = t < best ? t : best;
		}
		ns[s] = (double)best / iters;
	}
}
