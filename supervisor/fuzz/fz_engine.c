/* caisson fuzz's loop; see fz_engine.h. Runs in the supervisor. Time is
 * read only for the stats lines and -max_total_time: which inputs are
 * generated depends on -seed and the target's answers alone. */
#include "fz_engine.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fz_corpus.h"
#include "fz_files.h"
#include "fz_fold.h"
#include "ipc/ipc_cov.h"

#define FZ_KEYS_MAX 4096u /* distinct findings remembered for folding */

/* One distinct finding: its folding key (fz_fold.h), the detail of the
 * first one (the one written to disk), and how often seen. */
struct fz_key {
	char *key, *detail;
	uint64_t count;
};

/* What the last execution ended with. */
struct fz_last {
	bool done;
	enum cs_status st;
	char detail[512];
	char *log;
	size_t log_len;
	size_t fresh; /* new features */
	size_t ncounters;
};

struct fz {
	const struct fz_opts *o;
	struct pool *pool;
	struct event_base *base;
	struct fz_corpus corpus;
	struct fz_mut mut;
	uint8_t *buf;
	size_t cur_max;
	uint64_t execs, last_growth, next_pulse;
	struct timespec t0;
	struct fz_key keys[FZ_KEYS_MAX];
	size_t nkeys;
	struct fz_report *rep;
	struct fz_last last;
	bool warned_nocov;
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

static void fz_done_cb(const struct pool_result *r, void *arg)
{
	struct fz *f = arg;
	struct fz_last *l = &f->last;

	l->done = true;
	l->st = r->status;
	snprintf(l->detail, sizeof(l->detail), "%s", r->detail ? r->detail : "");
	if (r->log && r->log_len && (l->log = malloc(r->log_len))) {
		memcpy(l->log, r->log, r->log_len);
		l->log_len = r->log_len;
	}
	if (r->cov && r->cov_len >= IPC_COV_COUNTERS) {
		uint32_t n;
		memcpy(&n, r->cov + IPC_COV_NCOUNTERS_OFF, sizeof(n));
		l->ncounters = n;
		fz_torc_take(&f->mut.torc, r->cov, r->cov_len);
		l->fresh = fz_corpus_features(&f->corpus, r->cov + IPC_COV_COUNTERS, n);
	}
}

/* One input through the worker, waited for on the base. */
static int fz_exec(struct fz *f, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	free(f->last.log);
	memset(&f->last, 0, sizeof(f->last));
	if (!pool_submit(f->pool, data, len, fz_done_cb, f)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (!f->last.done)
		if (event_base_loop(f->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	f->execs++;
	return 0;
}

/* The finding's kind, by the worker's status; NULL when the input ran to
 * its end. A worker that broke the protocol or its output cap counts as a
 * crash (the target scribbled on the runtime). */
static const char *fz_kind(enum cs_status st)
{
	switch (st) {
	case CS_OK:
	case CS_PLUGIN_ERROR: return NULL;
	case CS_TIMEOUT:
	case CS_CPU_LIMIT: return "timeout";
	case CS_MEMORY_LIMIT: return "oom";
	case CS_VIOLATION: return "violation";
	default: return "crash";
	}
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

/* After one execution: a finding, a new corpus input, or nothing. A
 * worker that cannot start is the end of the run. */
static int fz_judge(struct fz *f, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	const char *kind = fz_kind(f->last.st);

	if (f->last.st == CS_SPAWN_FAILED || f->last.st == CS_OVERLOADED || f->last.st == CS_CANCELLED ||
	    f->last.st == CS_INPUT_TOO_LARGE) {
		snprintf(err, errlen, "the target cannot run: %s %s", cs_status_name(f->last.st), f->last.detail);
		return -1;
	}
	if (kind)
		return fz_finding(f, kind, data, len, err, errlen);
	if (!f->last.ncounters && !f->warned_nocov) {
		fprintf(f->o->out, "WARNING: the target reports no coverage counters; was it built with "
				   "-fsanitize=fuzzer-no-link? Fuzzing blind.\n");
		f->warned_nocov = true;
	}
	if (!f->last.fresh)
		return 0;
	if (fz_corpus_add(&f->corpus, data, len) < 0) {
		snprintf(err, errlen, "out of memory for the corpus");
		return -1;
	}
	if (f->o->ndirs && fz_files_save_input(f->o->dirs[0], data, len, err, errlen) < 0)
		return -1;
	f->last_growth = f->execs;
	return 1;
}

static void fz_load_one(void *arg, const uint8_t *data, size_t len)
{
	struct fz *f = arg;

	if (f->load_failed)
		return;
	if (fz_exec(f, data, len, f->load_err, sizeof(f->load_err)) < 0 ||
	    fz_judge(f, data, len, f->load_err, sizeof(f->load_err)) < 0)
		f->load_failed = true;
}

static int fz_load(struct fz *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < f->o->ndirs; i++)
		if (fz_files_load_dir(f->o->dirs[i], f->o->max_len, fz_load_one, f, err, errlen) < 0)
			return -1;
	if (f->load_failed) {
		snprintf(err, errlen, "%s", f->load_err);
		return -1;
	}
	/* No input, or none with coverage: start from the empty input. */
	if (f->corpus.n == 0) {
		if (fz_exec(f, (const uint8_t *)"", 0, err, errlen) < 0 || fz_judge(f, (const uint8_t *)"", 0, err, errlen) < 0)
			return -1;
		if (f->corpus.n == 0 && fz_corpus_add(&f->corpus, (const uint8_t *)"", 0) < 0) {
			snprintf(err, errlen, "out of memory for the corpus");
			return -1;
		}
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

static bool fz_more(const struct fz *f)
{
	return (!f->o->runs || f->execs < f->o->runs) &&
	       (!f->o->max_total_time || fz_elapsed(f) < (double)f->o->max_total_time);
}

static int fz_loop(struct fz *f, char *err, size_t errlen)
{
	while (fz_more(f)) {
		const struct fz_input *base = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		const struct fz_input *other = &f->corpus.in[fz_rng_below(&f->mut.rng, f->corpus.n)];
		size_t len = base->len < f->cur_max ? base->len : f->cur_max;
		int r;

		memcpy(f->buf, base->data, len);
		len = fz_mutate(&f->mut, f->buf, len, f->cur_max, other->data, other->len);
		if (fz_exec(f, f->buf, len, err, errlen) < 0 || (r = fz_judge(f, f->buf, len, err, errlen)) < 0)
			return -1;
		if (r > 0)
			fz_stats(f, "NEW ");
		else if (f->execs >= f->next_pulse) {
			fz_stats(f, "pulse");
			f->next_pulse *= 2;
		}
		fz_grow(f);
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
	if (!f || fz_corpus_init(&f->corpus) < 0 || !(f->buf = malloc(o->max_len + 1))) {
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
	if (fz_loop(f, err, errlen) < 0)
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
		free(f->buf);
		fz_corpus_free(&f->corpus);
		free(f);
	}
	return rc;
}
