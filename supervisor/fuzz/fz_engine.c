/* caisson fuzz's loop; see fz_engine.h. Runs in the supervisor. Time is
 * read only for the stats lines and -max_total_time: which inputs are
 * generated depends on -seed and the target's answers alone. */
#include "fz_engine.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fz_batch.h"
#include "fz_corpus.h"
#include "fz_files.h"
#include "fz_fold.h"
#include "ipc/ipc_codec.h"
#include "ipc/ipc_cov.h"

#define FZ_KEYS_MAX 4096u /* distinct findings remembered for folding */

/* One distinct finding: its folding key (fz_fold.h), the detail of the
 * first one (the one written to disk), and how often seen. */
struct fz_key {
	char *key, *detail;
	uint64_t count;
};

/* What the last batch ended with. */
struct fz_last {
	bool done;
	enum cs_status st;
	char detail[512];
	char *log;
	size_t log_len;
	bool summary_ok;     /* CS_OK: the worker's summary made sense */
	uint32_t ran, flags; /* its summary */
	uint32_t current;    /* a failed batch: the input it was running (its word) */
	size_t fresh;        /* new features of its last input */
	size_t ncounters;
};

struct fz {
	const struct fz_opts *o;
	struct pool *pool;
	struct event_base *base;
	struct fz_corpus corpus;
	struct fz_mut mut;
	struct fz_batch batch, one; /* one: a single input run alone */
	struct fz_rng rng_after[IPC_FUZZ_BATCH_MAX]; /* the generator after input j */
	size_t cur_max;
	uint64_t execs, last_growth, next_pulse;
	struct timespec t0;
	struct fz_key keys[FZ_KEYS_MAX];
	size_t nkeys;
	struct fz_report *rep;
	struct fz_last last;
	bool warned_nocov;
	bool loading;     /* the corpus directories: no stats, no growth */
	size_t load_dir;  /* the directory being loaded (each ends its batch) */
	bool load_failed; /* loading the corpus stopped on load_err */
	char load_err[512];
};

static double fz_elapsed(const struct fz *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - f->t0.tv_sec) + (double)(now.tv_nsec - f->t0.tv_nsec) / 1e9;
}

static void fz_stats(struct fz *f, const char *what)
{
	struct rusage ru;
	double t = fz_elapsed(f);
	size_t b = f->corpus.bytes;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(f->o->out, "#%llu\t%s cov: %zu ft: %zu corp: %zu/%zu%s exec/s: %llu rss: %ldMb\n",
		(unsigned long long)f->execs, what, f->corpus.nedges, f->corpus.nfeatures, f->corpus.n,
		b >= (1u << 20) ? b >> 20 : b >= (1u << 10) ? b >> 10 : b,
		b >= (1u << 20) ? "Mb" : b >= (1u << 10) ? "Kb" : "b",
		(unsigned long long)(t >= 1 ? (double)f->execs / t : (double)f->execs), ru.ru_maxrss >> 10);
	fflush(f->o->out);
}

/* The answer to a batch: its summary (OK), or the index of the input the
 * worker failed on; the comparison slots; and the features of the last
 * input run when the worker found them new (it stops there). */
static void fz_done_cb(const struct pool_result *r, void *arg)
{
	struct fz *f = arg;
	struct fz_last *l = &f->last;
	uint32_t n = 0;

	l->done = true;
	l->st = r->status;
	snprintf(l->detail, sizeof(l->detail), "%s", r->detail ? r->detail : "");
	if (r->log && r->log_len && (l->log = malloc(r->log_len))) {
		memcpy(l->log, r->log, r->log_len);
		l->log_len = r->log_len;
	}
	if (r->status == CS_OK)
		l->summary_ok = ipc_batch_summary_get(r->out, r->out_len, f->last.ran, &l->ran, &l->flags) == 0;
	if (!r->cov || r->cov_len < IPC_COV_COUNTERS)
		return;
	memcpy(&l->current, r->cov + IPC_COV_CURRENT_OFF, sizeof(l->current));
	memcpy(&n, r->cov + IPC_COV_NCOUNTERS_OFF, sizeof(n));
	if (r->status != CS_OK)
		return;
	l->ncounters = n;
	fz_torc_take(&f->mut.torc, r->cov, r->cov_len);
	if (l->summary_ok && (l->flags & IPC_FUZZ_BATCH_NEW))
		l->fresh = fz_corpus_features(&f->corpus, r->cov + IPC_COV_COUNTERS, n);
}

/* One batch through the worker, waited for on the base. */
static int fz_exec(struct fz *f, const struct fz_batch *b, char *err, size_t errlen)
{
	free(f->last.log);
	memset(&f->last, 0, sizeof(f->last));
	f->last.ran = b->n; /* until the answer: the bound its summary is checked against */
	if (!pool_submit(f->pool, b->buf, b->len, fz_done_cb, f)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (!f->last.done)
		if (event_base_loop(f->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	return 0;
}

/* The finding's entry; *fresh when its key is new (remembered then,
 * unless the table is full or memory is out: NULL, and every such
 * finding counts as new, so none is lost). */
static struct fz_key *fz_seen(struct fz *f, enum cs_status st, const char *detail, bool *fresh)
{
	char key[600];
	struct fz_key *k;

	fz_fold_key(st, detail, key, sizeof(key));
	for (size_t i = 0; i < f->nkeys; i++)
		if (!strcmp(f->keys[i].key, key)) {
			*fresh = false;
			return &f->keys[i];
		}
	*fresh = true;
	if (f->nkeys == FZ_KEYS_MAX)
		return NULL;
	k = &f->keys[f->nkeys];
	k->key = strdup(key);
	k->detail = strdup(detail);
	k->count = 0;
	if (!k->key || !k->detail) {
		free(k->key);
		free(k->detail);
		return NULL;
	}
	f->nkeys++;
	return k;
}

/* A finding: on disk first (a new one), then counted and reported. */
static int fz_finding(struct fz *f, const char *kind, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	const struct fz_last *l = &f->last;
	bool fresh;
	struct fz_key *k = fz_seen(f, l->st, l->detail, &fresh);
	char path[FZ_PATH_MAX];
	const struct fz_finding fd = { kind, cs_status_name(l->st), l->detail, l->log, l->log_len };

	if (fresh && fz_files_save_finding(f->o->artifact_prefix, &fd, data, len, path, err, errlen) < 0)
		return -1;
	if (k)
		k->count++;
	f->rep->findings++;
	if (strcmp(kind, "timeout"))
		f->rep->timeouts_only = 0;
	if (fresh) {
		f->rep->unique++;
		fprintf(f->o->out, "==caisson fuzz== %s %s\n  artifact written to %s (sidecar %s.txt)\n",
			cs_status_name(l->st), l->detail, path, path);
		fz_stats(f, "FIND");
	}
	return 0;
}

/* libFuzzer's length control: mutations start at most max(4, the longest
 * corpus input) long and grow by log2 of that after 100 * log2 runs with
 * no new input. */
static size_t fz_log2(size_t v)
{
	size_t l = 0;

	while (v >>= 1)
		l++;
	return l;
}

static void fz_grow(struct fz *f)
{
	size_t lg = fz_log2(f->cur_max);

	if (f->cur_max < f->o->max_len && f->execs - f->last_growth > 100 * lg) {
		f->cur_max += lg ? lg : 1;
		if (f->cur_max > f->o->max_len)
			f->cur_max = f->o->max_len;
		f->last_growth = f->execs;
	}
}

/* After an input is counted: the stats line it earns, and length growth. */
static void fz_pulse(struct fz *f, bool grew)
{
	if (f->loading)
		return;
	if (grew)
		fz_stats(f, "NEW ");
	else if (f->execs >= f->next_pulse) {
		fz_stats(f, "pulse");
		f->next_pulse *= 2;
	}
	fz_grow(f);
}

static void fz_tick(struct fz *f)
{
	f->execs++;
	fz_pulse(f, false);
}

/* The last input the worker ran to its end, with new coverage: kept. */
static int fz_keep(struct fz *f, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	if (fz_corpus_add(&f->corpus, data, len) < 0) {
		snprintf(err, errlen, "out of memory for the corpus");
		return -1;
	}
	/* The first directory's own inputs are there already (by any name). */
	if (f->o->ndirs && !(f->loading && f->load_dir == 0)) {
		if (fz_files_save_input(f->o->dirs[0], data, len, err, errlen) < 0)
			return -1;
		if (f->loading)
			f->rep->merged++;
	}
	f->last_growth = f->execs;
	return 0;
}

static int fz_settle(struct fz *f, const struct fz_batch *b, uint32_t *used, char *err, size_t errlen);

/* A batch the worker died in, at input i (its word: out of range names
 * the first). A timeout past the first input may be the batch's sum, so
 * that input runs again alone and is judged by that run. */
static int fz_settle_failed(struct fz *f, const struct fz_batch *b, uint32_t *used, char *err, size_t errlen)
{
	uint32_t i = f->last.current < b->n ? f->last.current : 0, one;
	const char *kind = fz_fold_kind(f->last.st);
	const uint8_t *data = b->buf + b->off[i];

	for (uint32_t j = 0; j < i; j++)
		fz_tick(f);
	*used = i + 1;
	if (i > 0 && !strcmp(kind, "timeout")) {
		fz_batch_clear(&f->one);
		memcpy(fz_batch_slot(&f->one), data, b->lens[i]);
		fz_batch_commit(&f->one, b->lens[i]);
		if (fz_exec(f, &f->one, err, errlen) < 0)
			return -1;
		return fz_settle(f, &f->one, &one, err, errlen);
	}
	f->execs++;
	if (fz_finding(f, kind, data, b->lens[i], err, errlen) < 0)
		return -1;
	fz_pulse(f, false);
	return 0;
}

/* After a batch: each input run counted, in order, and the one it ended
 * on judged (a finding, a new corpus input, or nothing); *used: how many
 * of the batch's inputs that consumed. A worker that cannot start is the
 * end of the run. */
static int fz_settle(struct fz *f, const struct fz_batch *b, uint32_t *used, char *err, size_t errlen)
{
	const struct fz_last *l = &f->last;
	uint32_t last;

	if (l->st == CS_SPAWN_FAILED || l->st == CS_OVERLOADED || l->st == CS_CANCELLED ||
	    l->st == CS_INPUT_TOO_LARGE) {
		snprintf(err, errlen, "the target cannot run: %s %s", cs_status_name(l->st), l->detail);
		return -1;
	}
	if (l->st != CS_OK || !l->summary_ok) {
		if (l->st == CS_OK) {
			f->last.st = CS_PROTOCOL_ERROR;
			snprintf(f->last.detail, sizeof(f->last.detail), "malformed batch summary");
		}
		return fz_settle_failed(f, b, used, err, errlen);
	}
	if (!l->ncounters && !f->warned_nocov) {
		fprintf(f->o->out, "WARNING: the target reports no coverage counters; was it built with "
				   "-fsanitize=fuzzer-no-link? Fuzzing blind.\n");
		f->warned_nocov = true;
	}
	last = l->ran - 1;
	for (uint32_t j = 0; j < last; j++)
		fz_tick(f);
	*used = l->ran;
	f->execs++;
	if (l->fresh && fz_keep(f, b->buf + b->off[last], b->lens[last], err, errlen) < 0)
		return -1;
	fz_pulse(f, l->fresh > 0);
	return 0;
}

/* Corpus inputs go in batches too, as they are read; what a batch did
 * not reach (it stopped at new coverage or a finding) goes again. */
static int fz_load_flush(struct fz *f, char *err, size_t errlen)
{
	uint32_t used;

	while (f->batch.n) {
		if (fz_exec(f, &f->batch, err, errlen) < 0 || fz_settle(f, &f->batch, &used, err, errlen) < 0)
			return -1;
		fz_batch_drop(&f->batch, used);
	}
	return 0;
}

static void fz_load_one(void *arg, const uint8_t *data, size_t len)
{
	struct fz *f = arg;

	if (f->load_failed)
		return;
	if (!fz_batch_room(&f->batch, len) && fz_load_flush(f, f->load_err, sizeof(f->load_err)) < 0) {
		f->load_failed = true;
		return;
	}
	memcpy(fz_batch_slot(&f->batch), data, len);
	fz_batch_commit(&f->batch, len);
}

static int fz_load(struct fz *f, char *err, size_t errlen)
{
	f->loading = true;
	fz_batch_clear(&f->batch);
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
		fz_batch_commit(&f->batch, 0);
	if (fz_load_flush(f, err, errlen) < 0)
		return -1;
	if (f->corpus.n == 0 && fz_corpus_add(&f->corpus, (const uint8_t *)"", 0) < 0) {
		snprintf(err, errlen, "out of memory for the corpus");
		return -1;
	}
	f->loading = false;
	return 0;
}

static bool fz_more(const struct fz *f)
{
	return (!f->o->runs || f->execs < f->o->runs) &&
	       (!f->o->max_total_time || fz_elapsed(f) < (double)f->o->max_total_time);
}

/* Fills the batch with mutations, as many as fit and -runs leaves, each
 * as the one-at-a-time loop would make it if none before it were kept:
 * the length bound advances as if each had run, and the generator's
 * state after each is kept, so that after a batch that stops early the
 * next one goes on from where the last input used left it. */
static void fz_generate(struct fz *f)
{
	uint64_t execs = f->execs, last_growth = f->last_growth;
	size_t cur_max = f->cur_max;

	fz_batch_clear(&f->batch);
	while (fz_batch_room(&f->batch, f->cur_max) && (!f->o->runs || f->execs < f->o->runs)) {
		const struct fz_input *base = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		const struct fz_input *other = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		size_t len = base->len < f->cur_max ? base->len : f->cur_max;
		uint8_t *slot = fz_batch_slot(&f->batch);

		memcpy(slot, base->data, len);
		len = fz_mutate(&f->mut, slot, len, f->cur_max, other->data, other->len);
		f->rng_after[f->batch.n] = f->mut.rng;
		fz_batch_commit(&f->batch, len);
		f->execs++;
		fz_grow(f);
	}
	f->execs = execs;
	f->last_growth = last_growth;
	f->cur_max = cur_max;
}

static int fz_loop(struct fz *f, char *err, size_t errlen)
{
	uint32_t used;

	while (fz_more(f)) {
		fz_generate(f);
		if (fz_exec(f, &f->batch, err, errlen) < 0 || fz_settle(f, &f->batch, &used, err, errlen) < 0)
			return -1;
		f->mut.rng = f->rng_after[used - 1];
	}
	return 0;
}

int fz_run(struct pool *p, struct event_base *base, const struct fz_opts *o, struct fz_report *rep, char *err,
	   size_t errlen)
{
	struct fz *f = calloc(1, sizeof(*f));
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->timeouts_only = 1;
	if (!f || fz_corpus_init(&f->corpus) < 0 || fz_batch_init(&f->batch, o->batch, o->max_len) < 0 ||
	    fz_batch_init(&f->one, 1, o->max_len) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->o = o;
	f->pool = p;
	f->base = base;
	f->rep = rep;
	f->next_pulse = 1024;
	fz_rng_seed(&f->mut.rng, o->seed);
	f->mut.dict = o->dict;
	clock_gettime(CLOCK_MONOTONIC, &f->t0);
	if (fz_load(f, err, errlen) < 0)
		goto out;
	f->cur_max = f->corpus.max_len > 4 ? f->corpus.max_len : 4;
	if (f->cur_max > o->max_len)
		f->cur_max = o->max_len;
	f->last_growth = f->execs;
	fz_stats(f, "INITED");
	if (o->merge) {
		fprintf(o->out, "MERGE-OUTER: %llu new files added to %s\n", (unsigned long long)rep->merged,
			o->ndirs ? o->dirs[0] : "(none)");
	} else if (fz_loop(f, err, errlen) < 0)
		goto out;
	fz_stats(f, "DONE ");
	for (size_t i = 0; i < f->nkeys; i++)
		fprintf(o->out, "==caisson fuzz== %s: seen %llu time%s\n", f->keys[i].key,
			(unsigned long long)f->keys[i].count, f->keys[i].count == 1 ? "" : "s");
	rc = 0;
out:
	if (f) {
		rep->execs = f->execs;
		for (size_t i = 0; i < f->nkeys; i++) {
			free(f->keys[i].key);
			free(f->keys[i].detail);
		}
		free(f->last.log);
		fz_batch_free(&f->batch);
		fz_batch_free(&f->one);
		fz_corpus_free(&f->corpus);
		free(f);
	}
	return rc;
}
