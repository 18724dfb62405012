/* The zygote's children, see zy.h. Runs in caisson-zygote (the supervisor's
 * user; root when the supervisor is). A child's pid cannot be reused
 * before the zygote reaps it, so a pid in this list always names our own
 * child (alive or a zombie) and SIGKILL to it can reach no one else. */
#include "zy.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_io.h"
#include "wire.h"

static pid_t *zy_kids;
static size_t zy_nkids, zy_capkids;

void zy_child_add(pid_t pid)
{
	if (zy_nkids == zy_capkids) {
		size_t cap = zy_capkids ? zy_capkids * 2 : 64;
		pid_t *k = realloc(zy_kids, cap * sizeof(*k));

		/* Without room to remember it we could not reap it at the end:
		 * end now rather than leave it behind. */
		if (!k) {
			kill(pid, SIGKILL);
			zy_end(1);
		}
		zy_kids = k;
		zy_capkids = cap;
	}
	zy_kids[zy_nkids++] = pid;
}

static void zy_child_gone(pid_t pid)
{
	for (size_t i = 0; i < zy_nkids; i++)
		if (zy_kids[i] == pid) {
			zy_kids[i] = zy_kids[--zy_nkids];
			return;
		}
}

void zy_reap(int sfd)
{
	struct signalfd_siginfo si;
	struct rusage ru;
	int status;
	pid_t pid;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		uint8_t p[32];

		zy_child_gone(pid);
		wire_put32(p, (uint32_t)pid);
		wire_put32(p + 4, (uint32_t)status);
		wire_put64(p + 8, (uint64_t)ru.ru_maxrss);
		wire_put64(p + 16, (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec);
		wire_put64(p + 24, (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec);
		/* EPIPE, ECONNRESET: the supervisor is closing (a report in
		 * flight crossed its shutdown), nobody needs it, and the rest
		 * are reaped on the way out. Anything else is an error. */
		if (ipc_send(ZY_FD_CTL, IPC_Z_EXITED, 0, p, 32, NULL, 0) < 0) {
			if (errno == EPIPE || errno == ECONNRESET)
				zy_end(0);
			fprintf(stderr, "caisson-zygote: send EXITED: %s\n", strerror(errno));
			zy_end(1);
		}
	}
}

void zy_end(int status)
{
	for (size_t i = 0; i < zy_nkids; i++)
		kill(zy_kids[i], SIGKILL);
	zy_drop_namespaces();
	/* Every child, listed or not (a clear-root helper is reaped where it
	 * is made): until there is none. */
	while (wait4(-1, NULL, 0, NULL) > 0 || errno == EINTR)
		;
	_exit(status);
}
