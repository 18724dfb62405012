/* Interrupts; see interrupt.h. Runs in the supervisor (the CLI process,
 * single-threaded, as the invoking user). The handler only notes the
 * signal and pokes a pipe the loop watches; it is installed without
 * SA_RESTART, so a blocking read outside the loop (an input on a terminal
 * or a FIFO) returns EINTR and its caller can see intr_pending(). */
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/pool.h"

static const int intr_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define INTR_NSIG (sizeof(intr_signals) / sizeof(intr_signals[0]))

static volatile sig_atomic_t intr_sig;
static struct {
	int pipe[2];
	struct event *ev;
	struct sigaction old[INTR_NSIG];
	bool installed[INTR_NSIG];
	const char *cmd;
	void (*describe)(void *arg, char *buf, size_t len);
	void *arg;
} intr = { .pipe = { -1, -1 } };

static void intr_handler(int sig)
{
	int saved = errno;

	if (!intr_sig)
		intr_sig = sig;
	if (write(intr.pipe[1], "", 1) < 0)
		errno = saved; /* full: a wake-up is pending anyway */
	errno = saved;
}

static void intr_totals(char *buf, size_t len)
{
	struct pool_totals t;

	pool_all_totals(&t);
	snprintf(buf, len, "%llu requests finished, %llu stopped while running, %llu not run; %u workers stopped",
		 (unsigned long long)t.completed, (unsigned long long)t.running, (unsigned long long)t.queued,
		 t.workers);
}

/* From the loop: what was done is counted before the pools end (their
 * counts go with them), then every pool ends, silently: no request
 * reports CANCELLED, the one line below says it all. */
static void intr_caught(evutil_socket_t fd, short what, void *arg)
{
	int sig = intr_sig;
	char done[256], b[16];

	(void)what;
	(void)arg;
	while (read(fd, b, sizeof(b)) > 0)
		;
	if (intr.describe)
		intr.describe(intr.arg, done, sizeof(done));
	else
		intr_totals(done, sizeof(done));
	pool_abandon_all();
	fprintf(stderr, "caisson %s: interrupted by SIG%s; %s\n", intr.cmd, sigabbrev_np(sig), done);
	exit(128 + sig);
}

int intr_install(struct event_base *base, const char *cmd, char *err, size_t errlen)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = intr_handler;
	sigemptyset(&sa.sa_mask);
	intr.cmd = cmd;
	if (pipe2(intr.pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    !(intr.ev = event_new(base, intr.pipe[0], EV_READ | EV_PERSIST, intr_caught, NULL)) ||
	    event_add(intr.ev, NULL) < 0)
		goto fail;
	for (size_t i = 0; i < INTR_NSIG; i++) {
		if (sigaction(intr_signals[i], &sa, &intr.old[i]) < 0)
			goto fail;
		intr.installed[i] = true;
	}
	return 0;
fail:
	snprintf(err, errlen, "catching interrupts: %s", strerror(errno));
	intr_remove();
	return -1;
}

bool intr_pending(void)
{
	return intr_sig != 0;
}

void intr_describe(void (*fn)(void *arg, char *buf, size_t len), void *arg)
{
	intr.describe = fn;
	intr.arg = arg;
}

void intr_remove(void)
{
	for (size_t i = 0; i < INTR_NSIG; i++)
		if (intr.installed[i]) {
			sigaction(intr_signals[i], &intr.old[i], NULL);
			intr.installed[i] = false;
		}
	if (intr.ev)
		event_free(intr.ev);
	intr.ev = NULL;
	for (int i = 0; i < 2; i++) {
		if (intr.pipe[i] >= 0)
			close(intr.pipe[i]);
		intr.pipe[i] = -1;
	}
	intr.describe = NULL;
}
