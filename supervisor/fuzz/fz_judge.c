/* caisson fuzz: what each answer means (see fz_int.h): the input a
 * finding came from, written to disk before it is counted and folded by
 * its key; the input that ended a batch with new coverage, kept; the
 * stats lines and length growth as inputs are counted. Runs in the
 * supervisor. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fz_files.h"
#include "fz_fold.h"
#include "fz_int.h"
#include "fz_symbolize.h"
#include "ipc/ipc_codec.h"
#include "ipc/ipc_cov.h"

double fz_elapsed(const struct fz *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - f->t0.tv_sec) + (double)(now.tv_nsec - f->t0.tv_nsec) / 1e9;
}

/* On a terminal, "pulse" lines are a progress display: one line
 * rewritten in place (\r, erase to its end), which the next other line
 * replaces; elsewhere (a file, a pipe) every line stays, as libFuzzer's. */
void fz_stats(struct fz *f, const char *what)
{
	struct rusage ru;
	double t = fz_elapsed(f);
	size_t b = f->corpus.bytes;
	bool progress = f->tty && !strcmp(what, "pulse");

	getrusage(RUSAGE_SELF, &ru);
	fprintf(f->o->out, "%s#%llu\t%s cov: %zu ft: %zu corp: %zu/%zu%s exec/s: %llu rss: %ldMb%s",
		f->tty ? "\r\033[K" : "", (unsigned long long)f->execs, what, f->corpus.nedges,
		f->corpus.nfeatures, f->corpus.n, b >= (1u << 20) ? b >> 20 : b >= (1u << 10) ? b >> 10 : b,
		b >= (1u << 20) ? "Mb" : b >= (1u << 10) ? "Kb" : "b",
		(unsigned long long)(t >= 1 ? (double)f->execs / t : (double)f->execs), ru.ru_maxrss >> 10,
		progress ? "" : "\n");
	fflush(f->o->out);
	f->shown_at = t;
}

void fz_progress(struct fz *f)
{
	if (f->tty && !f->loading && fz_elapsed(f) - f->shown_at >= FZ_PROGRESS_S)
		fz_stats(f, "pulse");
}

/* The answer to a batch: its summary (OK), or the index of the input the
 * worker failed on; the comparison slots; and the features of the last
 * input run when the worker found them new (it stops there). Only stores:
 * the loop settles answers in its own order. */
static void fz_done_cb(const struct pool_result *r, void *arg)
{
	struct fz_slot *s = arg;
	struct fz *f = s->f;
	struct fz_last *l = &s->last;
	uint32_t n = 0;

	l->done = true;
	l->st = r->status;
	l->pid = r->pid;
	snprintf(l->detail, sizeof(l->detail), "%s", r->detail ? r->detail : "");
	if (r->log && r->log_len && (l->log = malloc(r->log_len))) {
		memcpy(l->log, r->log, r->log_len);
		l->log_len = r->log_len;
	}
	if (r->status != CS_OK)
		fz_stack_parse(l->log ? l->log : "", l->log_len, &l->stack);
	if (r->status == CS_OK)
		l->summary_ok = ipc_batch_summary_get(r->out, r->out_len, l->ran, &l->ran, &l->flags) == 0;
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

/* Worker processes that served batches: the report's count. */
static void fz_count_worker(struct fz *f, pid_t pid)
{
	for (uint32_t i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return;
	if (pid > 0 && f->npids < FZ_PIDS_MAX)
		f->pids[f->npids++] = pid;
}

int fz_submit(struct fz *f, struct fz_slot *s, char *err, size_t errlen)
{
	free(s->last.log);
	memset(&s->last, 0, offsetof(struct fz_last, stack));
	s->last.ran = s->batch.n;
	if (!pool_submit(f->pool, s->batch.buf, s->batch.len, fz_done_cb, s)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->busy = true;
	return 0;
}

int fz_exec(struct fz *f, struct fz_slot *s, char *err, size_t errlen)
{
	if (fz_submit(f, s, err, errlen) < 0)
		return -1;
	while (!s->last.done)
		if (event_base_loop(f->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	return 0;
}

/* The finding's entry; *fresh when its key is new (remembered then,
 * unless the table is full or memory is out: NULL, and every such
 * finding counts as new, so none is lost). */
static struct fz_key *fz_seen(struct fz *f, enum cs_status st, const char *detail, const char *hash,
			      bool *fresh)
{
	char key[600];
	struct fz_key *k;

	fz_fold_key(st, detail, hash, key, sizeof(key));
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
	k->path = NULL;
	k->stacked = hash && hash[0] && fz_fold_kind(st) && !strcmp(fz_fold_kind(st), "crash");
	k->count = 0;
	if (!k->key || !k->detail) {
		free(k->key);
		free(k->detail);
		return NULL;
	}
	f->nkeys++;
	return k;
}

/* A finding: on disk first (a new one, its stack symbolized outside the
 * sandbox), then counted and reported. */
static int fz_finding(struct fz *f, struct fz_last *l, const char *kind, const uint8_t *data, size_t len,
		      char *err, size_t errlen)
{
	bool fresh;
	struct fz_key *k = fz_seen(f, l->st, l->detail, l->stack.hash, &fresh);
	char path[FZ_PATH_MAX];
	struct fz_finding fd = { kind, cs_status_name(l->st), l->detail, l->log, l->log_len, &l->stack, false };

	if (fresh && l->stack.n)
		fd.symbolized = fz_symbolize(&l->stack, f->o->modules) == 0;
	if (fresh && fz_files_save_finding(f->o->artifact_prefix, &fd, data, len, path, err, errlen) < 0)
		return -1;
	if (k && fresh)
		k->path = strdup(path);
	if (k)
		k->count++;
	f->rep->findings++;
	if (strcmp(kind, "timeout"))
		f->rep->timeouts_only = 0;
	if (fresh) {
		f->rep->unique++;
		fprintf(f->o->out, "%s==caisson fuzz== %s %s%s%s%s%s\n  artifact written to %s (sidecar %s.txt)\n",
			f->tty ? "\r\033[K" : "", cs_status_name(l->st), l->detail,
			l->stack.verdict[0] ? ": " : "", l->stack.verdict, l->stack.hash[0] ? ", stack " : "",
			l->stack.hash, path, path);
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

void fz_grow(struct fz *f)
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

/* A batch the worker died in, at input i (its word: out of range names
 * the first). A timeout past the first input may be the batch's sum, so
 * that input runs again alone and is judged by that run. */
static int fz_settle_failed(struct fz *f, struct fz_slot *s, uint32_t *used, char *err, size_t errlen)
{
	const struct fz_batch *b = &s->batch;
	uint32_t i = s->last.current < b->n ? s->last.current : 0, one;
	const char *kind = fz_fold_kind(s->last.st);
	const uint8_t *data = b->buf + b->off[i];

	for (uint32_t j = 0; j < i; j++)
		fz_tick(f);
	*used = i + 1;
	if (i > 0 && !strcmp(kind, "timeout")) {
		fz_batch_clear(&f->one.batch);
		memcpy(fz_batch_slot(&f->one.batch), data, b->lens[i]);
		fz_batch_commit(&f->one.batch, b->lens[i]);
		if (fz_exec(f, &f->one, err, errlen) < 0)
			return -1;
		return fz_settle(f, &f->one, &one, err, errlen);
	}
	f->execs++;
	if (fz_finding(f, &s->last, kind, data, b->lens[i], err, errlen) < 0)
		return -1;
	fz_pulse(f, false);
	return 0;
}

int fz_settle(struct fz *f, struct fz_slot *s, uint32_t *used, char *err, size_t errlen)
{
	struct fz_last *l = &s->last;
	const struct fz_batch *b = &s->batch;
	uint32_t last;

	s->busy = false;
	fz_count_worker(f, l->pid);
	if (l->st == CS_SPAWN_FAILED || l->st == CS_OVERLOADED || l->st == CS_CANCELLED ||
	    l->st == CS_INPUT_TOO_LARGE) {
		snprintf(err, errlen, "the target cannot run: %s %s", cs_status_name(l->st), l->detail);
		return -1;
	}
	if (l->st != CS_OK || !l->summary_ok) {
		if (l->st == CS_OK) {
			l->st = CS_PROTOCOL_ERROR;
			snprintf(l->detail, sizeof(l->detail), "malformed batch summary");
		}
		return fz_settle_failed(f, s, used, err, errlen);
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
