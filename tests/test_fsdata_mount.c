/* In-sandbox test of the worker's own checks on a [filesystem] data source
 * (wk_mount.c), which run again at mount time whatever the lint saw: a
 * configuration that names a symbolic link (here /etc/os-release, a link
 * on every Debian), or a path through one, or a device node, fails the
 * spawn at its step, naming the path; a real directory mounts and its file
 * reads after READY. The configuration is built from
 * tests/profiles/fsdata.ini and then altered, as a swap after the lint
 * would. Runs as root and (tests/as_user.sh) as an unprivileged user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "broker/setup.h"
#include "broker/sv.h"
#include "policy/policy.h"
#include "policy/profile_load.h"

static struct event_base *base;
static struct policy pol;
static struct sv_limits lim;
static struct wk_config cfg;

/* One request with data[0] = data; the status, and the detail or answer. */
static enum cs_status run(const char *data, const char *cmd, char *got, size_t len)
{
	struct cs_result r;
	char err[512];
	struct sv s;

	snprintf(cfg.data[0], sizeof(cfg.data[0]), "%s", data);
	if (sv_init(&s, base, &pol, &lim, &cfg, err, sizeof(err)) < 0) {
		snprintf(got, len, "sv_init: %s", err);
		return CS_SPAWN_FAILED;
	}
	sv_run(&s, (const uint8_t *)cmd, strlen(cmd), &r);
	if (r.status == CS_OK)
		snprintf(got, len, "%.*s", (int)(r.out_len < 64 ? r.out_len : 64), (const char *)r.out);
	else
		snprintf(got, len, "%s", r.detail);
	free(r.out);
	sv_close(&s);
	return r.status;
}

static void want_refused(const char *data, const char *why)
{
	char got[600];
	enum cs_status st = run(data, "list /", got, sizeof(got));

	CHECK_STR(cs_status_name(st), "SPAWN_FAILED");
	if (!strstr(got, "mount read-only data") || !strstr(got, why) || !strstr(got, data)) {
		fprintf(stderr, "data %s: '%s' lacks the step, '%s' or the path\n", data, why, got);
		check_failures++;
	}
}

/* usage: test_fsdata_mount [BUILD SRC] (as tests/as_user.sh runs it), else
 * CAISSON_FSDATA_PLUGIN and CAISSON_FSDATA_PROFILE name the two files. */
int main(int argc, char **argv)
{
	const char *prof_path = getenv("CAISSON_FSDATA_PROFILE"), *plugin = getenv("CAISSON_FSDATA_PLUGIN");
	static char pbuf[4096], lbuf[4096];
	struct profile prof;
	char err[512], got[600];

	if (argc == 3) {
		snprintf(lbuf, sizeof(lbuf), "%s/tests/fsdata.so", argv[1]);
		snprintf(pbuf, sizeof(pbuf), "%s/tests/profiles/fsdata.ini", argv[2]);
		plugin = lbuf;
		prof_path = pbuf;
	}
	if (!prof_path || !plugin) {
		fprintf(stderr, "test_fsdata_mount: CAISSON_FSDATA_PROFILE and CAISSON_FSDATA_PLUGIN must be set\n");
		return 1;
	}
	if (profile_load(prof_path, &prof, err, sizeof(err)) < 0 || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, plugin, NULL, 0, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_fsdata_mount: %s\n", err);
		return 1;
	}
	CHECK_INT(cfg.ndata, 1);
	CHECK(cfg.scratch_bytes == 1u << 20);
	setup_limits(&prof, &lim);
	base = event_base_new();
	CHECK(base != NULL);
	/* The real directory: mounted, read after READY. */
	CHECK_STR(cs_status_name(run("/usr/share/common-licenses", "read /usr/share/common-licenses/GPL-3", got,
				     sizeof(got))), "OK");
	CHECK(strstr(got, "GNU GENERAL PUBLIC LICENSE") != NULL);
	/* What the lint would refuse, refused again by the worker. */
	CHECK(access("/etc/os-release", R_OK) == 0);
	want_refused("/etc/os-release", "Too many levels of symbolic links");
	want_refused("/dev/null", "not a directory or regular file");
	event_base_free(base);
	policy_free(&pol);
	profile_free(&prof);
	return check_done("test_fsdata_mount");
}
