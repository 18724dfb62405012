/* The hot-syscall loop of figure 7, compiled both into the benchmark
 * plugin (run inside a sealed worker) and into caisson_bench (the
 * unfiltered floor), so both sides run the same instructions. Every call
 * is one the default profile allows; the descriptors are invalid (-1) so
 * the kernel work after the filter is a constant, cheap failure. */
#ifndef CAISSON_SYSCALL_LOOP_H
#define CAISSON_SYSCALL_LOOP_H

#define SYSLOOP_COUNT 7

extern const char *const sysloop_names[SYSLOOP_COUNT];

/* Nanoseconds per call of each syscall: the fastest of reps batches of
 * iters calls (a batch that was preempted or interrupted only gets
 * slower, so the minimum is the cost without the machine's noise). */
void sysloop_run(unsigned iters, unsigned reps, double ns[SYSLOOP_COUNT]);

#endif
