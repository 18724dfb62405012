/* caisson fuzz's corpus and features; see fz_corpus.h. Pure; runs in the
 * supervisor. */
#include "fz_corpus.h"

#include <stdlib.h>
#include <string.h>

#include "ipc/ipc_cov.h"

int fz_corpus_init(struct fz_corpus *c)
{
	memset(c, 0, sizeof(*c));
	c->features = calloc(FZ_COUNTERS_MAX, 1);
	c->edges = calloc(FZ_COUNTERS_MAX / 8, 1);
	if (!c->features || !c->edges) {
		fz_corpus_free(c);
		return -1;
	}
	return 0;
}

void fz_corpus_free(struct fz_corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->in[i].data);
	free(c->in);
	free(c->features);
	free(c->edges);
	memset(c, 0, sizeof(*c));
}

size_t fz_corpus_features(struct fz_corpus *c, const uint8_t *counters, size_t n)
{
	size_t fresh = 0;

	if (n > FZ_COUNTERS_MAX)
		n = FZ_COUNTERS_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		if (!counters[i])
			continue;
		b = ipc_cov_bucket(counters[i]);
		if (!(c->features[i] >> b & 1)) {
			c->features[i] |= (uint8_t)(1u << b);
			c->nfeatures++;
			fresh++;
		}
		if (!(c->edges[i / 8] >> (i % 8) & 1)) {
			c->edges[i / 8] |= (uint8_t)(1u << (i % 8));
			c->nedges++;
		}
	}
	return fresh;
}

int fz_corpus_add(struct fz_corpus *c, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct fz_input *in = realloc(c->in, cap * sizeof(*in));
		if (!in) {
			free(copy);
			return -1;
		}
		c->in = in;
		c->cap = cap;
	}
	memcpy(copy, data, len);
	c->in[c->n++] = (struct fz_input){ copy, len };
	c->bytes += len;
	if (len > c->max_len)
		c->max_len = len;
	return 0;
}
