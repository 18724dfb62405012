/* caisson run: runs a plugin over inputs, one fresh sandboxed worker per
 * input. Runs in the supervisor as the invoking user. Each failed input is
 * one stderr line "<input>: STATUS detail"; exit 0 when every input is OK,
 * 1 when any failed, 2 for usage or configuration errors (nothing ran). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "policy.h"
#include "profile.h"
#include "setup.h"
#include "sv.h"

#define RUN_MAX_ARGS 16

static const char run_usage[] =
	"usage: caisson run [-v] [-o DIR] [-a ARG]... -p PROFILE PLUGIN.so [FILE...]\n"
	"\n"
	"Runs PLUGIN.so over each FILE (stdin when none) in a fresh sandboxed worker\n"
	"confined by PROFILE. Answers go to stdout, or to DIR/<basename of FILE>.\n"
	"\n"
	"  -p PROFILE  profile (.ini) to confine the workers with (required)\n"
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
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "+p:o:a:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'v': o->verbose = 1; break;
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

static int emit(const struct run_opts *o, const char *input, const struct cs_result *r)
{
	char path[PATH_MAX], copy[PATH_MAX];
	int fd, rc;

	if (!o->outdir)
		return write_all(1, r->out, r->out_len);
	snprintf(copy, sizeof(copy), "%s", strcmp(input, "-") ? input : "stdin");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", o->outdir, basename(copy)) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rc = write_all(fd, r->out, r->out_len);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static int run_inputs(struct sv *s, const struct run_opts *o, char **inputs, int ninputs)
{
	static char *const stdin_only[] = { "-" };
	int failed = 0;

	if (ninputs == 0) {
		inputs = (char **)stdin_only;
		ninputs = 1;
	}
	for (int i = 0; i < ninputs; i++) {
		const char *name = strcmp(inputs[i], "-") ? inputs[i] : "<stdin>";
		struct cs_result r;
		uint8_t *buf;
		size_t len;

		if (read_input(inputs[i], (size_t)s->lim.input_bytes, &buf, &len) < 0) {
			fprintf(stderr, "caisson: %s: %s\n", name, strerror(errno));
			failed = 1;
			continue;
		}
		sv_run(s, buf, len, &r);
		free(buf);
		if (r.status != CS_OK) {
			fprintf(stderr, "%s: %s%s%s\n", name, cs_status_name(r.status), r.detail[0] ? " " : "",
				r.detail);
			failed = 1;
		} else if (emit(o, inputs[i], &r) < 0) {
			fprintf(stderr, "caisson: %s: writing the answer: %s\n", name, strerror(errno));
			failed = 1;
		}
		free(r.out);
	}
	return failed;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct profile prof;
	struct policy pol;
	struct wk_config *cfg = NULL;
	struct sv_limits lim;
	struct event_base *base = NULL;
	struct sv s;
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
	base = event_base_new();
	if (!base || sv_init(&s, base, &pol, &lim, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson: %s\n", base ? err : "event_base_new failed");
		goto out;
	}
	s.verbose = o.verbose;
	rc = run_inputs(&s, &o, argv + first, argc - first);
	sv_close(&s);
out:
	if (base)
		event_base_free(base);
	free(cfg);
	policy_free(&pol);
	profile_free(&prof);
	return rc;
}
