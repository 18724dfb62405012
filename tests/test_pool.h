/* What test_pool.c shares with the test files built into the same binary
 * (test_pool_pipe.c): the event base, the request slots and their checks,
 * and the pools made from tests/profiles. */
#ifndef CAISSON_TEST_POOL_H
#define CAISSON_TEST_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>

#include "caisson.h"

#define MAX_REQ 16384

/* One request of a test: what it sends, what it must end with, what it got. */
struct slot {
	char input[32];
	enum caisson_status want;
	const char *detail; /* substring of the detail wanted, or NULL */
	_Atomic int calls;
	enum caisson_status got;
	pid_t pid;
	char got_detail[256];
	bool out_ok;
	const uint8_t *big; /* when set, the request's bytes (input is only its name) */
	size_t big_len;
};

extern struct event_base *base;
extern char selective[1024]; /* path of tests/selective.so */
extern struct slot slots[MAX_REQ];
extern _Atomic int completed;

/* The completion callback of a slot (arg): records what came back. */
void on_done(const struct caisson_result *r, void *arg);
/* Runs the loop until n requests completed. */
void wait_for(int n);
/* Each of the first n slots completed exactly once, as wanted. */
void check_slots(int n);
void reset(void);
/* A pool of selective.so under tests/profiles/NAME; NULL (a failed check,
 * the reason on stderr) if it cannot be made. */
caisson_pool *profile_pool(const char *src, const char *name);

/* test_pool_pipe.c */
void test_pipeline(const char *src);

#endif
