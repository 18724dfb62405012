/* caisson afl: the worker as an AFL++ target; see fz_afl.h. Runs in the
 * supervisor, started by afl-fuzz: talks AFL's forkserver protocol on
 * descriptors 198 (control, read) and 199 (status, write), reports the
 * sandboxed worker's pid as the "child" (afl-fuzz kills it on its own
 * timeout; the pool replaces it), and writes the worker's coverage
 * counters into AFL's shared-memory bitmap (__AFL_SHM_ID). A finding
 * marks bitmap entries derived from its stack hash (or its status and
 * detail) instead, so that afl-fuzz keeps one crash per caisson finding. */
#include "fz_afl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include "fz_batch.h"
#include "fz_files.h"
#include "fz_fold.h"
#include "fz_sha1.h"
#include "fz_stack.h"
#include "ipc/ipc_cov.h"

#define FZ_AFL_CTL 198
#define FZ_AFL_ST 199
#define FZ_AFL_MAP_DEFAULT 65536u
#define FZ_AFL_MAP_MAX (1u << 24)

struct fz_afl {
	const struct fz_afl_opts *o;
	struct pool *pool;
	struct event_base *base;
	uint8_t *map;
	size_t map_size;
	pid_t ready; /* the pool's newest sealed worker: the next input's */
	bool done;
	int status;  /* the last input's, as waitpid would say it */
};

static void fz_afl_ready(void *arg, pid_t pid)
{
	((struct fz_afl *)arg)->ready = pid;
}

/* What afl-fuzz reads as the child's end: exit 0 when the input ran to its
 * end, else killed by a signal (a crash to afl-fuzz; SIGKILL after its own
 * timeout is its timeout). */
static int fz_afl_wstatus(const struct pool_result *r)
{
	switch (r->status) {
	case CS_OK:
	case CS_PLUGIN_ERROR: return 0;
	case CS_CRASHED: return r->signal > 0 && r->signal < 64 ? r->signal : SIGABRT;
	case CS_VIOLATION: return SIGSYS;
	case CS_TIMEOUT:
	case CS_CPU_LIMIT:
	case CS_MEMORY_LIMIT: return SIGKILL;
	default: return SIGABRT;
	}
}

/* The finding's key (fz_fold.h) hashed into eight bitmap entries. */
static void fz_afl_mark(struct fz_afl *a, const struct pool_result *r)
{
	struct fz_stack *st = malloc(sizeof(*st));
	char key[600], hex[FZ_SHA1_HEX];

	if (!st)
		return;
	fz_stack_parse(r->log ? r->log : "", r->log ? r->log_len : 0, st);
	fz_fold_key(r->status, r->detail ? r->detail : "", st->hash, key, sizeof(key));
	free(st);
	fz_sha1_hex((const uint8_t *)key, strlen(key), hex);
	for (int i = 0; i < 8; i++) {
		unsigned long v = strtoul((char[]){ hex[5 * i], hex[5 * i + 1], hex[5 * i + 2], hex[5 * i + 3],
						    hex[5 * i + 4], 0 }, NULL, 16);
		a->map[v % a->map_size] = 1;
	}
}

static void fz_afl_done(const struct pool_result *r, void *arg)
{
	struct fz_afl *a = arg;
	uint32_t n = 0;

	a->done = true;
	a->status = fz_afl_wstatus(r);
	/* A finding ends its worker; the pool's next one may be sealed
	 * already (its pid in ready), or is to come. */
	if (a->status != 0 && a->ready == r->pid)
		a->ready = 0;
	if (!a->map)
		return;
	if (r->status != CS_OK) {
		fz_afl_mark(a, r);
		return;
	}
	if (!r->cov || r->cov_len < IPC_COV_COUNTERS)
		return;
	memcpy(&n, r->cov + IPC_COV_NCOUNTERS_OFF, sizeof(n));
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = r->cov[IPC_COV_COUNTERS + i];
		uint8_t *m = &a->map[i % a->map_size];
		if (c)
			*m = (uint8_t)(*m + c < *m ? 255 : *m + c);
	}
}

/* The test case: the file afl-fuzz names (@@), or standard input (its
 * .cur_input, rewound each time), at most max_len bytes. */
static int fz_afl_input(const struct fz_afl_opts *o, struct fz_batch *b)
{
	int fd = o->input ? open(o->input, O_RDONLY | O_CLOEXEC) : 0;
	uint8_t *dst;
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (!o->input)
		lseek(0, 0, SEEK_SET);
	fz_batch_clear(b);
	dst = fz_batch_slot(b);
	while (len < o->max_len && ((n = read(fd, dst + len, o->max_len - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	if (o->input)
		close(fd);
	fz_batch_commit(b, len);
	return 0;
}

static int fz_afl_wait(struct fz_afl *a, bool *flag, char *err, size_t errlen)
{
	while (!*flag)
		if (event_base_loop(a->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
	return 0;
}

/* One input through the pool; the worker's pid to afl-fuzz first when it
 * drives us (*pid_out: where to write it, -1 when nobody reads). */
static int fz_afl_one(struct fz_afl *a, struct fz_batch *b, int pid_out, char *err, size_t errlen)
{
	bool ready = a->ready > 0;
	int32_t pid;

	if (fz_afl_input(a->o, b) < 0) {
		snprintf(err, errlen, "%s: %s", a->o->input ? a->o->input : "standard input", strerror(errno));
		return -1;
	}
	/* A worker sealed and waiting: afl-fuzz may kill it on its timeout. */
	while (!ready) {
		if (event_base_loop(a->base, EVLOOP_ONCE) < 0) {
			snprintf(err, errlen, "event loop failed");
			return -1;
		}
		ready = a->ready > 0;
	}
	pid = (int32_t)a->ready;
	if (pid_out >= 0 && write(pid_out, &pid, 4) != 4) {
		snprintf(err, errlen, "forkserver status pipe: %s", strerror(errno));
		return -1;
	}
	a->done = false;
	if (!pool_submit(a->pool, b->buf, b->len, fz_afl_done, a)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return fz_afl_wait(a, &a->done, err, errlen);
}

static int fz_afl_map(struct fz_afl *a, char *err, size_t errlen)
{
	const char *id = getenv("__AFL_SHM_ID"), *sz = getenv("AFL_MAP_SIZE");
	char *end;
	long shm;
	void *m;

	a->map_size = FZ_AFL_MAP_DEFAULT;
	if (sz && *sz) {
		unsigned long v = strtoul(sz, &end, 10);
		if (*end || v < 64 || v > FZ_AFL_MAP_MAX) {
			snprintf(err, errlen, "AFL_MAP_SIZE=%.40s: not a size from 64 to %u", sz, FZ_AFL_MAP_MAX);
			return -1;
		}
		a->map_size = v;
	}
	if (!id || !*id)
		return 0;
	shm = strtol(id, &end, 10);
	if (*end || shm < 0 || (m = shmat((int)shm, NULL, 0)) == (void *)-1) {
		snprintf(err, errlen, "__AFL_SHM_ID=%.40s: %s", id, *end || shm < 0 ? "not an id" : strerror(errno));
		return -1;
	}
	a->map = m;
	return 0;
}

int fz_afl_run(struct pool *p, struct event_base *base, const struct fz_afl_opts *o, int *once, char *err,
	       size_t errlen)
{
	struct fz_afl a = { .o = o, .pool = p, .base = base };
	struct fz_batch b = { 0 };
	uint32_t hello = 0, ctl;
	int rc = -1;

	*once = 0;
	pool_on_ready(p, fz_afl_ready, &a);
	if (fz_afl_map(&a, err, errlen) < 0)
		return -1;
	if (fz_batch_init(&b, 1, o->max_len) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* No forkserver (afl-fuzz -n, or by hand): one input, its status. */
	if (fcntl(FZ_AFL_CTL, F_GETFD) < 0 || write(FZ_AFL_ST, &hello, 4) != 4) {
		if (fz_afl_one(&a, &b, -1, err, errlen) == 0) {
			*once = a.status;
			rc = 0;
		}
		goto out;
	}
	for (;;) {
		ssize_t n = read(FZ_AFL_CTL, &ctl, 4);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 4) {
			rc = 0; /* afl-fuzz is done with us */
			break;
		}
		if (fz_afl_one(&a, &b, FZ_AFL_ST, err, errlen) < 0)
			break;
		if (write(FZ_AFL_ST, &a.status, 4) != 4) {
			rc = 0;
			break;
		}
	}
out:
	fz_batch_free(&b);
	if (a.map)
		shmdt(a.map);
	return rc;
}
