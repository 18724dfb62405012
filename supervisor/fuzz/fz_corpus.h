/* The corpus of caisson fuzz, kept by new coverage as libFuzzer keeps its
 * own: an input stays when it shows a feature not seen before, a feature
 * being a counter (edge) in one of eight hit-count buckets (1, 2, 3, 4-7,
 * 8-15, 16-31, 32-127, 128+). Pure (no I/O); runs in the supervisor. */
#ifndef CAISSON_FZ_CORPUS_H
#define CAISSON_FZ_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_cov.h"

#define FZ_COUNTERS_MAX (IPC_COV_SIZE - IPC_COV_COUNTERS)

struct fz_input {
	uint8_t *data;
	size_t len;
};

struct fz_corpus {
	struct fz_input *in;
	size_t n, cap, bytes, max_len;
	uint8_t *features; /* FZ_COUNTERS_MAX * 8 bits */
	uint8_t *edges;    /* FZ_COUNTERS_MAX bits: counters ever non-zero */
	size_t nfeatures, nedges;
};

int fz_corpus_init(struct fz_corpus *c);
void fz_corpus_free(struct fz_corpus *c);
/* Marks the features of one run's counters (n bytes, at most
 * FZ_COUNTERS_MAX are read); returns how many were new. */
size_t fz_corpus_features(struct fz_corpus *c, const uint8_t *counters, size_t n);
/* Keeps a copy of an input; 0, or -1 when out of memory. */
int fz_corpus_add(struct fz_corpus *c, const uint8_t *data, size_t len);

#endif
