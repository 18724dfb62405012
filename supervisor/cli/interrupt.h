/* Interrupts for the commands that run workers (run, verify). SIGINT,
 * SIGTERM and SIGHUP stop the work: every pool of the process ends (each
 * worker killed and reaped, the zygote reaped, every cgroup directory
 * removed), one line says what finished and what did not run, and the
 * command exits 128+signo. Runs in the supervisor, on the command's
 * event_base: the ending runs from the loop, never in signal context. A
 * signal that comes while the loop is not running (setup, reading an
 * input, the final teardown) is acted on at its next turn; a blocking read
 * it interrupts fails with EINTR, and intr_pending() says why. */
#ifndef CAISSON_INTERRUPT_H
#define CAISSON_INTERRUPT_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

/* Catches the three signals on base for the command named cmd ("run");
 * -1 with a message in err. */
int intr_install(struct event_base *base, const char *cmd, char *err, size_t errlen);
/* What the line says about the work: fn writes it ("3 of 5 inputs
 * finished, ..."); without one, the pools' request counts. */
void intr_describe(void (*fn)(void *arg, char *buf, size_t len), void *arg);
/* Whether a signal is waiting for the loop to act on it. */
bool intr_pending(void);
/* Stops catching (before the base is freed). */
void intr_remove(void);

#endif
