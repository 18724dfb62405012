/* caisson fuzz's mutators; see fz_mutate.h. Pure; runs in the supervisor.
 * Each mutator returns the new length, or 0 when it does not apply to this
 * input (too short, too long, nothing to use): fz_mutate then picks another. */
#include "fz_mutate.h"

#include <string.h>

void fz_rng_seed(struct fz_rng *r, uint64_t seed)
{
	r->s = seed;
}

/* splitmix64: a full-period 64-bit generator, enough for mutation choices. */
uint64_t fz_rng_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t fz_rng_below(struct fz_rng *r, size_t n)
{
	return (size_t)(fz_rng_next(r) % n);
}

#define RB(n) fz_rng_below(&m->rng, (n))

static size_t mut_erase(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t k, at;

	(void)max;
	if (n <= 1)
		return 0;
	k = 1 + RB(n / 2);
	at = RB(n - k + 1);
	memmove(d + at, d + at + k, n - at - k);
	return n - k;
}

static size_t mut_insert_byte(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t at;

	if (n >= max)
		return 0;
	at = RB(n + 1);
	memmove(d + at + 1, d + at, n - at);
	d[at] = (uint8_t)RB(256);
	return n + 1;
}

static size_t mut_insert_repeated(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t k, at;
	uint8_t b = RB(2) ? (uint8_t)RB(256) : (RB(2) ? 0xff : 0);

	if (n + 3 > max)
		return 0;
	k = 3 + RB(max - n - 2 < 128 ? max - n - 2 : 128);
	at = RB(n + 1);
	memmove(d + at + k, d + at, n - at);
	memset(d + at, b, k);
	return n + k;
}

static size_t mut_change_byte(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	(void)max;
	d[RB(n)] = (uint8_t)RB(256);
	return n;
}

static size_t mut_change_bit(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	(void)max;
	d[RB(n)] ^= (uint8_t)(1u << RB(8));
	return n;
}

static size_t mut_shuffle(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t k = 1 + RB(n < 8 ? n : 8), at = RB(n - k + 1);

	(void)max;
	for (size_t i = k - 1; i > 0; i--) {
		size_t j = RB(i + 1);
		uint8_t t = d[at + i];
		d[at + i] = d[at + j];
		d[at + j] = t;
	}
	return n;
}

/* An integer of 1, 2, 4 or 8 bytes at a random place, plus or minus up
 * to 10, in either byte order (or negated, sometimes). */
static size_t mut_arith(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t w = (size_t)1 << RB(4), at;
	uint64_t v = 0;
	int64_t delta = (int64_t)RB(21) - 10;
	int swap = (int)RB(2);

	(void)max;
	if (n < w)
		return 0;
	at = RB(n - w + 1);
	for (size_t i = 0; i < w; i++)
		v |= (uint64_t)d[at + (swap ? w - 1 - i : i)] << (8 * i);
	v = RB(8) == 0 ? (uint64_t)-(int64_t)v : v + (uint64_t)delta;
	for (size_t i = 0; i < w; i++)
		d[at + (swap ? w - 1 - i : i)] = (uint8_t)(v >> (8 * i));
	return n;
}

/* A part of the input copied over another place, or inserted there. */
static size_t mut_copy_part(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	size_t k = 1 + RB(n), from = RB(n - k + 1), to;

	if (RB(2) && n + k <= max) {
		uint8_t tmp[4096];
		if (k > sizeof(tmp))
			k = sizeof(tmp);
		memcpy(tmp, d + from, k);
		to = RB(n + 1);
		memmove(d + to + k, d + to, n - to);
		memcpy(d + to, tmp, k);
		return n + k;
	}
	to = RB(n - k + 1);
	memmove(d + to, d + from, k);
	return n;
}

/* bytes put at a random place: overwriting, or inserted when room. */
static size_t put_bytes(struct fz_mut *m, uint8_t *d, size_t n, size_t max, const uint8_t *b, size_t k)
{
	size_t at;

	if (k == 0 || k > max)
		return 0;
	if ((RB(2) || k > n) && n + k <= max) {
		at = RB(n + 1);
		memmove(d + at + k, d + at, n - at);
		memcpy(d + at, b, k);
		return n + k;
	}
	if (k > n)
		return 0;
	at = RB(n - k + 1);
	memcpy(d + at, b, k);
	return n;
}

static size_t mut_dict(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	const struct fz_word *w;

	if (!m->dict || !m->dict->n)
		return 0;
	w = &m->dict->w[RB(m->dict->n)];
	return put_bytes(m, d, n, max, w->b, w->len);
}

/* Finds a (la bytes) in d at or after a random start, wrapping. */
static size_t find_from(struct fz_mut *m, const uint8_t *d, size_t n, const uint8_t *a, size_t la)
{
	size_t start;

	if (la == 0 || la > n)
		return SIZE_MAX;
	start = RB(n - la + 1);
	for (size_t i = 0; i <= n - la; i++) {
		size_t at = (start + i) % (n - la + 1);
		if (!memcmp(d + at, a, la))
			return at;
	}
	return SIZE_MAX;
}

/* A comparison the target made: where the input holds one operand, the
 * other replaces it (the way a magic number or keyword is matched); when
 * it does not, the other operand is put somewhere (a memcmp against a
 * constant, before the input holds any of it). */
static size_t mut_torc(struct fz_mut *m, uint8_t *d, size_t n, size_t max)
{
	const struct ipc_cov_cmp *e;
	const uint8_t *from, *to;
	size_t lf, lt, at;
	unsigned i, tries = 0;

	if (!m->torc.used)
		return 0;
	do
		i = (unsigned)RB(FZ_TORC_SLOTS);
	while (!(m->torc.used >> i & 1) && ++tries < 4 * FZ_TORC_SLOTS);
	if (!(m->torc.used >> i & 1))
		return 0;
	e = &m->torc.slot[i];
	if (RB(2)) {
		from = e->a, lf = e->la, to = e->b, lt = e->lb;
	} else {
		from = e->b, lf = e->lb, to = e->a, lt = e->la;
	}
	at = find_from(m, d, n, from, lf);
	if (at == SIZE_MAX || (e->kind == IPC_COV_MEM && lt != lf && n - lf + lt > max))
		return put_bytes(m, d, n, max, to, lt);
	if (lt == lf) {
		memcpy(d + at, to, lt);
		return n;
	}
	memmove(d + at + lt, d + at + lf, n - at - lf);
	memcpy(d + at, to, lt);
	return n - lf + lt;
}

static size_t mut_cross(struct fz_mut *m, uint8_t *d, size_t n, size_t max, const uint8_t *o, size_t on)
{
	size_t k, from;

	if (!o || !on)
		return 0;
	k = 1 + RB(on);
	from = RB(on - k + 1);
	if (RB(2))
		return put_bytes(m, d, n, max, o + from, k);
	/* Splice: our head, then the other's tail from the same offset. */
	k = RB(n) + 1;
	if (k >= on)
		return 0;
	if (k + (on - k) > max)
		return 0;
	memcpy(d + k, o + k, on - k);
	return on;
}

typedef size_t (*fz_mutator)(struct fz_mut *, uint8_t *, size_t, size_t);
static const fz_mutator fz_mutators[] = {
	mut_erase, mut_insert_byte, mut_insert_repeated, mut_change_byte, mut_change_bit,
	mut_shuffle, mut_arith, mut_copy_part, mut_dict, mut_torc, mut_torc,
};
#define FZ_NMUT (sizeof(fz_mutators) / sizeof(fz_mutators[0]))

size_t fz_mutate(struct fz_mut *m, uint8_t *data, size_t len, size_t max_len, const uint8_t *other,
		 size_t other_len)
{
	size_t depth = 1 + RB(5);

	if (len == 0) {
		data[0] = (uint8_t)RB(256);
		len = 1;
	}
	if (len > max_len)
		len = max_len;
	for (size_t i = 0; i < depth; i++) {
		size_t r = 0;
		for (int tries = 0; r == 0 && tries < 16; tries++) {
			size_t pick = RB(FZ_NMUT + 1);
			r = pick == FZ_NMUT ? mut_cross(m, data, len, max_len, other, other_len)
					    : fz_mutators[pick](m, data, len, max_len);
		}
		if (r)
			len = r;
	}
	return len;
}

void fz_torc_take(struct fz_torc *t, const uint8_t *cov, size_t cov_len)
{
	uint64_t mask;

	if (cov_len < IPC_COV_COUNTERS)
		return;
	memcpy(&mask, cov + IPC_COV_MASK_OFF, sizeof(mask));
	for (unsigned i = 0; i < FZ_TORC_SLOTS; i++) {
		struct ipc_cov_cmp e;
		if (!(mask >> i & 1))
			continue;
		memcpy(&e, cov + IPC_COV_CMP_OFF + i * sizeof(e), sizeof(e));
		if ((e.kind != IPC_COV_INT && e.kind != IPC_COV_MEM) || e.la > IPC_COV_CMP_BYTES ||
		    e.lb > IPC_COV_CMP_BYTES || (e.kind == IPC_COV_INT && (e.la != e.lb || e.la > 8)) ||
		    (!e.la && !e.lb))
			continue;
		t->slot[i] = e;
		t->used |= 1ull << i;
	}
}
