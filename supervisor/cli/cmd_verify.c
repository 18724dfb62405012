/* caisson verify: the SC-39 evidence for one profile (SPEC section 6).
 * Runs in the supervisor as the invoking user (root reads more: the filter
 * loaded in the kernel). Attests a live worker of the profile from outside
 * and runs the containment probes (caisson-probes.so) in fresh workers,
 * then writes the report as text, JSON or OSCAL. Exit 0 when everything is
 * contained and every attestation item matches, 1 otherwise (anything
 * escaped, mismatched, unverified, unsupported or in error), 2 for usage
 * or configuration errors (the profile refused: FILE:LINE). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_args.h"
#include "cmd.h"
#include "interrupt.h"
#include "broker/libexec.h"
#include "evidence/verify.h"

#define VERIFY_PLUGIN "caisson-probes.so"

static const char verify_usage[] =
	"usage: caisson verify -p PROFILE [--format text|json|oscal] [-o FILE] [--plugin PROBES.so]\n"
	"Options may come in any order; '--' ends them.\n"
	"\n"
	"Starts workers confined by PROFILE and records the evidence that they are\n"
	"isolated: namespaces, seccomp, capabilities, ids, rlimits, cgroup, mounts and\n"
	"descriptors read from outside a live worker (and, as root, the seccomp program\n"
	"loaded in the kernel), then runs every containment probe in a fresh worker.\n"
	"\n"
	"  -p, --profile PROFILE  profile (.ini) to verify (required)\n"
	"  --format FORMAT        text (default), json, or oscal (OSCAL assessment results)\n"
	"  -o, --output FILE      write the report to FILE instead of stdout\n"
	"  --plugin PATH          probe plugin (default: caisson-probes.so, looked for in\n"
	"                         ../libexec/caisson from caisson's directory, beside\n"
	"                         caisson, in $CAISSON_LIBEXECDIR, then in\n"
	"                         " CAISSON_LIBEXECDIR ")\n"
	"\n"
	"Exit status: 0 all contained and attested, 1 anything escaped, mismatched,\n"
	"unverified, unsupported or in error, 2 usage or configuration error.\n";

enum verify_format { FMT_TEXT, FMT_JSON, FMT_OSCAL };

struct verify_opts {
	const char *profile, *out, *plugin;
	enum verify_format format;
};

static int parse(int argc, char **argv, struct verify_opts *o)
{
	static const struct option lo[] = { { "profile", required_argument, NULL, 'p' },
					    { "output", required_argument, NULL, 'o' },
					    { "format", required_argument, NULL, 'f' },
					    { "plugin", required_argument, NULL, 'P' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	struct cli_args a;
	int c, rc = -1;

	if (cli_args_init(&a, "verify", argc) < 0)
		return -1;
	while ((c = cli_getopt(&a, argc, argv, "p:o:h", lo)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'o': o->out = optarg; break;
		case 'P': o->plugin = optarg; break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = FMT_JSON;
			else if (!strcmp(optarg, "oscal"))
				o->format = FMT_OSCAL;
			else {
				cli_usage_error("verify", "--format wants text, json or oscal, not '%s'", optarg);
				goto out;
			}
			break;
		case 'h': fputs(verify_usage, stdout); exit(0);
		default: goto out;
		}
	}
	if (!o->profile)
		cli_usage_error("verify", "-p PROFILE is required");
	else if (a.npos)
		cli_usage_error("verify", "unexpected argument '%s'", a.pos[0]);
	else
		rc = 0;
out:
	cli_args_free(&a);
	return rc;
}

static int write_report(const struct verify_opts *o, const struct vf_report *r)
{
	FILE *f = o->out ? fopen(o->out, "we") : stdout;
	int rc;

	if (!f) {
		fprintf(stderr, "caisson verify: %s: %s\n", o->out, strerror(errno));
		return -1;
	}
	rc = o->format == FMT_JSON ? vf_write_json(r, f) : o->format == FMT_OSCAL ? vf_write_oscal(r, f) : vf_write_text(r, f);
	if (rc < 0)
		fprintf(stderr, "caisson verify: writing the report: %s\n", strerror(errno));
	if (o->out && fclose(f) == EOF && rc == 0) {
		fprintf(stderr, "caisson verify: %s: %s\n", o->out, strerror(errno));
		rc = -1;
	}
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_opts o = { 0 };
	struct vf_options vo = { 0 };
	struct vf_report r;
	char plugin[PATH_MAX], err[512];
	int rc;

	if (parse(argc, argv, &o) < 0)
		return 2;
	if (!o.plugin && libexec_find(VERIFY_PLUGIN, R_OK, plugin, sizeof(plugin), err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson verify: %s\n", err);
		return 2;
	}
	vo.profile = o.profile;
	vo.plugin = o.plugin ? o.plugin : plugin;
	vo.progress = isatty(2);
	/* Interrupted, the run ends its workers and says so (interrupt.h). */
	if (!(vo.base = event_base_new()) || intr_install(vo.base, "verify", err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson verify: %s\n", vo.base ? err : "event_base_new failed");
		if (vo.base)
			event_base_free(vo.base);
		return 2;
	}
	rc = vf_collect(&vo, &r, err, sizeof(err));
	intr_remove();
	event_base_free(vo.base);
	if (rc < 0) {
		fprintf(stderr, "caisson: %s\n", err);
		vf_report_free(&r);
		return 2;
	}
	rc = write_report(&o, &r) < 0 ? 2 : vf_report_passed(&r) ? 0 : 1;
	vf_report_free(&r);
	return rc;
}
