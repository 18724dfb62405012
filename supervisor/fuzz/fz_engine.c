/* caisson fuzz's loop; see fz_engine.h. Runs in the supervisor. Time is
 * read only for the stats lines and -max_total_time: with one worker,
 * which inputs are generated depends on -seed, -batch and the target's
 * answers alone. With N workers, N batches are in flight and settled as
 * they come back, all feeding the one corpus. */
#include "fz_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz_files.h"
#include "fz_int.h"

/* Corpus inputs go in batches too, as they are read, through the first
 * slot; what a batch did not reach (it stopped at new coverage or a
 * finding) goes again. */
static int fz_load_flush(struct fz *f, char *err, size_t errlen)
{
	struct fz_slot *s = &f->slots[0];
	uint32_t used;

	while (s->batch.n) {
		if (fz_exec(f, s, err, errlen) < 0 || fz_settle(f, s, &used, err, errlen) < 0)
			return -1;
		fz_batch_drop(&s->batch, used);
	}
	return 0;
}

static void fz_load_one(void *arg, const uint8_t *data, size_t len)
{
	struct fz *f = arg;
	struct fz_batch *b = &f->slots[0].batch;

	if (f->load_failed)
		return;
	if (!fz_batch_room(b, len) && fz_load_flush(f, f->load_err, sizeof(f->load_err)) < 0) {
		f->load_failed = true;
		return;
	}
	memcpy(fz_batch_slot(b), data, len);
	fz_batch_commit(b, len);
}

static int fz_load(struct fz *f, char *err, size_t errlen)
{
	f->loading = true;
	fz_batch_clear(&f->slots[0].batch);
	for (size_t i = 0; i < f->o->ndirs; i++) {
		f->load_dir = i;
		if (fz_files_load_dir(f->o->dirs[i], f->o->max_len, fz_load_one, f, err, errlen) < 0)
			return -1;
		if (f->load_failed) {
			snprintf(err, errlen, "%s", f->load_err);
			return -1;
		}
		if (fz_load_flush(f, err, errlen) < 0)
			return -1;
	}
	/* No input, or none with coverage: start from the empty input. */
	if (f->corpus.n == 0 && !f->o->merge)
		fz_batch_commit(&f->slots[0].batch, 0);
	if (fz_load_flush(f, err, errlen) < 0)
		return -1;
	if (f->corpus.n == 0 && fz_corpus_add(&f->corpus, (const uint8_t *)"", 0) < 0) {
		snprintf(err, errlen, "out of memory for the corpus");
		return -1;
	}
	f->loading = false;
	return 0;
}

static bool fz_time_left(const struct fz *f)
{
	return !f->o->max_total_time || fz_elapsed(f) < (double)f->o->max_total_time;
}

/* Inputs -runs still allows, counting those in flight. */
static bool fz_runs_left(const struct fz *f)
{
	return !f->o->runs || f->execs + f->inflight < f->o->runs;
}

/* Fills a slot's batch with mutations, as many as fit and -runs leaves,
 * each as the one-at-a-time loop would make it if none before it were
 * kept: the length bound advances as if each had run, and the
 * generator's state after each is kept, so that with one worker, after
 * a batch that stopped early, the next goes on from the last input used. */
static void fz_generate(struct fz *f, struct fz_slot *s)
{
	uint64_t execs = f->execs, last_growth = f->last_growth;
	size_t cur_max = f->cur_max;

	fz_batch_clear(&s->batch);
	while (fz_batch_room(&s->batch, f->cur_max) && fz_runs_left(f)) {
		const struct fz_input *base = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		const struct fz_input *other = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		size_t len = base->len < f->cur_max ? base->len : f->cur_max;
		uint8_t *slot = fz_batch_slot(&s->batch);

		memcpy(slot, base->data, len);
		len = fz_mutate(&f->mut, slot, len, f->cur_max, other->data, other->len);
		s->rng_after[s->batch.n] = f->mut.rng;
		fz_batch_commit(&s->batch, len);
		f->execs++;
		fz_grow(f);
	}
	f->execs = execs;
	f->last_growth = last_growth;
	f->cur_max = cur_max;
	f->inflight += s->batch.n;
}

/* Settles every answered slot, in slot order. One worker: the generator
 * resumes after the last input used (the rest were never run). */
static int fz_settle_done(struct fz *f, char *err, size_t errlen)
{
	uint32_t used;

	for (uint32_t i = 0; i < f->nslots; i++) {
		struct fz_slot *s = &f->slots[i];
		if (!s->busy || !s->last.done)
			continue;
		f->inflight -= s->batch.n;
		if (fz_settle(f, s, &used, err, errlen) < 0)
			return -1;
		if (f->nslots == 1)
			f->mut.rng = s->rng_after[used - 1];
	}
	fz_progress(f);
	return 0;
}

static int fz_loop(struct fz *f, char *err, size_t errlen)
{
	for (;;) {
		uint32_t busy = 0;
		for (uint32_t i = 0; i < f->nslots; i++) {
			struct fz_slot *s = &f->slots[i];
			if (!s->busy && fz_runs_left(f) && fz_time_left(f)) {
				fz_generate(f, s);
				if (fz_submit(f, s, err, errlen) < 0)
					return -1;
			}
			busy += s->busy;
		}
		if (!busy)
			return 0;
		if (event_base_loop(f->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
		if (fz_settle_done(f, err, errlen) < 0)
			return -1;
	}
}

/* Every worker up before the first mutation, so that the first N batches
 * go to N workers, one each (the pool hands a request to an idle worker). */
static int fz_wait_workers(struct fz *f, char *err, size_t errlen)
{
	struct pool_stats st;

	for (;;) {
		pool_stats(f->pool, &st);
		if (st.idle >= f->nslots)
			return 0;
		if (st.failed) {
			snprintf(err, errlen, "the target cannot run: %s", st.failed_reason);
			return -1;
		}
		if (event_base_loop(f->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	}
}

static int fz_slot_init(struct fz *f, struct fz_slot *s, uint32_t max)
{
	s->f = f;
	if (fz_batch_init(&s->batch, max, f->o->max_len) < 0 || !(s->rng_after = calloc(max, sizeof(*s->rng_after))))
		return -1;
	return 0;
}

static void fz_slot_free(struct fz_slot *s)
{
	fz_batch_free(&s->batch);
	free(s->rng_after);
	free(s->last.log);
}

static int fz_start(struct fz *f, char *err, size_t errlen)
{
	if (fz_load(f, err, errlen) < 0)
		return -1;
	f->cur_max = f->corpus.max_len > 4 ? f->corpus.max_len : 4;
	if (f->cur_max > f->o->max_len)
		f->cur_max = f->o->max_len;
	f->last_growth = f->execs;
	fz_stats(f, "INITED");
	if (f->o->merge) {
		fprintf(f->o->out, "MERGE-OUTER: %llu new files added to %s\n", (unsigned long long)f->rep->merged,
			f->o->ndirs ? f->o->dirs[0] : "(none)");
		return 0;
	}
	if ((f->nslots > 1 && fz_wait_workers(f, err, errlen) < 0) || fz_loop(f, err, errlen) < 0)
		return -1;
	fz_stats(f, "DONE ");
	fprintf(f->o->out, "==caisson fuzz== %u worker process%s served batches (%u at once)\n", f->npids,
		f->npids == 1 ? "" : "es", f->nslots);
	for (size_t i = 0; i < f->nkeys; i++) {
		const struct fz_key *k = &f->keys[i];
		fprintf(f->o->out, "==caisson fuzz== %s%s%s: seen %llu time%s\n", k->key, k->stacked ? ", " : "",
			k->stacked ? k->detail : "", (unsigned long long)k->count, k->count == 1 ? "" : "s");
		if (k->path && fz_files_note_seen(k->path, k->count) < 0) {
			snprintf(err, errlen, "%s.txt: %s", k->path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int fz_run(struct pool *p, struct event_base *base, const struct fz_opts *o, struct fz_report *rep, char *err,
	   size_t errlen)
{
	struct fz *f = calloc(1, sizeof(*f));
	uint32_t n = o->workers ? o->workers : 1;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->timeouts_only = 1;
	if (!f || fz_corpus_init(&f->corpus) < 0 || !(f->slots = calloc(n, sizeof(*f->slots)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->o = o;
	f->nslots = n;
	for (uint32_t i = 0; i < n; i++)
		if (fz_slot_init(f, &f->slots[i], o->batch) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	if (fz_slot_init(f, &f->one, 1) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->pool = p;
	f->base = base;
	f->rep = rep;
	f->next_pulse = 1024;
	fz_rng_seed(&f->mut.rng, o->seed);
	f->mut.dict = o->dict;
	f->tty = isatty(fileno(o->out)) == 1;
	clock_gettime(CLOCK_MONOTONIC, &f->t0);
	rc = fz_start(f, err, errlen);
out:
	if (f) {
		rep->execs = f->execs;
		for (size_t i = 0; i < f->nkeys; i++) {
			free(f->keys[i].key);
			free(f->keys[i].detail);
			free(f->keys[i].path);
		}
		for (uint32_t i = 0; f->slots && i < f->nslots; i++)
			fz_slot_free(&f->slots[i]);
		fz_slot_free(&f->one);
		free(f->slots);
		fz_corpus_free(&f->corpus);
		free(f);
	}
	return rc;
}
