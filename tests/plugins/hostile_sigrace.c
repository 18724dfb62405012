/* Hostile test plugin (issue 19, finding 4): races signals against its
 * forbidden calls. A signal that arrives while a seccomp notification is
 * pending withdraws it, and the supervisor's receive then fails with
 * ENOENT, which it used to take for "worker gone": it stopped watching,
 * the next forbidden call blocked unseen and the verdict became TIMEOUT
 * instead of VIOLATION. Needs a profile allowing setitimer (tests/
 * hostile_test.sh writes one). A periodic SIGALRM (every 25 to 200 us,
 * 2000 attempts each) interrupts its socket() calls while they wait for
 * the supervisor, so notifications are withdrawn, now and then between
 * the supervisor's poll and its receive; the handler has no SA_RESTART,
 * so each interrupted attempt returns EINTR and the next begins. Then the
 * timer stops and one last socket() waits for a verdict: VIOLATION, if
 * the supervisor still watches. (Faster signals would only livelock the
 * worker itself. tests/test_notify.c makes the withdrawal deterministic.) */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "caisson_plugin.h"

static void on_alarm(int sig)
{
	(void)sig;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	const struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	for (suseconds_t us = 25; us <= 200; us *= 2) {
		const struct itimerval t = { { 0, us }, { 0, us } };

		setitimer(ITIMER_REAL, &t, NULL);
		for (unsigned i = 0; i < 2000; i++)
			if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EINTR)
				return 1;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0)
		return 1;
	return caisson_out_write(out, in, len) == 0 ? 0 : 1;
}
