/* caisson run: runs a plugin over inputs through a pool of sandboxed
 * workers. Runs in the supervisor as the invoking user. Each failed input is
 * one stderr line "<input>: STATUS detail"; exit 0 when every input is OK,
 * 1 when any failed, 2 for usage or configuration errors (nothing ran). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "broker/setup.h"
#include "broker/pool.h"

#define RUN_MAX_ARGS 16

static const char run_usage[] =
	"usage: caisson run [-v] [-j N] [-o DIR] [-a ARG]... -p PROFILE PLUGIN.so [FILE...]\n"
	"\n"
	"Runs PLUGIN.so over each FILE (stdin when none) through a pool of sandboxed\n"
	"workers confined by PROFILE ([pool] sizes it; a worker serves at most\n"
	"requests_per_worker inputs). Answers go to stdout in input order, or to\n"
	"DIR/<basename of FILE>.\n"
	"\n"
	"  -p PROFILE  profile (.ini) to confine the workers with (required)\n"
	"  -j N        run up to N workers at once (overrides [pool] max_workers)\n"
	"  -o DIR      write each input's answer to DIR/<basename>\n"
	"  -a ARG      extra argument for caisson_plugin_init (repeatable)\n"
	"  -v          forward the workers' stderr (bounded) to stderr\n"
	"\n"
	"Each failed input prints '<input>: STATUS detail' on stderr.\n"
	"Exit status: 0 all inputs OK, 1 some input failed, 2 usage or configuration error.\n";

struct run_opts {
	const char *profile, *outdir, *plugin;
	char *args[RUN_MAX_ARGS];
	size_t nargs;
	int verbose;
	uint32_t jobs;
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "+p:o:a:j:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'j': {
			char *end;
			unsigned long j = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || j < 1 || j > 1024) {
				fprintf(stderr, "caisson run: -j wants a number of workers from 1 to 1024\n");
				return -1;
			}
			o->jobs = (uint32_t)j;
			break;
		}
		case 'a':
			if (o->nargs == RUN_MAX_ARGS) {
				fprintf(stderr, "caisson run: at most %d -a arguments\n", RUN_MAX_ARGS);
				return -1;
			}
			o->args[o->nargs++] = optarg;
			break;
		case 'h': fputs(run_usage, stdout); exit(0);
		default: fputs(run_usage, stderr); return -1;
		}
	}
	if (!o->profile || optind >= argc) {
		fprintf(stderr, "caisson run: %s\n%s", !o->profile ? "-p PROFILE is required" :
			"PLUGIN.so is required", run_usage);
		return -1;
	}
	o->plugin = argv[optind++];
	return optind;
}

/* Reads at most max+1 bytes so an oversized input is known without
 * reading it all; the supervisor refuses it before anything is sent. */
static int read_input(const char *name, size_t max, uint8_t **buf, size_t *len)
{
	int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : dup(0);
	size_t cap = 0;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	do {
		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *p;
			if (ncap > max + 1)
				ncap = max + 1;
			p = realloc(*buf, ncap);
			if (!p) {
				n = -1;
				break;
			}
			*buf = p;
			cap = ncap;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n > 0)
			*len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && *len <= max);
	close(fd);
	if (n < 0) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int emit(const struct run_opts *o, const char *input, const uint8_t *out, size_t out_len)
{
	char path[PATH_MAX], copy[PATH_MAX];
	int fd, rc;

	if (!o->outdir)
		return write_all(1, out, out_len);
	snprintf(copy, sizeof(copy), "%s", strcmp(input, "-") ? input : "stdin");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", o->outdir, basename(copy)) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rc = write_all(fd, out, out_len);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* Inputs go through the pool in a bounded window; answers and status lines
 * come out in input order whatever order the workers finish in. */
struct run_ctx;

struct run_slot {
	struct run_ctx *c;
	const char *input, *name;
	bool done;
	int read_errno; /* the input could not be read: nothing was sent */
	enum cs_status status;
	char detail[512];
	uint8_t *out;
	size_t out_len;
};

struct run_ctx {
	const struct run_opts *o;
	struct pool *pool;
	struct run_slot *slots;
	int n, next_submit, next_emit, inflight, window, failed;
	size_t input_max;
};

static void run_emit_ready(struct run_ctx *c)
{
	while (c->next_emit < c->n && c->slots[c->next_emit].done) {
		struct run_slot *s = &c->slots[c->next_emit++];

		if (s->read_errno) {
			fprintf(stderr, "caisson: %s: %s\n", s->name, strerror(s->read_errno));
			c->failed = 1;
		} else if (s->status != CS_OK) {
			fprintf(stderr, "%s: %s%s%s\n", s->name, cs_status_name(s->status), s->detail[0] ? " " : "",
				s->detail);
			c->failed = 1;
		} else if (emit(c->o, s->input, s->out, s->out_len) < 0) {
			fprintf(stderr, "caisson: %s: writing the answer: %s\n", s->name, strerror(errno));
			c->failed = 1;
		}
		free(s->out);
		s->out = NULL;
	}
}

static void run_submit_more(struct run_ctx *c);

static void run_done(const struct pool_result *r, void *arg)
{
	struct run_slot *s = arg;
	struct run_ctx *c = s->c;

	s->status = r->status;
	snprintf(s->detail, sizeof(s->detail), "%s", r->detail);
	if (r->out_len && !(s->out = malloc(r->out_len))) {
		s->status = CS_OUTPUT_LIMIT;
		snprintf(s->detail, sizeof(s->detail), "out of memory for the answer");
	} else if (r->out_len) {
		memcpy(s->out, r->out, r->out_len);
		s->out_len = r->out_len;
	}
	s->done = true;
	c->inflight--;
	run_emit_ready(c);
	run_submit_more(c);
}

static void run_submit_more(struct run_ctx *c)
{
	while (c->inflight < c->window && c->next_submit < c->n) {
		struct run_slot *s = &c->slots[c->next_submit++];
		uint8_t *buf;
		size_t len;

		if (read_input(s->input, c->input_max, &buf, &len) < 0) {
			s->read_errno = errno ? errno : EIO;
			s->done = true;
			continue;
		}
		c->inflight++;
		if (!pool_submit(c->pool, buf, len, run_done, s)) {
			c->inflight--;
			s->status = CS_OVERLOADED;
			snprintf(s->detail, sizeof(s->detail), "out of memory");
			s->done = true;
		}
		free(buf);
	}
	run_emit_ready(c);
}

static int run_inputs(struct event_base *base, struct pool *pool, const struct run_opts *o,
		      size_t input_max, const struct pool_sizing *sz, char **inputs, int ninputs)
{
	static char *const stdin_only[] = { "-" };
	struct run_ctx c = { .o = o, .pool = pool, .input_max = input_max };

	if (ninputs == 0) {
		inputs = (char **)stdin_only;
		ninputs = 1;
	}
	c.n = ninputs;
	c.window = (int)(sz->max_workers + (sz->queue < sz->max_workers ? sz->queue : sz->max_workers));
	c.slots = calloc((size_t)ninputs, sizeof(*c.slots));
	if (!c.slots) {
		fprintf(stderr, "caisson: out of memory\n");
		return 2;
	}
	for (int i = 0; i < ninputs; i++) {
		c.slots[i].c = &c;
		c.slots[i].input = inputs[i];
		c.slots[i].name = strcmp(inputs[i], "-") ? inputs[i] : "<stdin>";
	}
	run_submit_more(&c);
	while (c.next_emit < c.n)
		if (event_base_loop(base, EVLOOP_ONCE) < 0) {
			fprintf(stderr, "caisson: event loop failed\n");
			c.failed = 1;
			break;
		}
	free(c.slots);
	return c.failed;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg = NULL;
	struct pool_limits lim;
	struct pool_sizing sz;
	struct event_base *base = NULL;
	struct pool *pool = NULL;
	char err[512];
	int first, rc = 2;

	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	first = parse(argc, argv, &o);
	if (first < 0)
		return 2;
	if (profile_load(o.profile, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", err);
		return 2;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, o.plugin, o.args, o.nargs, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	setup_limits(&prof, &lim);
	setup_sizing(&prof, &sz);
	if (o.jobs)
		sz.max_workers = o.jobs;
	if (sz.min_workers > sz.max_workers)
		sz.min_workers = sz.max_workers;
	base = event_base_new();
	if (!base || !(pool = pool_new(base, &pol, &lim, &sz, cfg, err, sizeof(err)))) {
		fprintf(stderr, "caisson: %s\n", base ? err : "event_base_new failed");
		goto out;
	}
	pool_set_verbose(pool, o.verbose);
	rc = run_inputs(base, pool, &o, (size_t)lim.input_bytes, &sz, argv + first, argc - first);
	pool_free(pool);
out:
	if (base)
		event_base_free(base);
	free(cfg);
	policy_free(&pol);
	profile_free(&prof);
	return rc;
}
