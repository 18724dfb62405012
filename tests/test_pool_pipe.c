/* The broker's [pool] pipeline through libcaisson, part of test_pool (see
 * test_pool.h): a request cancelled while queued in a busy worker, and
 * requests that fill a busy worker's socket. The fault matrix in a
 * pipelined pool is test_pool.c's test_faults. */
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "test_pool.h"

#define PIPE_BIG (60 * 1024 - 12) /* IPC_INLINE_MAX - IPC_REC_HDR: the largest request that can be pipelined */

/* [pool] pipeline (tests/profiles/pool_pipe.ini: 8): requests sent to a
 * busy worker behind the one it runs. */
void test_pipeline(const char *src)
{
	static uint8_t big[20][PIPE_BIG];
	caisson_pool *p = profile_pool(src, "pool_pipe.ini");
	struct caisson_stats st;
	uint64_t queued_id;
	int n = 0;

	if (!p)
		return;
	/* A worker that spins, with the other one's share of requests behind
	 * it: a cancelled one among them ends CANCELLED at once, and the
	 * worker with it (it would still have run it); the spinner and the
	 * rest are not their fault and go back to the queue. */
	do {
		event_base_loop(base, EVLOOP_ONCE);
		caisson_pool_stats(p, &st);
	} while (st.idle < 1);
	reset();
	snprintf(slots[n].input, sizeof(slots[n].input), "spin");
	slots[n].want = CAISSON_CPU_LIMIT;
	slots[n].detail = "cpu time 100ms exceeded";
	CHECK(caisson_submit(p, "spin", 4, on_done, &slots[n++]) > 0);
	for (int i = 0; i < 3; i++) {
		snprintf(slots[n].input, sizeof(slots[n].input), "behind-%d", i);
		slots[n].want = i == 1 ? CAISSON_CANCELLED : CAISSON_OK;
		slots[n].detail = i == 1 ? "cancelled while queued in worker" : NULL;
		queued_id = caisson_submit(p, slots[n].input, strlen(slots[n].input), on_done, &slots[n]);
		CHECK(queued_id > 0);
		if (i == 1) {
			caisson_pool_stats(p, &st);
			CHECK(st.piped >= 2); /* behind-0 and behind-1 went behind the spinner */
			caisson_cancel(p, queued_id);
			CHECK_INT(atomic_load(&slots[n].calls), 0); /* the callback comes from the loop */
		}
		n++;
	}
	wait_for(n);
	check_slots(n);

	/* Requests that fill a busy worker's socket (20 x 60 KiB behind a
	 * spinner, far beyond the socket's buffer): the supervisor never
	 * blocks on it; what does not fit waits in the queue, and every one
	 * completes once, byte for byte. */
	reset();
	n = 0;
	snprintf(slots[n].input, sizeof(slots[n].input), "spin");
	slots[n].want = CAISSON_CPU_LIMIT;
	CHECK(caisson_submit(p, "spin", 4, on_done, &slots[n++]) > 0);
	snprintf(slots[n].input, sizeof(slots[n].input), "spin");
	slots[n].want = CAISSON_CPU_LIMIT;
	CHECK(caisson_submit(p, "spin", 4, on_done, &slots[n++]) > 0);
	for (int i = 0; i < 20; i++) {
		memset(big[i], 'A' + i, sizeof(big[i]));
		snprintf(slots[n].input, sizeof(slots[n].input), "%c", 'A' + i);
		slots[n].want = CAISSON_OK;
		slots[n].big = big[i];
		slots[n].big_len = sizeof(big[i]);
		CHECK(caisson_submit(p, big[i], sizeof(big[i]), on_done, &slots[n++]) > 0);
	}
	wait_for(n);
	check_slots(n);
	caisson_pool_stats(p, &st);
	CHECK_INT(st.queued, 0);
	printf("pipeline: %llu requests pipelined, %llu workers spawned\n", (unsigned long long)st.piped,
	       (unsigned long long)st.spawned);
	caisson_pool_free(p);
}
