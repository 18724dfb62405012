/* See bufcache.h. Runs in the supervisor. */
#include "bufcache.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t bc_mu = PTHREAD_MUTEX_INITIALIZER;
static void *bc_buf[BC_SLOTS];
static size_t bc_cap[BC_SLOTS], bc_n, bc_bytes;

void *bc_get(size_t len, size_t *cap)
{
	size_t best = BC_SLOTS;
	void *b;

	if (len >= BC_MIN) {
		pthread_mutex_lock(&bc_mu);
		/* The smallest cached buffer that fits. */
		for (size_t i = 0; i < bc_n; i++)
			if (bc_cap[i] >= len && (best == BC_SLOTS || bc_cap[i] < bc_cap[best]))
				best = i;
		if (best < BC_SLOTS) {
			b = bc_buf[best];
			*cap = bc_cap[best];
			bc_bytes -= bc_cap[best];
			bc_n--;
			bc_buf[best] = bc_buf[bc_n];
			bc_cap[best] = bc_cap[bc_n];
			pthread_mutex_unlock(&bc_mu);
			return b;
		}
		pthread_mutex_unlock(&bc_mu);
	}
	b = malloc(len ? len : 1);
	*cap = b ? (len ? len : 1) : 0;
	return b;
}

void bc_put(void *buf, size_t cap)
{
	if (!buf)
		return;
	if (cap >= BC_MIN) {
		pthread_mutex_lock(&bc_mu);
		if (bc_n < BC_SLOTS && cap <= BC_TOTAL - bc_bytes) {
			bc_buf[bc_n] = buf;
			bc_cap[bc_n] = cap;
			bc_n++;
			bc_bytes += cap;
			buf = NULL;
		}
		pthread_mutex_unlock(&bc_mu);
	}
	free(buf);
}
