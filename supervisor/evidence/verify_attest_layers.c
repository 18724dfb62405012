/* Attestation of the layers beneath the filter: the Landlock ruleset every
 * worker applies (from the configuration and the kernel: Landlock has no
 * view from outside a process; the probes show it refusing), and a live
 * worker's own user namespace's max_user_namespaces (no nested user
 * namespace). Runs in the supervisor as the invoking user. The value lives in the worker's user
 * namespace and /proc shows a reader only its own namespace's, so a forked
 * child joins that one namespace (setns, nothing else: not the worker's
 * mount or pid namespace, no code of the worker runs), reads the value and
 * exits. Root owns every worker's user namespace's parent, and the invoking
 * user owns it when unprivileged: both may join it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/landlock.h"
#include "policy/profile.h"
#include "verify_int.h"
#include "worker/wk_landlock.h"

#define VF_SYSCTL "/proc/sys/user/max_user_namespaces"

/* In the child: joins nsfd, copies the sysctl to out; never returns. */
static void __attribute__((noreturn)) vf_read_in_ns(int nsfd, int out)
{
	char buf[32];
	ssize_t n = -1;
	int fd;

	if (setns(nsfd, CLONE_NEWUSER) == 0 && (fd = open(VF_SYSCTL, O_RDONLY | O_CLOEXEC)) >= 0)
		n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		int e = errno;
		(void)!write(out, &e, sizeof(e));
		_exit(1);
	}
	(void)!write(out, buf, (size_t)n);
	_exit(0);
}

/* The value as text into val; 0, or -1 with errno (the child's, when it
 * could not join or read). */
static int vf_userns_max(pid_t pid, char *val, size_t len)
{
	char path[64];
	int p[2] = { -1, -1 }, nsfd, status = 0, err = 0;
	ssize_t n = -1;
	pid_t c = -1;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0 || (c = fork()) < 0) {
		err = errno;
		goto out;
	}
	if (c == 0)
		vf_read_in_ns(nsfd, p[1]);
	close(p[1]);
	p[1] = -1;
	n = read(p[0], val, len - 1);
	err = n < 0 ? errno : EIO;
	if (waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (n == (ssize_t)sizeof(int))
			memcpy(&err, val, sizeof(int));
		n = -1;
	}
out:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	close(nsfd);
	if (n <= 0) {
		errno = err ? err : EIO;
		return -1;
	}
	val[n] = '\0';
	val[strcspn(val, "\n")] = '\0';
	return 0;
}

void vf_attest_userns_limit(struct vf_run *v, pid_t pid)
{
	static const char exp[] = "0 in the worker's user namespace: no nested user namespace (ENOSPC)";
	static const char src[] = VF_SYSCTL " read from inside /proc/PID/ns/user (setns by a forked reader)";
	char val[32], obs[160];
	int idx;

	if (vf_userns_max(pid, val, sizeof(val)) < 0) {
		snprintf(obs, sizeof(obs), "unreadable: %s", strerror(errno));
		vf_add_attest(v, "max_user_namespaces", exp, obs, src, false, -1);
		return;
	}
	idx = vf_add_blob(v, "max_user_namespaces in the worker's user namespace", "text/plain", val, strlen(val));
	vf_add_attest(v, "max_user_namespaces", exp, val, src, !strcmp(val, "0"), idx);
}

/* What every worker of the profile applies in its lockdown (a worker that
 * cannot apply it fails its spawn), against what the profile demands; the
 * rights handled, in full, as evidence. -1 only when out of memory. */
int vf_attest_landlock(struct vf_run *v)
{
	const bool required = v->prof->landlock == PROFILE_LANDLOCK_REQUIRED;
	uint32_t abi = v->cfg->landlock_abi, kernel = landlock_kernel_abi();
	char rights[1024], exp[160], obs[160];
	int idx;

	landlock_describe(abi, rights, sizeof(rights));
	idx = vf_add_blob(v, "Landlock rights handled by every worker's ruleset", "text/plain", rights,
			  strlen(rights));
	if (idx < 0)
		return -1;
	snprintf(exp, sizeof(exp), "%s: a ruleset in every worker%s; bind_ro and data read-only, scratch, nothing else",
		 required ? "required" : "auto", required ? "" : " where the kernel has Landlock");
	if (abi)
		snprintf(obs, sizeof(obs), "ABI %u (kernel %u): %u fs rights, %u net, %u scopes; %u read-only rules%s",
			 abi, kernel, (unsigned)__builtin_popcountll(wk_landlock_fs(abi)),
			 (unsigned)__builtin_popcountll(wk_landlock_net(abi)),
			 (unsigned)__builtin_popcountll(wk_landlock_scoped(abi)), v->cfg->nbinds + v->cfg->ndata,
			 v->cfg->scratch_bytes ? ", 1 scratch rule (/tmp)" : "");
	else
		snprintf(obs, sizeof(obs), "none: this kernel has no Landlock");
	return vf_add_attest(v, "landlock", exp, obs, "worker configuration; landlock_create_ruleset(VERSION)",
			     abi > 0 || (!required && kernel == 0), idx) < 0 ? -1 : 0;
}
