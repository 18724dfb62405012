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

#include "cmd.h"
#include "interrupt.h"
#include "evidence/verify.h"

#define VERIFY_PLUGIN "caisson-probes.so"

static const char verify_usage[] =
	"usage: caisson verify -p PROFILE [--format text|json|oscal] [-o FILE] [--plugin PROBES.so]\n"
	"\n"
	"Starts workers confined by PROFILE and records the evidence that they are\n"
	"isolated: namespaces, seccomp, capabilities, ids, rlimits, cgroup, mounts and\n"
	"descriptors read from outside a live worker (and, as root, the seccomp program\n"
	"loaded in the kernel), then runs every containment probe in a fresh worker.\n"
	"\n"
	"  -p PROFILE       profile (.ini) to verify (required)\n"
	"  --format FORMAT  text (default), json, or oscal (OSCAL assessment results)\n"
	"  -o FILE          write the report to FILE instead of stdout\n"
	"  --plugin PATH    probe plugin (default: caisson-probes.so beside caisson,\n"
	"                   else in $CAISSON_LIBEXECDIR, else " CAISSON_LIBEXECDIR ")\n"
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
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
					    { "plugin", required_argument, NULL, 'P' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "+p:o:h", lo, NULL)) != -1) {
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
				fprintf(stderr, "caisson verify: --format wants text, json or oscal, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'h': fputs(verify_usage, stdout); exit(0);
		default: fputs(verify_usage, stderr); return -1;
		}
	}
	if (!o->profile || optind != argc) {
		fprintf(stderr, "caisson verify: %s\n%s", !o->profile ? "-p PROFILE is required" : "unexpected argument",
			verify_usage);
		return -1;
	}
	return 0;
}

/* Beside /proc/self/exe first (a build tree), then the install location. */
static int find_plugin(char *out, size_t len)
{
	const char *dir = getenv("CAISSON_LIBEXECDIR");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, len, "%s/" VERIFY_PLUGIN, self) < len && access(out, R_OK) == 0)
				return 0;
		}
	}
	if (dir && *dir && (size_t)snprintf(out, len, "%s/" VERIFY_PLUGIN, dir) < len && access(out, R_OK) == 0)
		return 0;
	if ((size_t)snprintf(out, len, "%s/" VERIFY_PLUGIN, CAISSON_LIBEXECDIR) >= len)
		return -1;
	return access(out, R_OK);
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
	if (!o.plugin && find_plugin(plugin, sizeof(plugin)) < 0) {
		fprintf(stderr, "caisson verify: %s not found beside caisson or in %s\n", VERIFY_PLUGIN, CAISSON_LIBEXECDIR);
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
