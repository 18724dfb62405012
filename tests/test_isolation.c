/* In-sandbox test: starts real workers of profiles/default.ini running the
 * echo sample and, once a worker is locked, sealed and READY, inspects it
 * from the supervisor side through /proc: seccomp, no_new_privs, every
 * capability set, uid, namespaces, root contents and descriptor table.
 * Runs as root and (tests/as_user.sh) as an unprivileged user. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "policy.h"
#include "profile.h"
#include "setup.h"
#include "sv.h"

static int inspected;

static int status_field(pid_t pid, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	FILE *f;
	size_t kl = strlen(key);
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			snprintf(val, len, "%s", line + kl + 1 + strspn(line + kl + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			found = 1;
		}
	fclose(f);
	return found;
}

static void check_status(pid_t pid)
{
	static const char *zero_caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char v[128];
	unsigned long ruid, euid;

	CHECK(status_field(pid, "Seccomp", v, sizeof(v)));
	CHECK_STR(v, "2");
	CHECK(status_field(pid, "Seccomp_filters", v, sizeof(v)));
	CHECK_STR(v, "1");
	CHECK(status_field(pid, "NoNewPrivs", v, sizeof(v)));
	CHECK_STR(v, "1");
	for (size_t i = 0; i < 5; i++) {
		CHECK(status_field(pid, zero_caps[i], v, sizeof(v)));
		CHECK_STR(v, "0000000000000000");
	}
	CHECK(status_field(pid, "Uid", v, sizeof(v)));
	CHECK_INT(sscanf(v, "%lu %lu", &ruid, &euid), 2);
	CHECK(ruid != 0 && euid != 0);
	if (geteuid() == 0)
		CHECK(ruid >= SETUP_ID_BASE && ruid < SETUP_ID_BASE + SETUP_MAX_SLOTS); /* its slot's own uid */
	else
		CHECK_INT(ruid, getuid());
}

static void check_namespaces(pid_t pid)
{
	static const char *ns[] = { "user", "pid", "mnt", "net", "ipc", "uts", "cgroup" };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		char a[64], b[64], la[128] = "", lb[128] = "";
		snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, ns[i]);
		snprintf(b, sizeof(b), "/proc/self/ns/%s", ns[i]);
		CHECK(readlink(a, la, sizeof(la) - 1) > 0);
		CHECK(readlink(b, lb, sizeof(lb) - 1) > 0);
		if (strcmp(la, lb) == 0) {
			fprintf(stderr, "namespace %s shared with the supervisor: %s\n", ns[i], la);
			check_failures++;
		}
	}
}

/* The root of a READY worker holds nothing at all: the plugin's bind was
 * there while it loaded and is gone before its first request. The root is
 * read-only even for us. */
static void check_root_empty(pid_t pid)
{
	char path[64], file[96];
	DIR *d;
	struct dirent *e;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		fprintf(stderr, "unexpected entry in worker root: /%s\n", e->d_name);
		check_failures++;
	}
	if (d)
		closedir(d);
	snprintf(file, sizeof(file), "%s/probe", path);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd < 0 && errno == EROFS);
	if (fd >= 0)
		close(fd);
}

static void check_root_and_fds(pid_t pid)
{
	char path[64], link[128];
	DIR *d;
	struct dirent *e;
	int n = 0, saw2 = 0, saw3 = 0;

	check_root_empty(pid);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		char fdp[PATH_MAX];
		ssize_t l;

		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(fdp, sizeof(fdp), "%s/%s", path, e->d_name);
		l = readlink(fdp, link, sizeof(link) - 1);
		CHECK(l > 0);
		link[l > 0 ? l : 0] = '\0';
		if (!strcmp(e->d_name, "2"))
			saw2 = !strncmp(link, "pipe:", 5);
		else if (!strcmp(e->d_name, "3"))
			saw3 = !strncmp(link, "socket:", 7);
		else
			fprintf(stderr, "unexpected fd %s -> %s\n", e->d_name, link);
	}
	if (d)
		closedir(d);
	CHECK_INT(n, 2);
	CHECK(saw2);
	CHECK(saw3);
}

static pid_t inspected_pids[16];

static void inspect(void *arg, pid_t pid)
{
	(void)arg;
	check_status(pid);
	check_namespaces(pid);
	check_root_and_fds(pid);
	if (inspected < (int)(sizeof(inspected_pids) / sizeof(inspected_pids[0])))
		inspected_pids[inspected] = pid;
	inspected++;
}

static bool was_inspected(pid_t pid)
{
	for (int i = 0; i < inspected && i < (int)(sizeof(inspected_pids) / sizeof(inspected_pids[0])); i++)
		if (inspected_pids[i] == pid)
			return true;
	return false;
}

/* Workers of cfg plus data binds that share parent directories: a file
 * and a directory below one parent, a file beside it. Their mount points
 * and every directory made for them must be gone once a worker is READY
 * (inspect checks the root), whoever empties it. */
static void run_with_binds(const struct policy *pol, const struct sv_limits *lim, struct wk_config *cfg,
			   struct event_base *base)
{
	static const char *const made[] = { "a", "a/b", "a/b/deep", "a/x.txt", "a/b/deep/y.txt", "c.txt" };
	static const char *const binds[] = { "a/x.txt", "a/b", "c.txt" };
	char dir[] = "/tmp/caisson-binds-XXXXXX", path[PATH_MAX], err[512];
	int before = inspected;
	struct cs_result r;
	struct sv s;

	CHECK(mkdtemp(dir) != NULL && chmod(dir, 0755) == 0);
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		if (strstr(made[i], ".txt")) {
			int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			CHECK(fd >= 0);
			if (fd >= 0)
				close(fd);
		} else {
			CHECK(mkdir(path, 0755) == 0);
		}
	}
	cfg->nbinds = 0;
	for (size_t i = 0; i < sizeof(binds) / sizeof(binds[0]); i++)
		snprintf(cfg->binds[cfg->nbinds++], WK_PATH_MAX, "%s/%s", dir, binds[i]);
	if (sv_init(&s, base, pol, lim, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_isolation: %s\n", err);
		check_failures++;
	} else {
		s.on_ready = inspect;
		sv_run(&s, (const uint8_t *)"x", 1, &r);
		CHECK_STR(cs_status_name(r.status), "OK");
		CHECK(was_inspected(r.pid));
		free(r.out);
		sv_close(&s);
	}
	CHECK(inspected > before);
	for (size_t i = sizeof(made) / sizeof(made[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		remove(path);
	}
	rmdir(dir);
	cfg->nbinds = 0;
}

int main(void)
{
	const char *echo = getenv("CAISSON_ECHO"), *prof_path = getenv("CAISSON_PROFILE");
	static struct wk_config cfg;
	static char real[PATH_MAX];
	struct profile prof;
	struct policy pol;
	struct sv_limits lim;
	struct sv s;
	struct cs_result r;
	struct event_base *base;
	char err[512];

	if (!echo || !prof_path || !realpath(echo, real)) {
		fprintf(stderr, "test_isolation: CAISSON_ECHO and CAISSON_PROFILE must name the echo sample and a profile\n");
		return 1;
	}
	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (profile_load(prof_path, &prof, err, sizeof(err)) < 0 || policy_build(&prof, &pol, err, sizeof(err)) < 0 ||
	    setup_worker_config(&prof, &pol, echo, NULL, 0, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_isolation: %s\n", err);
		return 1;
	}
	CHECK_INT(cfg.ndeps, 0);
	setup_limits(&prof, &lim);
	base = event_base_new();
	CHECK(base != NULL);
	if (sv_init(&s, base, &pol, &lim, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_isolation: %s\n", err);
		return 1;
	}
	s.on_ready = inspect;
	for (int i = 0; i < 3; i++) {
		static const uint8_t msg[] = "hello from the supervisor";
		sv_run(&s, msg, sizeof(msg), &r);
		CHECK_STR(cs_status_name(r.status), "OK");
		CHECK_INT(r.out_len, sizeof(msg));
		CHECK(r.out && memcmp(r.out, msg, sizeof(msg)) == 0);
		/* Each request had a fresh worker, inspected before it served. */
		CHECK(was_inspected(r.pid));
		free(r.out);
	}
	/* Three served; a pre-spawned spare may have been inspected too. */
	CHECK(inspected >= 3);
	sv_close(&s);
	run_with_binds(&pol, &lim, &cfg, base);
	event_base_free(base);
	policy_free(&pol);
	profile_free(&prof);
	return check_done("test_isolation");
}
