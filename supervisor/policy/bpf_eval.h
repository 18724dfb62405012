/* A pure interpreter for classic BPF programs as the kernel's seccomp
 * checker accepts them, so tests and `caisson verify` can ask what a built
 * filter returns for a (syscall, args, arch) without being inside it.
 * Runs in the supervisor and tests; no syscalls, no globals. Fails closed:
 * anything the kernel would refuse or that would read or jump out of bounds
 * evaluates to SECCOMP_RET_KILL_PROCESS. */
#ifndef CAISSON_BPF_EVAL_H
#define CAISSON_BPF_EVAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

uint32_t bpf_eval(const struct sock_filter *insns, size_t n, const struct seccomp_data *sd);

#endif
