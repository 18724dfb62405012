/* The mutation engine of caisson fuzz, of libFuzzer's class: byte and bit
 * flips, arithmetic on integers, insert/erase/copy of parts, shuffles,
 * cross-over with another corpus input, the user's dictionary (-dict=) and
 * the operands the target's comparisons saw (the "TORC" table, filled from
 * each answer's coverage snapshot). Deterministic: every choice comes from
 * one seeded generator. Pure (no I/O); runs in the supervisor. */
#ifndef CAISSON_FZ_MUTATE_H
#define CAISSON_FZ_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_cov.h"

#define FZ_WORD_MAX 64u   /* a dictionary word, at most (libFuzzer's bound) */
#define FZ_DICT_MAX 4096u /* words in a -dict= file, at most */
#define FZ_TORC_SLOTS IPC_COV_CMPS

struct fz_word {
	uint8_t len;
	uint8_t b[FZ_WORD_MAX];
};

struct fz_dict {
	struct fz_word *w;
	size_t n;
};

/* The comparisons seen so far: one slot per call-site hash, the latest
 * unequal pair wins (as the worker's region has them). */
struct fz_torc {
	struct ipc_cov_cmp slot[FZ_TORC_SLOTS];
	uint64_t used;
};

struct fz_rng {
	uint64_t s;
};

struct fz_mut {
	struct fz_rng rng;
	const struct fz_dict *dict; /* NULL: none */
	struct fz_torc torc;
};

void fz_rng_seed(struct fz_rng *r, uint64_t seed);
uint64_t fz_rng_next(struct fz_rng *r);
/* Uniform in [0, n); n > 0. */
size_t fz_rng_below(struct fz_rng *r, size_t n);

/* Parses a dictionary in libFuzzer's/AFL's format: one word per line,
 * `name="value"` or `"value"`, escapes \\ \" \xHH, '#' comments. 0, or -1
 * with "LINE: why" in err. d->w is malloc'd; fz_dict_free frees it. */
int fz_dict_parse(const char *text, size_t len, struct fz_dict *d, char *err, size_t errlen);
void fz_dict_free(struct fz_dict *d);

/* Takes the comparison slots of one answer (a coverage snapshot, cov_len
 * bytes of the ipc_cov.h layout) into the table; entries whose lengths
 * are out of range are ignored (the worker's word). */
void fz_torc_take(struct fz_torc *t, const uint8_t *cov, size_t cov_len);

/* Mutates data (len bytes, capacity cap >= 1) in place with 1 to 5 stacked
 * mutations, keeping the result in 1..max_len bytes (max_len <= cap);
 * other: a corpus input to cross over with (NULL: none). Returns the new
 * length. */
size_t fz_mutate(struct fz_mut *m, uint8_t *data, size_t len, size_t max_len, const uint8_t *other,
		 size_t other_len);

#endif
