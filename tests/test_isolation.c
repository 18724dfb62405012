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
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "broker/setup.h"
#include "broker/sv.h"

static int inspected;
#define INSPECTED_MAX 16
static pid_t inspected_pids[INSPECTED_MAX];
/* Per inspected worker: its network and ipc namespaces are owned by the
 * host's user namespace (the zygote made them ahead), not by the worker's
 * own; its root tmpfs is read-only down to the superblock (the zygote's
 * empty root, made once), not a tmpfs it mounted itself and remounted
 * read-only. */
static bool ns_made_ahead[INSPECTED_MAX], root_made_once[INSPECTED_MAX];

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

static ino_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* A worker's network and ipc namespaces are owned by its own user
 * namespace (clone3 made them) or, as root, by the host's (the zygote made
 * them ahead for this worker alone): never by another, and both the same
 * way. Returns whether they were made ahead. */
static bool check_ns_owner(pid_t pid, const char *kind)
{
	char path[64];
	ino_t owner = 0, own, host = ino_of("/proc/self/ns/user");
	int ns, user;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	own = ino_of(path);
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(ns >= 0);
	user = ns >= 0 ? ioctl(ns, NS_GET_USERNS) : -1;
	CHECK(user >= 0);
	if (user >= 0) {
		struct stat st;
		CHECK(fstat(user, &st) == 0);
		owner = st.st_ino;
		close(user);
	}
	if (ns >= 0)
		close(ns);
	CHECK(own != 0 && host != 0 && own != host);
	if (owner != own && !(geteuid() == 0 && owner == host)) {
		fprintf(stderr, "worker %d: %s namespace owned by user namespace %lu (own %lu, host %lu)\n", (int)pid,
			kind, (unsigned long)owner, (unsigned long)own, (unsigned long)host);
		check_failures++;
	}
	return owner == host;
}

static bool check_made_ahead(pid_t pid)
{
	bool net = check_ns_owner(pid, "net"), ipc = check_ns_owner(pid, "ipc");

	CHECK(net == ipc);
	return net && ipc;
}

/* The worker's mount table is one line, its root tmpfs; returns whether
 * the tmpfs superblock itself is read-only (its super options start "ro"). */
static bool check_root_mount(pid_t pid)
{
	char path[64], line[512], fstype[32] = "", source[64] = "", sopts[256] = "";
	int lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	f = fopen(path, "re");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");
		if (++lines == 1)
			CHECK(dash && sscanf(dash, " - %31s %63s %255s", fstype, source, sopts) == 3);
	}
	if (f)
		fclose(f);
	CHECK_INT(lines, 1);
	CHECK_STR(fstype, "tmpfs");
	return !strncmp(sopts, "ro,", 3) || !strcmp(sopts, "ro");
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

/* The root of a READY worker holds nothing at all: the plugin was never
 * in it, and data binds are gone before its first request. The root is
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

static void inspect(void *arg, pid_t pid)
{
	bool ahead, once;

	(void)arg;
	check_status(pid);
	check_namespaces(pid);
	ahead = check_made_ahead(pid);
	once = check_root_mount(pid);
	check_root_and_fds(pid);
	if (inspected < INSPECTED_MAX) {
		inspected_pids[inspected] = pid;
		ns_made_ahead[inspected] = ahead;
		root_made_once[inspected] = once;
	}
	inspected++;
}

static bool was_inspected(pid_t pid)
{
	for (int i = 0; i < inspected && i < INSPECTED_MAX; i++)
		if (inspected_pids[i] == pid)
			return true;
	return false;
}

/* Whether every worker inspected in [from, to) had its root made once by
 * the zygote (want) or, every one, a root it built itself (!want). */
static void check_roots(int from, int to, bool want, const char *what)
{
	for (int i = from; i < to && i < INSPECTED_MAX; i++)
		if (root_made_once[i] != want) {
			fprintf(stderr, "%s: worker %d: root %s\n", what, (int)inspected_pids[i],
				want ? "built by the worker, not the zygote's empty root"
				     : "the zygote's empty root, not built by the worker");
			check_failures++;
		}
}

static bool made_ahead_seen(void)
{
	for (int i = 0; i < inspected && i < INSPECTED_MAX; i++)
		if (ns_made_ahead[i])
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
	/* Binds need mount points: each worker builds its own root. */
	check_roots(before, inspected, false, "with binds");
	for (size_t i = sizeof(made) / sizeof(made[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		remove(path);
	}
	rmdir(dir);
	cfg->nbinds = 0;
}

/* The same with the other file's directory as a data bind: the worker
 * reads it beneath the bind, under its Landlock ruleset (which allows
 * reading there and nothing else), while its own plugin still arrives as
 * the supervisor's descriptor. */
static void run_load_bound(const struct policy *pol, const struct sv_limits *lim, struct wk_config *cfg,
			   const char *other, struct event_base *base)
{
	const char *slash = strrchr(other, '/');
	char err[512];
	struct cs_result r;
	struct sv s;

	CHECK(cfg->landlock_abi >= 1);
	CHECK(slash && slash != other && (size_t)(slash - other) < sizeof(cfg->binds[0]));
	if (!slash || slash == other)
		return;
	snprintf(cfg->binds[0], sizeof(cfg->binds[0]), "%.*s", (int)(slash - other), other);
	cfg->nbinds = 1;
	if (sv_init(&s, base, pol, lim, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_isolation: %s\n", err);
		check_failures++;
		return;
	}
	sv_run(&s, (const uint8_t *)"x", 1, &r);
	CHECK_STR(cs_status_name(r.status), "OK");
	if (r.status != CS_OK)
		fprintf(stderr, "loadopen.so with a bind: %s\n", r.detail);
	if (r.status == CS_OK) {
		char got[256];
		snprintf(got, sizeof(got), "%.*s", (int)r.out_len, (const char *)r.out);
		CHECK_STR(got, "own=ELF own-rdwr=ENOENT own-creat=ENOENT other=ELF");
	}
	free(r.out);
	sv_close(&s);
}

/* The loader's opens while a worker loads: only a read-only open of a file
 * the supervisor resolved for it (here the plugin itself, from its init)
 * is served, with the real file; any other flags, or any other host file,
 * find the empty root. loadopen.so reports what each open gave. */
static void run_load_opens(const struct profile *prof, const struct policy *pol, const struct sv_limits *lim,
			   const char *echo, struct event_base *base)
{
	static struct wk_config cfg;
	char plugin[PATH_MAX], err[512];
	const char *samples = strstr(echo, "/samples/");
	char *args[2];
	struct cs_result r;
	struct sv s;

	CHECK(samples != NULL);
	if (!samples)
		return;
	snprintf(plugin, sizeof(plugin), "%.*s/tests/loadopen.so", (int)(samples - echo), echo);
	args[0] = plugin;
	args[1] = (char *)echo; /* a host file the worker was not given */
	if (setup_worker_config(prof, pol, plugin, args, 2, &cfg, err, sizeof(err)) < 0 ||
	    sv_init(&s, base, pol, lim, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_isolation: %s\n", err);
		check_failures++;
		return;
	}
	CHECK_STR(cfg.plugin, plugin); /* the path its loader opens, and args[0] */
	sv_run(&s, (const uint8_t *)"x", 1, &r);
	CHECK_STR(cs_status_name(r.status), "OK");
	if (r.status != CS_OK)
		fprintf(stderr, "loadopen.so: %s\n", r.detail);
	if (r.status == CS_OK) {
		char got[256];
		snprintf(got, sizeof(got), "%.*s", (int)r.out_len, (const char *)r.out);
		CHECK_STR(got, "own=ELF own-rdwr=ENOENT own-creat=ENOENT other=ENOENT");
	}
	free(r.out);
	sv_close(&s);
	run_load_bound(pol, lim, &cfg, echo, base);
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
	/* An idle zygote makes the next worker's network and ipc namespaces
	 * ahead, as root only: one of the workers spawned after this pause
	 * (while the next requests run) is cloned into them. */
	usleep(50 * 1000);
	for (int i = 0; i < 4 && !made_ahead_seen(); i++) {
		sv_run(&s, (const uint8_t *)"x", 1, &r);
		CHECK_STR(cs_status_name(r.status), "OK");
		free(r.out);
	}
	/* Without binds, as root, every worker is cloned inside the zygote's
	 * empty root; unprivileged, each builds its own. */
	check_roots(0, inspected, geteuid() == 0, "without binds");
	if (made_ahead_seen() != (geteuid() == 0)) {
		fprintf(stderr, "after an idle pause: %s\n",
			geteuid() == 0 ? "no worker was cloned into network and ipc namespaces made ahead"
				       : "namespaces were made ahead, unprivileged");
		check_failures++;
	}
	sv_close(&s);
	run_with_binds(&pol, &lim, &cfg, base);
	run_load_opens(&prof, &pol, &lim, real, base);
	event_base_free(base);
	policy_free(&pol);
	profile_free(&prof);
	return check_done("test_isolation");
}
