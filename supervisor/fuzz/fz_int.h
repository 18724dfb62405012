/* Private to caisson fuzz's loop: fz_engine.c (loading, generating, the
 * loop over N workers) and fz_judge.c (what each answer means: findings,
 * new corpus inputs, the stats lines). Runs in the supervisor. */
#ifndef CAISSON_FZ_INT_H
#define CAISSON_FZ_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "fz_batch.h"
#include "fz_corpus.h"
#include "fz_engine.h"
#include "fz_files.h"
#include "fz_stack.h"

#define FZ_KEYS_MAX 4096u /* distinct findings remembered for folding */
#define FZ_PIDS_MAX 1024u
#define FZ_PROGRESS_S 0.5

/* One distinct finding: its folding key (fz_fold.h), the detail of the
 * first one (the one written to disk), its artifact, and how often seen. */
struct fz_key {
	char *key, *detail;
	char *path; /* NULL until written */
	bool stacked; /* keyed by a stack hash */
	uint64_t count;
};

/* What a slot's batch ended with. */
struct fz_last {
	bool done;
	enum cs_status st;
	char detail[512];
	char *log;
	size_t log_len;
	bool summary_ok;     /* CS_OK: the worker's summary made sense */
	uint32_t ran, flags; /* its summary; ran is the batch's count until then */
	uint32_t current;    /* a failed batch: the input it was running (its word) */
	size_t fresh;        /* new features of its last input */
	size_t ncounters;
	pid_t pid;           /* the worker that answered */
	/* Last, not cleared with the rest before each batch (it is large):
	 * valid only when st is not CS_OK. */
	struct fz_stack stack; /* read from the log of a worker that died */
};

/* A batch in flight to one of the pool's workers (or ready to be). */
struct fz_slot {
	struct fz *f;
	struct fz_batch batch;
	struct fz_rng *rng_after; /* the generator after input j (one worker: resumed from) */
	struct fz_last last;
	bool busy;
};

struct fz {
	const struct fz_opts *o;
	struct pool *pool;
	struct event_base *base;
	struct fz_corpus corpus;
	struct fz_mut mut;
	struct fz_slot *slots, one; /* one: a single input run alone */
	uint32_t nslots;
	size_t cur_max;
	uint64_t execs, inflight, last_growth, next_pulse;
	struct timespec t0;
	struct fz_key keys[FZ_KEYS_MAX];
	size_t nkeys;
	struct fz_report *rep;
	pid_t pids[FZ_PIDS_MAX]; /* distinct workers that answered, the first FZ_PIDS_MAX */
	uint32_t npids;
	bool warned_nocov;
	bool tty;        /* the stats stream is a terminal: a progress display */
	double shown_at; /* when the last stats line was printed */
	bool loading;     /* the corpus directories: no stats, no growth */
	size_t load_dir;  /* the directory being loaded (each ends its batch) */
	bool load_failed; /* loading the corpus stopped on load_err */
	char load_err[512];
};

/* fz_judge.c */
double fz_elapsed(const struct fz *f); /* seconds since the start */
void fz_stats(struct fz *f, const char *what);
/* On a terminal, the progress line again when FZ_PROGRESS_S have passed. */
void fz_progress(struct fz *f);
void fz_grow(struct fz *f);
/* Sends the slot's batch; its answer lands in s->last. */
int fz_submit(struct fz *f, struct fz_slot *s, char *err, size_t errlen);
/* fz_submit, then waits for that answer on the base. */
int fz_exec(struct fz *f, struct fz_slot *s, char *err, size_t errlen);
/* After a batch: each input it ran counted, the one it ended on judged;
 * *used: how many of its inputs that consumed. -1 when the run cannot go
 * on (the target does not start, a file cannot be written). */
int fz_settle(struct fz *f, struct fz_slot *s, uint32_t *used, char *err, size_t errlen);

#endif
