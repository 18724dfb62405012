/* The seccomp program the kernel really holds for a live worker, read with
 * ptrace(PTRACE_SECCOMP_GET_FILTER) and compared with the policy's digest.
 * Runs in the supervisor; needs CAP_SYS_ADMIN (root). The worker is seized
 * (no signal sent), interrupted for the read, and detached at once: its
 * blocking recvmsg restarts and it goes on serving. Without the privilege
 * the item is recorded as unverified, which a passing report cannot have. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/sha256.h"
#include "verify_int.h"

#define VF_BPF_MAX 4096 /* BPF_MAXINSNS */

static const char vf_bpf_item[] = "bpf-loaded";
static const char vf_bpf_src[] = "ptrace(PTRACE_SECCOMP_GET_FILTER)";

/* Reads filter 0 into insns; its instruction count, or -1 with errno. */
static long vf_read_filter(pid_t pid, struct sock_filter *insns)
{
	long n;
	int st, saved;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return -1;
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 || waitpid(pid, &st, __WALL) != pid) {
		saved = errno;
		ptrace(PTRACE_DETACH, pid, 0, 0);
		errno = saved;
		return -1;
	}
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL);
	if (n > 0 && n <= VF_BPF_MAX)
		n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, insns);
	else if (n > VF_BPF_MAX)
		errno = E2BIG;
	saved = errno;
	ptrace(PTRACE_DETACH, pid, 0, 0);
	errno = saved;
	return n > VF_BPF_MAX ? -1 : n;
}

void vf_attest_bpf(struct vf_run *v, pid_t pid)
{
	char exp[160], obs[160], hex[2 * SHA256_LEN + 1];
	struct sock_filter *insns;
	uint8_t d[SHA256_LEN];
	long n;
	int idx;

	sha256_hex(v->pol->digest, hex);
	snprintf(exp, sizeof(exp), "%.64s (the policy digest)", hex);
	if (geteuid() != 0) {
		vf_add_unverified(v, vf_bpf_item, exp, "not readable without CAP_SYS_ADMIN (unprivileged verify)",
				  vf_bpf_src, -1);
		return;
	}
	insns = calloc(VF_BPF_MAX, sizeof(*insns));
	if (!insns) {
		v->oom = true;
		return;
	}
	n = vf_read_filter(pid, insns);
	if (n <= 0) {
		snprintf(obs, sizeof(obs), "could not read the loaded filter: %s", n < 0 ? strerror(errno) : "empty");
		vf_add_unverified(v, vf_bpf_item, exp, obs, vf_bpf_src, -1);
		free(insns);
		return;
	}
	idx = vf_add_blob(v, "seccomp BPF program loaded in the worker (ptrace)", "application/octet-stream", insns,
			  (size_t)n * sizeof(*insns));
	sha256(insns, (size_t)n * sizeof(*insns), d);
	sha256_hex(d, hex);
	snprintf(obs, sizeof(obs), "%.64s (%ld instructions)", hex, n);
	vf_add_attest(v, vf_bpf_item, exp, obs, vf_bpf_src, memcmp(d, v->pol->digest, SHA256_LEN) == 0, idx);
	free(insns);
}
