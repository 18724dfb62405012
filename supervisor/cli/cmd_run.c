/* caisson run: runs a plugin over inputs through a pool of sandboxed
 * workers. Runs in the supervisor as the invoking user. Each failed input is
 * one stderr line "<input>: STATUS detail"; exit 0 when every input is OK,
 * 1 when any failed, 2 for usage or configuration errors (nothing ran). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_args.h"
#include "cmd.h"
#include "interrupt.h"
#include "run.h"
#include "run_io.h"
#include "ipc/ipc_proto.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "broker/setup.h"
#include "broker/pool.h"
#include "broker/zyg.h"

#define RUN_INLINE_CHECK_MAX 64 /* inputs stat'ed to see whether the workers need bulk regions */

static const char run_usage[] =
	"usage: caisson run [-v] [-j N] [-o DIR|-] [-e EXT] [-a ARG]... -p PROFILE PLUGIN.so [FILE...]\n"
	"\n"
	"Runs PLUGIN.so over each FILE (stdin when none) through a pool of sandboxed\n"
	"workers confined by PROFILE ([pool] sizes it; a worker serves at most\n"
	"requests_per_worker inputs). Answers go to stdout in input order, or to\n"
	"DIR/<basename of FILE>. Options may come in any order, before or after the\n"
	"files; '--' ends them.\n"
	"\n"
	"  -p, --profile PROFILE  profile (.ini) to confine the workers with (required)\n"
	"  -j, --jobs N           run up to N workers at once (overrides [pool] max_workers)\n"
	"  -o, --output DIR       write each input's answer to DIR/<basename>; DIR is\n"
	"                         created when missing (not its parents), and two inputs\n"
	"                         whose answers would share a name are refused\n"
	"  -o -, --output -       write answers to stdout even when it is a terminal and\n"
	"                         they are binary (refused otherwise)\n"
	"  -e, --ext EXT          under -o DIR, answers end in .EXT instead of their input's\n"
	"                         extension (default: the profile's [output] extension)\n"
	"  -a, --arg ARG          extra argument for caisson_plugin_init (repeatable)\n"
	"  -v, --verbose          forward the workers' stderr (bounded) to stderr, each line\n"
	"                         prefixed '[worker SLOT pid PID] ', control and non-ASCII\n"
	"                         bytes shown as \\xNN\n"
	"\n"
	"An answer that is not text (UTF-8 without control characters but tab,\n"
	"newline and CR) is not written to a terminal unless -o - asks for it.\n"
	"Each failed input prints '<input>: STATUS detail' on stderr.\n"
	"Exit status: 0 all inputs OK, 1 some input failed, 2 usage or configuration error.\n";

int run_parse_jobs(const char *cmd, const char *arg, uint32_t *jobs)
{
	char *end;
	unsigned long j = strtoul(arg, &end, 10);

	if (*arg < '0' || *arg > '9' || *end || j < 1 || j > 1024)
		return cli_usage_error(cmd, "-j wants a number of workers from 1 to 1024, not '%s'", arg);
	*jobs = (uint32_t)j;
	return 0;
}

static int run_parse_ext(const char *arg, const char **ext)
{
	if (*arg == '.')
		arg++;
	if (!profile_ext_valid(arg))
		return cli_usage_error("run", "--ext wants 1 to %u characters from [A-Za-z0-9_+-], not '%s'",
				       PROFILE_EXT_MAX, arg);
	*ext = arg;
	return 0;
}

/* Options anywhere (cli_args.h); a->pos then holds PLUGIN.so and FILEs. */
static int parse(int argc, char **argv, struct cli_args *a, struct run_opts *o)
{
	static const struct option lo[] = { { "profile", required_argument, NULL, 'p' },
					    { "output", required_argument, NULL, 'o' },
					    { "ext", required_argument, NULL, 'e' },
					    { "arg", required_argument, NULL, 'a' },
					    { "jobs", required_argument, NULL, 'j' },
					    { "verbose", no_argument, NULL, 'v' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	int c;

	while ((c = cli_getopt(a, argc, argv, "p:o:e:a:j:vh", lo)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'j':
			if (run_parse_jobs("run", optarg, &o->jobs))
				return -1;
			break;
		case 'e':
			if (run_parse_ext(optarg, &o->ext))
				return -1;
			break;
		case 'a':
			if (o->nargs == RUN_MAX_ARGS) {
				cli_usage_error("run", "at most %d -a arguments", RUN_MAX_ARGS);
				return -1;
			}
			o->args[o->nargs++] = optarg;
			break;
		case 'h': fputs(run_usage, stdout); exit(0);
		default: return -1;
		}
	}
	if (!o->profile || a->npos < 1) {
		cli_usage_error("run", "%s", !o->profile ? "-p PROFILE is required" : "PLUGIN.so is required");
		return -1;
	}
	if (o->ext && (!o->outdir || !strcmp(o->outdir, "-"))) {
		cli_usage_error("run", "--ext names the answers' files: it needs -o DIR");
		return -1;
	}
	o->plugin = a->pos[0];
	o->inputs = a->pos + 1;
	o->ninputs = a->npos - 1;
	return 0;
}

/* Where answers go: -o - is stdout with the terminal guard off, -o DIR a
 * directory; ext from --ext, else the profile's [output] extension. */
static void run_set_output(struct run_opts *o, const struct profile *prof)
{
	bool to_stdout = o->outdir && !strcmp(o->outdir, "-");

	o->out.cmd = o->tool_argv ? "exec" : "run";
	o->out.dir = to_stdout ? NULL : o->outdir;
	o->out.tty_guard = !o->outdir && isatty(1);
	o->out.ext = o->ext ? o->ext : prof->output_ext[0] ? prof->output_ext : NULL;
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
	uint64_t profile_input_max; /* the profile's cap, above input_max when the workers have no regions */
};

static void run_emit_ready(struct run_ctx *c)
{
	while (c->next_emit < c->n && c->slots[c->next_emit].done) {
		struct run_slot *s = &c->slots[c->next_emit++];
		int w;

		if (s->read_errno) {
			fprintf(stderr, "caisson: %s: %s\n", s->name, strerror(s->read_errno));
			c->failed = 1;
		} else if (s->status != CS_OK) {
			fprintf(stderr, "%s: %s%s%s\n", s->name, cs_status_name(s->status), s->detail[0] ? " " : "",
				s->detail);
			c->failed = 1;
		} else if ((w = run_io_emit(&c->o->out, s->input, s->name, s->out, s->out_len)) != 0) {
			if (w < 0)
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
	/* Interrupted (even in the middle of reading an input): nothing
	 * more starts; the loop's next turn ends the run. */
	while (c->inflight < c->window && c->next_submit < c->n && !intr_pending()) {
		struct run_slot *s = &c->slots[c->next_submit++];
		uint8_t *buf;
		size_t len;
		uint64_t size;
		enum run_io_read r = run_io_read(s->input, c->input_max, &buf, &len, &size);

		if (r != RUN_IO_OK && intr_pending()) {
			c->next_submit--;
			return;
		}
		if (r != RUN_IO_OK) {
			if (r == RUN_IO_TOO_LARGE) {
				s->status = CS_INPUT_TOO_LARGE;
				run_io_too_large(s->detail, sizeof(s->detail), size, c->input_max);
				if (c->profile_input_max > c->input_max && size <= c->profile_input_max)
					snprintf(s->detail, sizeof(s->detail),
						 "grew past %zu bytes after the run started (it was smaller)",
						 c->input_max);
			} else {
				s->read_errno = errno ? errno : EIO;
			}
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

/* The interrupt line's account of the batch (interrupt.h). */
static void run_describe(void *arg, char *buf, size_t len)
{
	const struct run_ctx *c = arg;
	struct pool_stats st;
	int done = 0;

	for (int i = 0; i < c->n; i++)
		done += c->slots[i].done;
	pool_stats(c->pool, &st);
	snprintf(buf, len, "%d of %d inputs finished, %u stopped while running, %d not run", done, c->n, st.busy,
		 c->n - done - (int)st.busy);
}

static int run_inputs(struct event_base *base, struct pool *pool, const struct run_opts *o,
		      const struct pool_limits *lim, uint64_t profile_input_max, const struct pool_sizing *sz,
		      char **inputs, int ninputs)
{
	static char *const stdin_only[] = { "-" };
	struct run_ctx c = { .o = o, .pool = pool, .input_max = (size_t)lim->input_bytes,
			     .profile_input_max = profile_input_max };

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
	intr_describe(run_describe, &c);
	run_submit_more(&c);
	while (c.next_emit < c.n)
		if (event_base_loop(base, EVLOOP_ONCE) < 0) {
			fprintf(stderr, "caisson: event loop failed\n");
			c.failed = 1;
			break;
		}
	intr_describe(NULL, NULL);
	free(c.slots);
	return c.failed;
}

/* Whether every input is a regular file that fits one message. Then the
 * workers need no bulk regions (wk_config.no_regions: requests inline,
 * answers in W_OUTPUT chunks), which saves a one-shot run two memfds,
 * their mappings and seals (~0.3 ms). stdin, or more inputs than are
 * worth a stat before the pool starts: regions as the profile asks. */
static bool run_inputs_inline(char **inputs, int ninputs)
{
	struct stat st;

	if (ninputs < 1 || ninputs > RUN_INLINE_CHECK_MAX)
		return false;
	for (int i = 0; i < ninputs; i++)
		if (!strcmp(inputs[i], "-") || stat(inputs[i], &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size > (off_t)IPC_INLINE_MAX)
			return false;
	return true;
}

/* Before the profile is read: the loop (its interrupt handling catches a
 * signal from here on), and the zygote, whose exec then overlaps the
 * profile parse and the filter compile instead of following them. A
 * zygote that cannot start is left to pool_new, which says why. */
static int run_start(struct event_base **base, struct zyg_launched *pre)
{
	char err[256];

	*base = event_base_new();
	if (!*base || intr_install(*base, "run", err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", *base ? err : "event_base_new failed");
		if (*base)
			event_base_free(*base);
		*base = NULL;
		return -1;
	}
	if (zyg_launch(pre, err, sizeof(err)) < 0)
		*pre = (struct zyg_launched){ 0, -1 };
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct cli_args a;
	int rc = 2;

	if (cli_args_init(&a, "run", argc) < 0)
		return 2;
	if (parse(argc, argv, &a, &o) == 0)
		rc = run_pool(&o);
	cli_args_free(&a);
	return rc;
}

/* The worker configuration: a plugin's, or an exec tool's (caisson exec). */
static int run_setup(const struct run_opts *o, const struct profile *prof, const struct policy *pol,
		     struct wk_config *cfg, char *err, size_t errlen)
{
	if (o->tool_argv)
		return setup_exec_config(prof, pol, o->tool_argv, cfg, err, errlen);
	return setup_worker_config(prof, pol, o->plugin, o->args, o->nargs, cfg, err, errlen);
}

int run_pool(struct run_opts *o)
{
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg = NULL;
	struct pool_limits lim;
	struct pool_sizing sz;
	struct event_base *base = NULL;
	struct pool *pool = NULL;
	struct zyg_launched pre = { 0, -1 };
	char err[512];
	int rc = 2;

	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (run_start(&base, &pre) < 0)
		goto out;
	if (profile_load(o->profile, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", err);
		goto out;
	}
	run_set_output(o, &prof);
	if (run_io_check_names(&o->out, o->inputs, o->ninputs) < 0)
		goto out;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || policy_build(&prof, &pol, err, sizeof(err)) < 0 || run_setup(o, &prof, &pol, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", cfg ? err : "out of memory");
		goto out;
	}
	/* Last of the checks, so a refused configuration creates nothing;
	 * before any worker starts. */
	if (o->out.dir && run_io_open_dir(&o->out, o->out.dir) < 0)
		goto out;
	setup_limits(&prof, &lim);
	setup_sizing(&prof, &sz);
	/* No limit is loosened: the input cap shrinks to one message (an
	 * input that grows past it meanwhile is refused), the output cap
	 * stays, and the memory limit does not count regions never made. */
	if (!cfg->cov_bytes && run_inputs_inline(o->inputs, o->ninputs)) {
		cfg->no_regions = 1;
		if (lim.input_bytes > IPC_INLINE_MAX)
			lim.input_bytes = cfg->input_bytes = IPC_INLINE_MAX;
	}
	if (o->jobs)
		sz.max_workers = o->jobs;
	if (sz.min_workers > sz.max_workers)
		sz.min_workers = sz.max_workers;
	/* One input is one request: one worker at a time serves it (a
	 * worker more would only be prewarmed for nothing), and its cgroup
	 * is the pool's (no wN level): two mkdir and two rmdir fewer, the
	 * same limits. */
	if (o->ninputs <= 1) {
		sz.max_workers = 1;
		sz.min_workers = sz.min_workers ? 1 : 0;
		cfg->cgroup_flat = 1;
	}
	/* An exec pool serves one request per worker, and keeps a spare: for
	 * one input, neither the spare nor a worker kept after it would ever
	 * serve; the input's own worker is spawned when it is queued. */
	if (o->ninputs <= 1 && o->tool_argv) {
		sz.no_spare = true;
		sz.min_workers = 0;
	}
	if (!(pool = pool_new_launched(base, &pol, &lim, &sz, cfg, &pre, err, sizeof(err)))) {
		fprintf(stderr, "caisson: %s\n", err);
		goto out;
	}
	pool_set_verbose(pool, o->verbose);
	rc = run_inputs(base, pool, o, &lim, prof.limits.input_bytes, &sz, o->inputs, o->ninputs);
	pool_free(pool);
out:
	zyg_launched_drop(&pre);
	intr_remove();
	if (base)
		event_base_free(base);
	free(cfg);
	policy_free(&pol);
	profile_free(&prof);
	return rc;
}
