/* caisson profile learn: runs a sample in a learning worker (every layer
 * of BASE on, but what its filter refuses is recorded and let run, and
 * every path lookup recorded: broker/learn.h), then writes a profile for
 * review (policy/learn_write.h) and tries it. The worker serves a plugin,
 * or runs a tool as caisson exec does: only its configuration differs
 * (learn_rounds.c). Runs in the supervisor as the invoking user. Never
 * approves anything: dangerous syscalls become [exception] stubs that
 * `caisson profile check` refuses until a person fills them in. Exit 0
 * written (stubs may wait), 1 the sample failed or needed what no profile
 * allows, 2 usage or configuration. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "learn_rounds.h"
#include "cli_args.h"
#include "cmd.h"
#include "interrupt.h"
#include "policy/learn_write.h"
#include "policy/profile_load.h"
#include "run.h"
#include "run_io.h"

#define LEARN_SAMPLE_MAX (1024u * 1024 * 1024) /* [limits] input's largest value */

static const char learn_usage[] =
	"usage: caisson profile learn -p BASE.ini -o NEW.ini [-a ARG]... PLUGIN.so < SAMPLE\n"
	"       caisson profile learn -p BASE.ini -o NEW.ini -- TOOL [ARGS...] < SAMPLE\n"
	"\n"
	"Runs SAMPLE (stdin) through PLUGIN, or through the program TOOL with ARGS as\n"
	"caisson exec runs it, in a learning worker: every layer of BASE on\n"
	"(namespaces, empty read-only root, uid, capabilities, no_new_privs,\n"
	"Landlock, limits, the filter), except that a syscall BASE refuses is recorded\n"
	"and let run, and every path the sample looks up is recorded. Data\n"
	"directories looked up are proposed and mounted for the next run, until the\n"
	"proposal stops changing (at most 4 runs). Writes NEW.ini:\n"
	"BASE unchanged, then the syscalls used (through syscall groups where one\n"
	"fits), the data directories proposed, and an [exception] stub for every\n"
	"dangerous syscall, each line commented with the calls behind it. NEW.ini is\n"
	"refused until a person fills in its stubs; nothing is approved. Then NEW.ini\n"
	"is tried on the sample when it loads.\n"
	"\n"
	"  -p, --profile BASE  the profile to start from (required)\n"
	"  -o, --output NEW    the profile to write (required; never overwritten)\n"
	"  -a, --arg ARG       an argument for the plugin's init, as in caisson run\n"
	"                      (not with a TOOL)\n"
	"\n"
	"Exit status: 0 NEW written (stubs may wait for a person), 1 the sample\n"
	"failed, needed a call no profile can allow, or failed under NEW, 2 usage or\n"
	"configuration error (nothing written).\n";

/* The form '-- TOOL [ARGS...]': the options end at the "--"; TOOL is found
 * as caisson exec finds it. 0, or a usage error (2). */
static int learn_tool(int argc, char **argv, int dd, struct learn_opts *o)
{
	if (dd + 1 >= argc)
		return cli_usage_error("profile learn", "-- TOOL [ARGS...] names the program after '--'");
	if (o->nargs)
		return cli_usage_error("profile learn", "-a gives a plugin's init arguments, not a TOOL's "
				       "(its ARGS follow it)");
	if (exec_find_tool(argv[dd + 1], o->tool) < 0) {
		fprintf(stderr, "caisson profile learn: %s: %s\n", argv[dd + 1], strerror(errno));
		return 2;
	}
	o->tool_argv = calloc((size_t)(argc - dd), sizeof(*o->tool_argv));
	if (!o->tool_argv) {
		fprintf(stderr, "caisson profile learn: out of memory\n");
		return 2;
	}
	o->tool_argv[0] = o->tool;
	for (int i = dd + 2; i < argc; i++)
		o->tool_argv[i - dd - 1] = argv[i];
	return 0;
}

static int learn_parse(int argc, char **argv, struct learn_opts *o)
{
	static const struct option lo[] = { { "profile", required_argument, NULL, 'p' },
					    { "output", required_argument, NULL, 'o' },
					    { "arg", required_argument, NULL, 'a' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	struct cli_args a;
	int c, rc = 2, dd = argc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	if (cli_args_init(&a, "profile learn", dd) < 0)
		return 2;
	while ((c = cli_getopt(&a, dd, argv, "p:o:a:h", lo)) != -1) {
		if (c == 'h') {
			fputs(learn_usage, stdout);
			rc = 1;
			goto out;
		}
		if (c == 'p')
			o->base = optarg;
		else if (c == 'o')
			o->out = optarg;
		else if (c == 'a' && o->nargs < LEARN_ARGS_MAX)
			o->args[o->nargs++] = optarg;
		else if (c == 'a')
			goto usage_args;
		else
			goto out;
	}
	/* pos[0] is "learn" itself; a PLUGIN, or nothing before '-- TOOL'. */
	if (!o->base || !o->out || a.npos != (dd < argc ? 1 : 2)) {
		cli_usage_error("profile learn", "%s", !o->base ? "-p BASE.ini is required" :
			       !o->out ? "-o NEW.ini is required" : dd < argc ?
			       "a PLUGIN.so or '-- TOOL [ARGS...]', not both" :
			       "one PLUGIN.so, or '-- TOOL [ARGS...]', is required");
		goto out;
	}
	if (dd < argc)
		rc = learn_tool(argc, argv, dd, o);
	else {
		o->plugin = a.pos[1];
		rc = 0;
	}
	goto out;
usage_args:
	cli_usage_error("profile learn", "more than %u -a arguments", LEARN_ARGS_MAX);
out:
	cli_args_free(&a);
	return rc;
}

static void learn_today(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* The base's bytes, to copy unchanged; bounded as the parser bounds them. */
static int learn_base_text(const char *file, uint8_t **buf, size_t *len)
{
	uint64_t size = 0;

	if (run_io_read(file, PROFILE_FILE_MAX, buf, len, &size) == RUN_IO_OK)
		return 0;
	fprintf(stderr, "caisson profile learn: %s: %s\n", file, errno ? strerror(errno) : "too large");
	return -1;
}

static int learn_write_file(const struct learn_opts *o, const struct profile *prof, const uint8_t *text,
			    size_t tlen, const struct lrn *l, const struct learn_data *d, bool stable,
			    struct learn_summary *sum)
{
	char today[16], what[1200];
	int fd = open(o->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct learn_out lo = { .base_file = o->base, .base_text = (const char *)text, .base_len = tlen,
				.base = prof, .what = what, .today = today, .rec = &l->rec, .data = d, .stable = stable };
	int rc;

	if (!f) {
		fprintf(stderr, "caisson profile learn: %s: %s%s\n", o->out, strerror(errno),
			errno == EEXIST ? " (learn never replaces a profile; remove it first)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	learn_today(today, sizeof(today));
	if (o->tool_argv) {
		size_t n = (size_t)snprintf(what, sizeof(what), "tool");

		for (size_t i = 0; o->tool_argv[i] && n < sizeof(what); i++)
			n += (size_t)snprintf(what + n, sizeof(what) - n, " %s", o->tool_argv[i]);
	} else {
		snprintf(what, sizeof(what), "plugin %s", o->plugin);
	}
	rc = learn_write(f, &lo, sum);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "caisson profile learn: writing %s: %s\n", o->out, strerror(errno));
		unlink(o->out);
		return -1;
	}
	return 0;
}

static int learn_report(const struct learn_opts *o, const struct cs_result *res, const struct learned *r,
			const struct learn_summary *s)
{
	fprintf(stderr, "caisson profile learn: the sample in the learning worker (%u run%s): %s%s%s\n", r->runs,
		r->runs == 1 ? "" : "s", cs_status_name(res->status), res->detail[0] ? " " : "", res->detail);
	fprintf(stderr, "caisson profile learn: wrote %s: %u syscall%s (%u through a group), %u data director%s, "
		"%u exception stub%s\n", o->out, s->syscalls, s->syscalls == 1 ? "" : "s", s->groups, s->dirs,
		s->dirs == 1 ? "y" : "ies", s->stubs, s->stubs == 1 ? "" : "s");
	if (s->ruled)
		fprintf(stderr, "caisson profile learn: the sample made %u kind%s of call no profile can allow "
			"(see CANNOT BE ALLOWED in %s)\n", s->ruled, s->ruled == 1 ? "" : "s", o->out);
	if (r->beyond)
		fprintf(stderr, "caisson profile learn: the sample made %llu call%s to syscall numbers no profile "
			"can name\n", (unsigned long long)r->beyond, r->beyond == 1 ? "" : "s");
	if (r->dropped)
		fprintf(stderr, "caisson profile learn: %llu lookup%s of new paths past the bound of %u distinct "
			"paths counted, not recorded\n", (unsigned long long)r->dropped, r->dropped == 1 ? "" : "s",
			LEARNED_PATHS);
	return res->status == CS_OK && !s->ruled && !r->beyond ? 0 : 1;
}

static int learn_main(struct event_base *base, const struct learn_opts *o, const uint8_t *in, size_t len)
{
	struct profile prof;
	struct lrn l;
	struct learn_data *d = calloc(2, sizeof(*d));
	struct wk_config *cfg = calloc(1, sizeof(*cfg));
	struct cs_result res = { 0 };
	struct learn_summary sum;
	uint8_t *text = NULL;
	size_t tlen = 0;
	char err[1024];
	int rc = 2, tried, last = 0;
	bool stable = false;

	memset(&l, 0, sizeof(l));
	if (profile_load(o->base, &prof, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson profile learn: %s\n", err);
		goto out_free;
	}
	if (!d || !cfg || lrn_init(&l, &prof) < 0 || learn_base_text(o->base, &text, &tlen) < 0 ||
	    learn_rounds(base, o, &prof, &l, cfg, in, len, &res, d, &last, &stable) < 0 ||
	    learn_write_file(o, &prof, text, tlen, &l, &d[last], stable, &sum) < 0)
		goto out;
	rc = learn_report(o, &res, &l.rec, &sum);
	tried = learn_try(base, o, cfg, in, len);
	if (tried < 0 || (tried > 0 && !sum.stubs))
		rc = 1;
out:
	profile_free(&prof);
out_free:
	free(res.out);
	lrn_free(&l);
	free(text);
	free(cfg);
	free(d);
	return rc;
}

int cmd_profile_learn(int argc, char **argv)
{
	struct learn_opts o = { 0 };
	struct event_base *base = NULL;
	uint8_t *in = NULL;
	size_t len = 0;
	uint64_t size = 0;
	char err[256];
	int rc = learn_parse(argc, argv, &o);

	if (rc) {
		free(o.tool_argv);
		return rc == 1 ? 0 : 2;
	}
	if (!strcmp(o.base, o.out)) {
		free(o.tool_argv);
		return cli_usage_error("profile learn", "NEW.ini must not be BASE.ini");
	}
	if (access(o.out, F_OK) == 0) {
		fprintf(stderr, "caisson profile learn: %s exists; learn never replaces a profile (remove it first)\n",
			o.out);
		free(o.tool_argv);
		return 2;
	}
	if (run_io_read("-", LEARN_SAMPLE_MAX, &in, &len, &size) != RUN_IO_OK) {
		fprintf(stderr, "caisson profile learn: reading the sample from stdin: %s\n", strerror(errno));
		return 2;
	}
	base = event_base_new();
	if (!base || intr_install(base, "profile learn", err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson profile learn: %s\n", base ? err : "event_base_new failed");
		rc = 2;
	} else {
		rc = learn_main(base, &o, in, len);
		intr_remove();
	}
	if (base)
		event_base_free(base);
	free(in);
	free(o.tool_argv);
	return rc;
}
