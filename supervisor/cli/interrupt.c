/* Interrupts; see interrupt.h. Runs in the supervisor (the CLI process,
 * single-threaded, as the invoking user). */
#include "interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/pool.h"

static const int intr_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define INTR_NSIG (sizeof(intr_signals) / sizeof(intr_signals[0]))

static struct {
	struct event *ev[INTR_NSIG];
	const char *cmd;
	void (*describe)(void *arg, char *buf, size_t len);
	void *arg;
} intr;

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
static void intr_caught(evutil_socket_t sig, short what, void *arg)
{
	char done[256];

	(void)what;
	(void)arg;
	if (intr.describe)
		intr.describe(intr.arg, done, sizeof(done));
	else
		intr_totals(done, sizeof(done));
	pool_abandon_all();
	fprintf(stderr, "caisson %s: interrupted by SIG%s; %s\n", intr.cmd, sigabbrev_np((int)sig), done);
	exit(128 + (int)sig);
}

int intr_install(struct event_base *base, const char *cmd, char *err, size_t errlen)
{
	intr.cmd = cmd;
	for (size_t i = 0; i < INTR_NSIG; i++) {
		intr.ev[i] = evsignal_new(base, intr_signals[i], intr_caught, NULL);
		if (!intr.ev[i] || evsignal_add(intr.ev[i], NULL) < 0) {
			snprintf(err, errlen, "catching signal %d: %s", intr_signals[i], strerror(errno));
			intr_remove();
			return -1;
		}
	}
	return 0;
}

void intr_describe(void (*fn)(void *arg, char *buf, size_t len), void *arg)
{
	intr.describe = fn;
	intr.arg = arg;
}

void intr_remove(void)
{
	for (size_t i = 0; i < INTR_NSIG; i++) {
		if (intr.ev[i])
			event_free(intr.ev[i]);
		intr.ev[i] = NULL;
	}
	intr.describe = NULL;
}
