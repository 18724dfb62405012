/* caisson fuzz -minimize_crash=1; see fz_minimize.h. Deletes ever smaller
 * chunks of the input (halves first, single bytes last), keeping each
 * deletion after which the same finding reproduces: every try is one input
 * run alone (a batch of one; a fresh worker after each crash), and no
 * choice is random, so the result depends on the target alone. Runs in
 * the supervisor. */
#include "fz_minimize.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fz_batch.h"
#include "fz_files.h"
#include "fz_fold.h"
#include "fz_stack.h"

#define FZ_KEY_MAX 600

struct fz_min {
	struct pool *pool;
	struct event_base *base;
	struct fz_batch one;
	bool done;
	enum cs_status st;
	char detail[512];
	struct fz_stack stack; /* the last try's, its hash in the key */
	uint64_t execs;
};

static void fz_min_cb(const struct pool_result *r, void *arg)
{
	struct fz_min *m = arg;

	m->done = true;
	m->st = r->status;
	snprintf(m->detail, sizeof(m->detail), "%s", r->detail ? r->detail : "");
	fz_stack_parse(r->log ? r->log : "", r->log ? r->log_len : 0, &m->stack);
}

/* Runs data alone; key: its finding's folding key, "" when it ran to its
 * end. -1 when the target cannot run at all. */
static int fz_min_try(struct fz_min *m, const uint8_t *data, size_t len, char key[FZ_KEY_MAX], char *err,
		      size_t errlen)
{
	fz_batch_clear(&m->one);
	memcpy(fz_batch_slot(&m->one), data, len);
	fz_batch_commit(&m->one, len);
	m->done = false;
	if (!pool_submit(m->pool, m->one.buf, m->one.len, fz_min_cb, m)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (!m->done)
		if (event_base_loop(m->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	m->execs++;
	if (m->st == CS_SPAWN_FAILED || m->st == CS_OVERLOADED || m->st == CS_CANCELLED) {
		snprintf(err, errlen, "the target cannot run: %s %s", cs_status_name(m->st), m->detail);
		return -1;
	}
	key[0] = '\0';
	if (fz_fold_kind(m->st))
		fz_fold_key(m->st, m->detail, m->stack.hash, key, FZ_KEY_MAX);
	return 0;
}

/* The deletion passes over cur (*len bytes; tmp as large), within runs. */
static int fz_min_shrink(struct fz_min *m, const struct fz_opts *o, uint8_t *cur, size_t *len, uint8_t *tmp,
			 const char *want, char *err, size_t errlen)
{
	char key[FZ_KEY_MAX];

	for (size_t chunk = *len > 1 ? *len / 2 : 1; chunk >= 1; chunk /= 2) {
		for (size_t i = 0; i < *len && (!o->runs || m->execs < o->runs);) {
			size_t n = chunk < *len - i ? chunk : *len - i;
			memcpy(tmp, cur, i);
			memcpy(tmp + i, cur + i + n, *len - i - n);
			if (fz_min_try(m, tmp, *len - n, key, err, errlen) < 0)
				return -1;
			if (!strcmp(key, want)) {
				*len -= n;
				memcpy(cur, tmp, *len);
			} else {
				i += n;
			}
		}
	}
	return 0;
}

int fz_minimize(struct pool *p, struct event_base *base, const struct fz_opts *o, const char *path, char *err,
		size_t errlen)
{
	struct fz_min m = { .pool = p, .base = base };
	uint8_t *orig = NULL, *cur = NULL, *tmp = NULL;
	size_t olen = 0, len;
	char want[FZ_KEY_MAX], out[FZ_PATH_MAX], what[600 + FZ_STACK_HASH_HEX];
	int rc = -1;

	if (fz_files_read(path, o->max_len, &orig, &olen, err, errlen) < 0)
		return -1;
	if (fz_batch_init(&m.one, 1, o->max_len) < 0 || !(cur = malloc(olen + 1)) || !(tmp = malloc(olen + 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fz_min_try(&m, orig, olen, want, err, errlen) < 0)
		goto out;
	if (!want[0]) {
		snprintf(err, errlen, "%s does not reproduce a finding: it runs to its end (%s)", path,
			 cs_status_name(m.st));
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s%s%s%s", cs_status_name(m.st), m.detail, m.stack.hash[0] ? " (stack " : "",
		 m.stack.hash, m.stack.hash[0] ? ")" : "");
	fprintf(o->out, "INFO: %s: %s; minimizing %zu bytes\n", path, what, olen);
	memcpy(cur, orig, olen);
	len = olen;
	if (fz_min_shrink(&m, o, cur, &len, tmp, want, err, errlen) < 0 ||
	    fz_files_save_minimized(o->artifact_prefix, orig, olen, cur, len, out, err, errlen) < 0)
		goto out;
	fprintf(o->out, "CRASH_MIN: %zu bytes (from %zu, %llu runs), still %s; written to %s\n", len, olen,
		(unsigned long long)m.execs, what, out);
	rc = 0;
out:
	fz_batch_free(&m.one);
	free(orig);
	free(cur);
	free(tmp);
	return rc;
}
