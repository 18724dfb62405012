/* Profile parsing and lint (supervisor/policy/profile_load.c, profile_keys.c, lint.c):
 * the shipped default profile and a profile setting every key load with the
 * expected values; every error class is refused with its exact
 * "FILE:LINE: " prefix, from files in tests/profiles/ and from memory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "policy/profile_load.h"

#define MIB (1024ull * 1024)

static char err[1024];

static void check_prefix(const char *file, int line, const char *needle)
{
	char prefix[PATH_MAX + 32];

	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", file);
	if (strncmp(err, prefix, strlen(prefix)) != 0) {
		fprintf(stderr, "error \"%s\" does not start with \"%s\"\n", err, prefix);
		check_failures++;
	}
	CHECK_CONTAINS(err, needle);
}

static void profile_path(char *path, size_t len, const char *rel)
{
	snprintf(path, len, "%s/%s", CAISSON_SOURCE_DIR, rel);
}

static void expect_file_error(const char *rel, int line, const char *needle)
{
	char path[PATH_MAX];
	struct profile p;

	profile_path(path, sizeof(path), rel);
	err[0] = '\0';
	CHECK_INT(profile_load(path, &p, err, sizeof(err)), -1);
	CHECK(p.binds == NULL && p.nbinds == 0 && p.plugin_args == NULL);
	check_prefix(path, line, needle);
	profile_free(&p);
}

static void expect_len_error(const char *text, size_t len, int line, const char *needle)
{
	struct profile p;

	err[0] = '\0';
	CHECK_INT(profile_parse_buffer("mem.ini", text, len, &p, err, sizeof(err)), -1);
	check_prefix("mem.ini", line, needle);
	profile_free(&p);
}

static void expect_mem_error(const char *text, int line, const char *needle)
{
	expect_len_error(text, strlen(text), line, needle);
}

/* Appends the run set the worker runtime needs when the text has none. */
static int expect_mem_ok(const char *text, struct profile *p)
{
	static char buf[4096];
	int rc;

	snprintf(buf, sizeof(buf), "%s%s", text, strstr(text, "[seccomp]") ? "" : "\n[seccomp]\nallow = @default\n");
	rc = profile_parse_buffer("mem.ini", buf, strlen(buf), p, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "unexpected error: %s\n", err);
	CHECK_INT(rc, 0);
	return rc;
}

static bool in_run(const struct profile *p, const char *sys)
{
	return profile_set_has(p->run, seccomp_syscall_resolve_name(sys));
}

static bool in_init(const struct profile *p, const char *sys)
{
	return profile_set_has(p->init, seccomp_syscall_resolve_name(sys));
}

static bool in_fail(const struct profile *p, const char *sys)
{
	return profile_set_has(p->fail, seccomp_syscall_resolve_name(sys));
}

static void test_default(void)
{
	char path[PATH_MAX];
	struct profile p;
	static const char *const run[] = { "read", "write", "readv", "writev", "recvmsg", "sendmsg",
					   "close", "mmap", "mprotect", "pkey_mprotect", "munmap",
					   "mremap", "brk", "madvise", "futex", "sched_yield",
					   "clock_gettime", "clock_getres", "gettimeofday", "time",
					   "nanosleep", "clock_nanosleep", "exit", "exit_group",
					   "getpid", "gettid", "rt_sigreturn", "rt_sigprocmask",
					   "rt_sigaction", "sigaltstack", "restart_syscall", "getrandom" };
	static const char *const not_run[] = { "openat", "open", "socket", "execve", "clone",
					       "fcntl", "fstat", "ioctl", "set_robust_list", "rseq" };
	size_t count = 0;

	profile_path(path, sizeof(path), "profiles/default.ini");
	if (profile_load(path, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "default.ini: %s\n", err);
		check_failures++;
		return;
	}
	CHECK_STR(p.name, "default");
	CHECK_STR(p.description, "Strict baseline for pure compute plugins (bytes in, bytes out)");
	CHECK(p.limits.wall_ms == 5000 && p.limits.cpu_ms == 5000);
	CHECK(p.limits.memory_bytes == 256 * MIB);
	CHECK(p.limits.output_bytes == 16 * MIB && p.limits.input_bytes == 16 * MIB);
	CHECK_INT(p.limits.open_files, 16);
	CHECK_INT(p.nbinds, 0);
	CHECK_INT(p.nplugin_args, 0);
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		CHECK(p.ns_on[i] && p.ns_line[i] > 0);
	for (size_t i = 0; i < sizeof(run) / sizeof(run[0]); i++) {
		if (!in_run(&p, run[i]))
			fprintf(stderr, "default.ini: %s not in the run set\n", run[i]);
		CHECK(in_run(&p, run[i]));
	}
	for (size_t i = 0; i < sizeof(not_run) / sizeof(not_run[0]); i++)
		CHECK(!in_run(&p, not_run[i]));
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		count += profile_set_has(p.run, nr);
		CHECK(!profile_set_has(p.init, nr));
	}
	CHECK_INT(count, sizeof(run) / sizeof(run[0]));
	CHECK_INT(p.run_from[seccomp_syscall_resolve_name("read")].line, 26);
	CHECK_STR(p.run_from[seccomp_syscall_resolve_name("read")].via, "@default");
	CHECK_STR(p.run_from[seccomp_syscall_resolve_name("futex")].via, "@default");
	profile_free(&p);
}

static void test_full(void)
{
	char path[PATH_MAX];
	struct profile p;

	profile_path(path, sizeof(path), "tests/profiles/good_full.ini");
	if (profile_load(path, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "good_full.ini: %s\n", err);
		check_failures++;
		return;
	}
	CHECK_STR(p.name, "full-1.0_test");
	CHECK_STR(p.description, "Every key set; values checked by test_profile");
	CHECK(p.limits.wall_ms == 1500 && p.limits.cpu_ms == 120000);
	CHECK(p.limits.memory_bytes == 1024 * MIB);
	CHECK(p.limits.output_bytes == 512 * 1024 && p.limits.input_bytes == 1);
	CHECK_INT(p.limits.open_files, 4);
	CHECK_INT(p.nbinds, 2);
	if (p.nbinds == 2) {
		CHECK_STR(p.binds[0], "/usr/share/fonts");
		CHECK_STR(p.binds[1], "/usr/share/zoneinfo/UTC");
	}
	CHECK_INT(p.nplugin_args, 3);
	if (p.nplugin_args == 3) {
		CHECK_STR(p.plugin_args[0], "--quality=90");
		CHECK_STR(p.plugin_args[1], "");
		CHECK_STR(p.plugin_args[2], "two words");
	}
	CHECK(in_run(&p, "read") && in_run(&p, "fcntl") && in_run(&p, "fstat") && in_run(&p, "lseek"));
	CHECK(in_run(&p, "getppid"));
	CHECK_INT(p.run_from[seccomp_syscall_resolve_name("getppid")].line, 23);
	CHECK(p.run_from[seccomp_syscall_resolve_name("getppid")].via == NULL);
	CHECK_STR(p.run_from[seccomp_syscall_resolve_name("fcntl")].via, "@fd-query");
	CHECK(in_init(&p, "getdents64") && in_init(&p, "uname") && !in_init(&p, "read"));
	CHECK_INT(p.init_from[seccomp_syscall_resolve_name("uname")].line, 24);
	CHECK(p.pool.min_workers == 1 && p.pool.max_workers == 3 && p.pool.queue == 7);
	CHECK(p.pool.requests_per_worker == 1 && p.pool.idle_ms == 90000 && p.pool.failure_threshold == 2);
	CHECK(p.pool.prefault_bytes == 128 * 1024);
	profile_free(&p);
	CHECK(p.binds == NULL && p.nbinds == 0);
}

static void test_file_errors(void)
{
	expect_file_error("tests/profiles/bad_unknown_section.ini", 4, "unknown section [sandbox]");
	expect_file_error("tests/profiles/bad_unknown_key.ini", 5, "unknown key 'stack' in [limits]");
	expect_file_error("tests/profiles/bad_unknown_syscall.ini", 3, "unknown syscall 'no_such_syscall'");
	expect_file_error("tests/profiles/bad_unknown_group.ini", 2,
			  "allow: unknown syscall group '@network-io' (vocabulary version 1)");
	expect_file_error("tests/profiles/bad_duplicate.ini", 4,
			  "duplicate key 'memory' in [limits] (first set on line 2)");
	expect_file_error("tests/profiles/bad_unit.ini", 2,
			  "wall_time: '5': a unit is required (us, ms, s, min, h)");
	expect_file_error("tests/profiles/bad_range.ini", 2, "memory: '15M' is out of range (16M..64G)");
	expect_file_error("tests/profiles/bad_long_line.ini", 6,
			  "line is 211 bytes long, more than the parser's 198");
	expect_file_error("tests/profiles/bad_dangerous.ini", 4,
			  "allow: syscall 'execve' is dangerous (replaces the process image) and needs an "
			  "[exception] (allow = execve, reason, approver, expires)");
	expect_file_error("tests/profiles/bad_dangerous_group.ini", 4,
			  "allow: syscall 'open' (from @loader) is dangerous (opens files after the filter "
			  "is sealed)");
	expect_file_error("tests/profiles/bad_namespace_off.ini", 3,
			  "namespace 'network' is off; this version cannot turn a namespace off, not even "
			  "with an [exception]");
	/* The real clock: 2000-12-31 is long past whatever day this runs. */
	expect_file_error("tests/profiles/bad_exc_expired.ini", 9,
			  "expires: [exception] for 'ptrace' expired on 2000-12-31 (approved by Nobody "
			  "Anymore); renew or remove it");
	expect_file_error("tests/profiles/bad_exc_date.ini", 9,
			  "expires: '2026-02-30' is not a date (YYYY-MM-DD, an existing day from 1970 on)");
	expect_file_error("tests/profiles/bad_exc_no_approver.ini", 6,
			  "[exception] lacks 'approver' (every exception sets allow, reason, approver and "
			  "expires)");
	expect_file_error("tests/profiles/bad_exc_stale.ini", 6,
			  "allow: [exception] for 'ptrace' covers nothing this profile allows; remove the "
			  "stale exception");
	expect_file_error("tests/profiles/bad_exc_namespace.ini", 7,
			  "allow: 'namespace:network': this version cannot turn a namespace off, not even "
			  "with an [exception]");
	expect_file_error("tests/profiles/bad_relative_bind.ini", 3,
			  "bind_ro: 'usr/share/zoneinfo' is not an absolute path");
	expect_file_error("tests/profiles/does_not_exist.ini", 0, "No such file or directory");
	expect_file_error("tests/profiles", 0, "not a regular file");
}

static void test_big_and_special_files(void)
{
	char path[PATH_MAX], fifo[PATH_MAX];
	struct profile p;
	size_t len = PROFILE_FILE_MAX + 100;
	char *big = malloc(len);
	int fd;

	snprintf(path, sizeof(path), "%s/test_profile_big.ini", CAISSON_TEST_TMP);
	CHECK(big != NULL);
	if (!big)
		return;
	/* 16-byte lines up to exactly the limit; the first 32 bytes carry the
	 * run set the worker runtime needs as three lines, so byte 65537 is on
	 * line 4098. */
	for (size_t i = 0; i < len; i++)
		big[i] = i % 16 == 15 ? '\n' : ';';
	memcpy(big, "[seccomp]\n;;;;;\nallow =@default\n", 32);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, big, len) == (ssize_t)len);
	close(fd);
	CHECK_INT(profile_load(path, &p, err, sizeof(err)), -1);
	check_prefix(path, 4098, "file is larger than 65536 bytes");
	CHECK_INT(profile_parse_buffer("mem.ini", big, PROFILE_FILE_MAX, &p, err, sizeof(err)), 0);
	profile_free(&p);
	unlink(path);
	free(big);

	/* A FIFO is refused without blocking on open. */
	snprintf(fifo, sizeof(fifo), "%s/test_profile_fifo.ini", CAISSON_TEST_TMP);
	unlink(fifo);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_INT(profile_load(fifo, &p, err, sizeof(err)), -1);
	check_prefix(fifo, 0, "not a regular file");
	unlink(fifo);
}

static void test_syntax_errors(void)
{
	expect_mem_error("allow = read\n", 1, "key 'allow' outside any section");
	expect_mem_error("[seccomp]\nallow read\n", 2,
			 "syntax error: expected '[section]' or 'key = value'");
	expect_mem_error("[profile]\nname = a\n  [limits]\n", 3, "indented line");
	expect_mem_error("[limits]\nwall_time = 1s\n  memory = 1G\n", 3,
			 "indented line (continuation lines are not supported; repeat the key)");
	expect_mem_error("[seccomp]\n\tallow = read\n", 2, "indented line");
	expect_mem_error("[limits\nmemory = 16M\n", 1, "unterminated section header");
	expect_mem_error("[limits] memory = 16M\n", 1, "text after section header");
	expect_mem_error("[network]\n", 1, "unknown section [network]");
	expect_mem_error("[Limits]\nmemory = 16M\n", 1, "unknown section [Limits]");
	expect_len_error("[profile]\nname = a\0b\n", 21, 2, "NUL byte");
	expect_mem_error("[profile]\nName = a\n", 2, "unknown key 'Name' in [profile]");
	expect_mem_error("[seccomp]\nallow = read\n[profile]\nallow = read\n", 4,
			 "unknown key 'allow' in [profile]");
}

static void test_value_errors(void)
{
	expect_mem_error("[profile]\nname = a b\n", 2, "name: expected 1 to 63 characters");
	expect_mem_error("[profile]\nname =\n", 2, "name: expected 1 to 63 characters");
	expect_mem_error("[profile]\nname = "
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
			 2, "name: expected 1 to 63 characters");
	expect_mem_error("[profile]\nname = a\nname = b\n", 3,
			 "duplicate key 'name' in [profile] (first set on line 2)");
	expect_mem_error("[profile]\ndescription = a\tb\n", 2, "description: control character");
	expect_mem_error("[namespaces]\npid = yes\n", 2, "pid: expected 'on' or 'off'");
	expect_mem_error("[namespaces]\nipc = on\nipc = on\n", 3, "duplicate key 'ipc'");
	expect_mem_error("[limits]\nwall_time = 1500us\n", 2,
			 "wall_time: '1500us' is not a whole number of milliseconds");
	expect_mem_error("[limits]\nwall_time = 0ms\n", 2, "wall_time: '0ms' is out of range (1ms..1h)");
	expect_mem_error("[limits]\ncpu_time = 61min\n", 2, "cpu_time: '61min' is out of range (1ms..1h)");
	expect_mem_error("[limits]\ncpu_time = 2 s\n", 2, "cpu_time: '2 s': expected an unsigned integer");
	expect_mem_error("[limits]\ncpu_time = -1s\n", 2, "cpu_time: '-1s': expected an unsigned integer");
	expect_mem_error("[limits]\nwall_time = 3fortnights\n", 2, "wall_time: '3fortnights': unknown unit");
	expect_mem_error("[limits]\nmemory = 65G\n", 2, "memory: '65G' is out of range (16M..64G)");
	expect_mem_error("[pool]\nprefault = 17M\n", 2, "prefault: '17M' is out of range (0..16M)");
	/* Settings that only clash with each other: the file, no line. */
	expect_mem_error("[seccomp]\nallow = @default\n[pool]\nmin_workers = 3\nmax_workers = 2\n", 0,
			 "[pool] min_workers (3) is larger than max_workers (2)");
	expect_mem_error("[seccomp]\nallow = @default\n[limits]\nmemory = 16M\n[pool]\nprefault = 4M\n", 0,
			 "[pool] prefault (4194304 bytes) touches up to three times that much (heap, input and "
			 "output region), more than half of [limits] memory (16777216 bytes)");
	expect_mem_error("[limits]\nmemory = 99999999999999999999G\n", 2,
			 "memory: '99999999999999999999G': number too large");
	expect_mem_error("[limits]\nmemory = 17179869184G\n", 2, "number too large");
	expect_mem_error("[limits]\noutput = 0\n", 2, "output: '0' is out of range (1..1G)");
	expect_mem_error("[limits]\ninput = 1025M\n", 2, "input: '1025M' is out of range (1..1G)");
	expect_mem_error("[limits]\ninput = 1MB\n", 2, "input: '1MB': unknown suffix (K, M, G, T or none)");
	expect_mem_error("[limits]\nopen_files = 3\n", 2, "open_files: '3' is out of range (4..4096)");
	expect_mem_error("[limits]\nopen_files = 4097\n", 2, "open_files: '4097' is out of range (4..4096)");
	expect_mem_error("[limits]\nopen_files = 16K\n", 2, "open_files: '16K': expected an unsigned integer");
	expect_mem_error("[filesystem]\nbind_ro = /\n", 2, "would expose the whole host filesystem");
	expect_mem_error("[filesystem]\nbind_ro = ///\n", 2, "would expose the whole host filesystem");
	expect_mem_error("[filesystem]\nbind_ro = /usr/../etc\n", 2, "has a '.' or '..' component");
	expect_mem_error("[filesystem]\nbind_ro = /usr/./lib\n", 2, "has a '.' or '..' component");
	expect_mem_error("[filesystem]\nbind_ro = /usr/lib/..\n", 2, "has a '.' or '..' component");
	/* [filesystem] data: a comma-separated list, each entry a host path as
	 * bind_ro's, then checked against the host (lint_data.c); scratch: a
	 * size up to 16G and up to [limits] memory. */
	expect_mem_error("[filesystem]\ndata = /usr/share/common-licenses,\n", 2, "data: empty entry");
	expect_mem_error("[filesystem]\ndata = , /usr\n", 2, "data: empty entry");
	expect_mem_error("[filesystem]\ndata = usr/share\n", 2, "data: 'usr/share' is not an absolute path");
	expect_mem_error("[filesystem]\ndata = /usr/share/../../etc\n", 2, "has a '.' or '..' component");
	expect_mem_error("[filesystem]\ndata = /usr/share/common-licenses, /proc/self\n[seccomp]\nallow = @default\n", 2,
			 "data: '/proc/self' is not canonical");
	expect_mem_error("[filesystem]\ndata = /proc/1\n[seccomp]\nallow = @default\n", 2, "data: '/proc/1' is beneath /proc");
	expect_mem_error("[filesystem]\ndata = /var\n[seccomp]\nallow = @default\n", 2, "data: '/var' would expose the host's /var whole");
	expect_mem_error("[filesystem]\ndata = /usr/share/zoneinfo\nbind_ro = /usr/share/zoneinfo/UTC\n[seccomp]\nallow = @default\n", 2,
			 "data: '/usr/share/zoneinfo' overlaps bind_ro '/usr/share/zoneinfo/UTC'");
	expect_mem_error("[filesystem]\nscratch = 1X\n", 2, "scratch: '1X': unknown suffix");
	expect_mem_error("[filesystem]\nscratch = 64M\n[limits]\nmemory = 32M\n[seccomp]\nallow = @default\n", 2,
			 "scratch: 67108864 bytes is more than [limits] memory (33554432 bytes)");
	/* [plugin] library_path: the same rules, and bounded. */
	expect_mem_error("[plugin]\nlibrary_path = lib\n", 2, "library_path: 'lib' is not an absolute path");
	expect_mem_error("[plugin]\nlibrary_path = $ORIGIN/lib\n", 2, "is not an absolute path");
	expect_mem_error("[plugin]\nlibrary_path = /\n", 2, "library_path: '/' would expose the whole host filesystem");
	expect_mem_error("[plugin]\nlibrary_path = /opt/x/../../etc\n", 2, "has a '.' or '..' component");
	expect_mem_error("[seccomp]\nallow =\n", 2, "allow: empty list");
	expect_mem_error("[seccomp]\nallow = read Write\n", 2, "allow: 'Write' is not a syscall name");
	expect_mem_error("[seccomp]\nallow = socketcall\n", 2,
			 "syscall 'socketcall' does not exist on this architecture");
	expect_mem_error("[seccomp]\nallow = @\n", 2, "unknown syscall group '@'");
	expect_mem_error("[seccomp]\nallow = @default\nallow = @nope\n", 3, "unknown syscall group '@nope'");
}

/* data: both list forms, in order, with their lines; scratch as set. */
static void test_data_scratch(void)
{
	struct profile p;

	if (expect_mem_ok("[filesystem]\ndata = /usr/share/common-licenses ,/usr/share/zoneinfo\n"
			  "data=/usr/share/doc\nscratch = 2M\n", &p) == 0) {
		CHECK_INT(p.ndata, 3);
		CHECK_STR(p.data[0], "/usr/share/common-licenses");
		CHECK_STR(p.data[1], "/usr/share/zoneinfo");
		CHECK_STR(p.data[2], "/usr/share/doc");
		CHECK_INT(p.data_line[1], 2);
		CHECK_INT(p.data_line[2], 3);
		CHECK(p.scratch_bytes == 2u << 20);
		CHECK_INT(p.scratch_line, 4);
	}
	profile_free(&p);
	if (expect_mem_ok("[profile]\nname = x\n", &p) == 0)
		CHECK(p.ndata == 0 && p.scratch_bytes == 0);
	profile_free(&p);
}

static void test_repeat_limits(void)
{
	char text[8192];
	size_t off;

	off = (size_t)snprintf(text, sizeof(text), "[filesystem]\n");
	for (int i = 0; i <= (int)PROFILE_MAX_BINDS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "bind_ro = /data/%d\n", i);
	expect_mem_error(text, PROFILE_MAX_BINDS + 2, "bind_ro: more than 32 entries");
	off = (size_t)snprintf(text, sizeof(text), "[plugin]\n");
	for (int i = 0; i <= (int)PROFILE_MAX_ARGS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "arg = %d\n", i);
	expect_mem_error(text, PROFILE_MAX_ARGS + 2, "arg: more than 32 entries");
	off = (size_t)snprintf(text, sizeof(text), "[plugin]\n");
	for (int i = 0; i <= (int)PROFILE_MAX_LIBPATHS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "library_path = /opt/%d/lib\n", i);
	expect_mem_error(text, PROFILE_MAX_LIBPATHS + 2, "library_path: more than 16 entries");
}

static void test_lint(void)
{
	struct profile p;

	expect_mem_error("[seccomp]\nallow = @default\ninit_allow = execve\n", 3,
			 "init_allow: syscall 'execve' is dangerous (replaces the process image)");
	expect_mem_error("[seccomp]\nallow = openat\n", 2,
			 "allow: syscall 'openat' is dangerous (opens files after the filter is sealed)");
	expect_mem_error("[seccomp]\nallow = @default ioctl\n", 2, "allow: syscall 'ioctl' is dangerous");
	expect_mem_error("[seccomp]\nallow = @default\nallow = socket\n", 3, "syscall 'socket' is dangerous");
	expect_mem_error("[seccomp]\nallow = @default\nallow = io_uring_setup\n", 3,
			 "syscall 'io_uring_setup' is dangerous");
	/* The earliest finding is reported, whatever its kind. */
	expect_mem_error("[seccomp]\nallow = ptrace\n[namespaces]\nuser = off\n", 2,
			 "syscall 'ptrace' is dangerous");
	expect_mem_error("[namespaces]\ncgroup = off\n[seccomp]\nallow = ptrace\n", 2,
			 "namespace 'cgroup' is off");
	/* Stale and uncovered findings compete by line like the others. */
	expect_mem_error("[exception]\nallow = bpf\nreason = r\napprover = a\nexpires = 2099-01-01\n"
			 "[seccomp]\nallow = @default ptrace\n", 2, "[exception] for 'bpf' covers nothing");
	expect_mem_error("[seccomp]\nallow = @default ptrace\n[exception]\nallow = bpf\nreason = r\n"
			 "approver = a\nexpires = 2099-01-01\n", 2, "syscall 'ptrace' is dangerous");
	/* Failing a syscall allows nothing: no [exception] needed, but a
	 * syscall is allowed or failed, never both, in either order. */
	if (expect_mem_ok("[seccomp]\nallow = @default\nfail = ioctl execve @network\n", &p) == 0) {
		CHECK(!in_run(&p, "ioctl") && in_fail(&p, "ioctl") && in_fail(&p, "socket"));
		CHECK(p.fail_from[seccomp_syscall_resolve_name("execve")].line == 3);
		profile_free(&p);
	}
	expect_mem_error("[seccomp]\nallow = @default\nfail = read\n", 3,
			 "syscall 'read' is both allowed and failed (line 2): choose one");
	expect_mem_error("[seccomp]\nfail = futex\nallow = @default\n", 3,
			 "syscall 'futex' in @default is both allowed and failed (line 2)");
	expect_mem_error("[seccomp]\nallow = @default\ninit_allow = openat\nfail = openat\n", 4,
			 "both allowed and failed (line 3)");
	expect_mem_error("[seccomp]\nallow = @default socket(AF_UNIX)\nfail = socket\n", 3,
			 "syscall 'socket' is both allowed and failed (line 2)");
	expect_mem_error("[seccomp]\nallow = @default\nfail = socket(AF_UNIX)\n", 3,
			 "argument rules apply to the run set (allow) only");
	/* Opening files is dangerous only after sealing. */
	if (expect_mem_ok("[seccomp]\nallow = @default\ninit_allow = openat open @loader\n", &p) == 0) {
		CHECK(in_init(&p, "openat") && !in_run(&p, "openat"));
		profile_free(&p);
	}
}

static void test_accepted_shapes(void)
{
	struct profile p;

	/* BOM, CRLF, inline and indented comments, blank lines with spaces,
	 * '#' comments, repeated sections. */
	if (expect_mem_ok("\xef\xbb\xbf[profile]\r\nname = bom ; comment\r\n  # c\r\n \t\r\n[limits]\r\n"
			  "memory = 64G\r\n[profile]\r\ndescription = x\r\n[limits]\r\nwall_time = 1h\r\n",
			  &p) == 0) {
		CHECK_STR(p.name, "bom");
		CHECK_STR(p.description, "x");
		CHECK(p.limits.memory_bytes == 64ull << 30 && p.limits.wall_ms == 3600000);
		profile_free(&p);
	}
	if (expect_mem_ok("", &p) == 0) {
		CHECK_STR(p.name, "");
		CHECK(p.limits.wall_ms == 5000 && p.limits.open_files == 16);
		profile_free(&p);
	}
	if (expect_mem_ok("[limits]\nwall_time = 1ms\nmemory = 16M\noutput = 1G\nopen_files = 4096\n", &p) ==
	    0) {
		CHECK(p.limits.wall_ms == 1 && p.limits.memory_bytes == 16 * MIB);
		CHECK(p.limits.output_bytes == 1024 * MIB && p.limits.open_files == 4096);
		profile_free(&p);
	}
	/* A failed parse never leaves a half-filled profile behind, and an
	 * error buffer of size 0 still fails the parse. */
	CHECK_INT(profile_parse_buffer("m", "[profile]\nname = !\n", 19, &p, err, 0), -1);
	CHECK(p.binds == NULL && p.name[0] == '\0');
}

#define EXC_TAIL "reason = r\napprover = a\nexpires = 2099-01-01\n"

static int32_t day(const char *date)
{
	int32_t d = -1;

	CHECK_INT(profile_date_parse(date, &d), 0);
	return d;
}

static void test_dates(void)
{
	static const char *const bad[] = { "", "2026-2-01", "2026-02-1", "26-02-01", "2026/02/01",
					   "2026-00-10", "2026-13-01", "2026-01-00", "2026-01-32",
					   "2026-04-31", "2025-02-29", "1900-02-29", "1969-12-31",
					   "+026-01-01", "2026-01-01 ", "2026-01-0a", "20260-01-01" };
	int32_t d;

	CHECK_INT(day("1970-01-01"), 0);
	CHECK_INT(day("1970-03-01"), 59);
	CHECK_INT(day("2000-02-29"), 11016);
	CHECK_INT(day("2024-02-29"), 19782);
	CHECK_INT(day("2026-03-01"), 20513);
	CHECK_INT(day("9999-12-31"), 2932896);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (profile_date_parse(bad[i], &d) == 0)
			fprintf(stderr, "date '%s' accepted\n", bad[i]);
		CHECK_INT(profile_date_parse(bad[i], &d), -1);
	}
	/* The real clock is after this code was written. */
	CHECK(profile_today() > day("2025-01-01"));
}

static void test_weak_network(void)
{
	char path[PATH_MAX];
	struct profile p;
	const struct profile_exception *e = &p.exceptions[0];

	profile_path(path, sizeof(path), "tests/profiles/weak_network.ini");
	/* Valid on its last day, refused the day after: today is injected. */
	CHECK_INT(profile_load_on(path, day("2100-01-01"), &p, err, sizeof(err)), -1);
	check_prefix(path, 34, "expires: [exception] for '@network' expired on 2099-12-31");
	if (profile_load_on(path, day("2099-12-31"), &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "weak_network.ini: %s\n", err);
		check_failures++;
		return;
	}
	CHECK_INT(p.nexceptions, 1);
	CHECK_STR(e->allow, "@network");
	CHECK_STR(e->relaxes, "dangerous syscalls of @network");
	CHECK_STR(e->reason, "Test fixture: shows what caisson verify reports for a profile that may "
			     "open sockets");
	CHECK_STR(e->approver, "Security Review <security@example.org>");
	CHECK_STR(e->expires, "2099-12-31");
	CHECK_INT(e->expires_day, day("2099-12-31"));
	CHECK(e->line == 30 && e->allow_line == 31 && e->reason_line == 32);
	CHECK(e->approver_line == 33 && e->expires_line == 34);
	CHECK(in_run(&p, "socket") && in_run(&p, "connect") && in_run(&p, "sendto"));
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		CHECK(p.ns_on[i]);
	profile_free(&p);
	/* And by the real clock (2099 is ahead of it). */
	CHECK_INT(profile_load(path, &p, err, sizeof(err)), 0);
	profile_free(&p);
}

static void test_exception_syntax(void)
{
	struct profile p;

	expect_mem_error("[seccomp]\nallow = @default\n[exception]\nallow = socket\n", 3,
			 "[exception] lacks 'reason'");
	expect_mem_error("[seccomp]\nallow = @default\n[exception]\n", 3, "[exception] lacks 'allow'");
	expect_mem_error("[seccomp]\nallow = @default socket\n[exception]\nallow = socket\nreason = r\n"
			 "approver = a\n[exception]\nallow = socket\n" EXC_TAIL, 3,
			 "[exception] lacks 'expires'");
	expect_mem_error("[exception]\nallow = socket\nallow = bind\n", 3,
			 "duplicate key 'allow' in [exception] (first set on line 2)");
	expect_mem_error("[exception]\nallow =\n", 2, "allow: expected one syscall, @group name or argument rule");
	expect_mem_error("[exception]\nallow = socket bind\n", 2, "allow: expected one syscall, @group name or argument rule");
	expect_mem_error("[exception]\nallow = @nope\n", 2, "allow: unknown syscall group '@nope'");
	expect_mem_error("[exception]\nallow = frobnicate\n", 2, "allow: unknown syscall 'frobnicate'");
	expect_mem_error("[exception]\nallow = socket\nreason =\n", 3, "reason: expected 1 to 255 bytes");
	expect_mem_error("[exception]\nallow = socket\napprover = a\tb\n", 3,
			 "approver: control character or invalid UTF-8");
	expect_mem_error("[exception]\nallow = socket\napprover = \xc3\x28\n", 3, "invalid UTF-8");
	expect_mem_error("[exception]\nallow = socket\napprover = \xed\xa0\x80\n", 3, "invalid UTF-8");
	expect_mem_error("[exception]\nallow = socket\nexpires =\n", 3, "expires: '' is not a date");
	expect_mem_error("[exception]\nallow = socket\nexpires = 2026-02-29\n", 3,
			 "expires: '2026-02-29' is not a date");
	/* A profile of only @default plus an exception on the same section
	 * twice: each [exception] header opens a new one. */
	if (expect_mem_ok("[seccomp]\nallow = @default socket ptrace\n[exception]\nallow = socket\n" EXC_TAIL
			  "[exception]\nallow = ptrace\nreason = Zo\xc3\xab's debugger\napprover = b\n"
			  "expires = 2099-02-28\n", &p) == 0) {
		CHECK_INT(p.nexceptions, 2);
		CHECK_STR(p.exceptions[0].relaxes, "syscall socket");
		CHECK_STR(p.exceptions[1].reason, "Zo\xc3\xab's debugger");
		CHECK_INT(p.exceptions[1].line, 8);
		profile_free(&p);
	}
}

static void test_exception_limit(void)
{
	static char text[32768];
	char want[64];
	size_t off;

	off = (size_t)snprintf(text, sizeof(text), "[seccomp]\nallow = @default socket\n");
	for (int i = 0; i <= (int)PROFILE_MAX_EXCEPTIONS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "[exception]\nallow = socket\n" EXC_TAIL);
	CHECK(off < sizeof(text));
	snprintf(want, sizeof(want), "more than %u [exception] sections", PROFILE_MAX_EXCEPTIONS);
	expect_mem_error(text, 3 + 5 * PROFILE_MAX_EXCEPTIONS, want);
}

/* [filesystem] landlock: auto by default, required on request, nothing else. */
static void test_landlock_key(void)
{
	struct profile p;

	if (expect_mem_ok("", &p) == 0) {
		CHECK_INT(p.landlock, PROFILE_LANDLOCK_AUTO);
		profile_free(&p);
	}
	if (expect_mem_ok("[filesystem]\nlandlock = required\n", &p) == 0) {
		CHECK_INT(p.landlock, PROFILE_LANDLOCK_REQUIRED);
		profile_free(&p);
	}
	if (expect_mem_ok("[filesystem]\nlandlock = auto\n", &p) == 0) {
		CHECK_INT(p.landlock, PROFILE_LANDLOCK_AUTO);
		profile_free(&p);
	}
	expect_mem_error("[filesystem]\nlandlock = off\n", 2, "landlock: expected 'auto' or 'required'");
	expect_mem_error("[filesystem]\nlandlock = auto\nlandlock = required\n", 3, "duplicate key 'landlock'");
}

/* allow = name(...): parsed, conflicts refused at the second line, and an
 * exception with a rule approves that rule or a narrower one only. */
static void test_argrules(void)
{
	struct profile p;
	const struct argrule *r;

	if (expect_mem_ok("[seccomp]\nallow = @default socket(AF_UNIX|AF_INET|AF_LOCAL)\n"
			  "[exception]\nallow = socket(AF_INET|AF_UNIX|AF_NETLINK)\n" EXC_TAIL, &p) == 0) {
		r = profile_argrule(&p, seccomp_syscall_resolve_name("socket"));
		CHECK(r && r->kind == ARGRULE_VALUES && r->arg == 0 && r->nvals == 2);
		CHECK(r && r->vals[0] == 1 && r->vals[1] == 2);
		CHECK(in_run(&p, "socket") && p.run_from[seccomp_syscall_resolve_name("socket")].line == 2);
		CHECK(p.exceptions[0].has_rule);
		CHECK_STR(p.exceptions[0].relaxes, "syscall socket(AF_INET|AF_UNIX|AF_NETLINK)");
		CHECK(!profile_argrule(&p, seccomp_syscall_resolve_name("read")));
		profile_free(&p);
	}
	if (expect_mem_ok("[seccomp]\nallow = @default clone(threads)\n[exception]\nallow = clone\n" EXC_TAIL,
			  &p) == 0) {
		r = profile_argrule(&p, seccomp_syscall_resolve_name("clone"));
		CHECK(r && r->kind == ARGRULE_CLONE_THREADS);
		profile_free(&p);
	}
	expect_mem_error("[seccomp]\nallow = @default socket\nallow = socket(AF_UNIX)\n", 3,
			 "allow: 'socket(AF_UNIX)': that syscall is already allowed without a rule (line 2)");
	expect_mem_error("[seccomp]\nallow = socket(AF_UNIX)\nallow = @network\n", 3,
			 "syscall 'socket' in @network is already allowed only within an argument rule (line 2)");
	expect_mem_error("[seccomp]\nallow = socket(AF_UNIX)\nallow = socket(AF_INET)\n", 3,
			 "a second argument rule for that syscall (first on line 2)");
	expect_mem_error("[seccomp]\nallow = socket(AF_APPLETALK)\n", 2,
			 "allow: 'AF_APPLETALK' is not a value socket(...) accepts");
	expect_mem_error("[seccomp]\nallow = read(1)\n", 2, "allow: no argument rule for 'read'");
	expect_mem_error("[seccomp]\nallow = socket(AF_UNIX\n", 2, "is not name(VALUE|VALUE...)");
	expect_mem_error("[seccomp]\nallow = socket()\n", 2, "is not name(VALUE|VALUE...)");
	expect_mem_error("[seccomp]\nallow = socket(AF_UNIX|)\n", 2, "'' is not a value socket(...) accepts");
	expect_mem_error("[seccomp]\ninit_allow = socket(AF_UNIX)\n", 2,
			 "init_allow: 'socket(AF_UNIX)': argument rules apply to the run set (allow) only");
	expect_mem_error("[seccomp]\nallow = clone(threads|fork)\n", 2, "'fork' is not a value clone(...) accepts");
	expect_mem_error("[seccomp]\nallow = prctl(PR_SET_NAME|PR_SET_NAME|PR_GET_NAME|PR_SET_VMA|PR_GET_SECCOMP|"
			 "PR_CAPBSET_READ|PR_GET_DUMPABLE|PR_SET_PDEATHSIG|PR_GET_PDEATHSIG|PR_GET_TIMERSLACK)\n",
			 2, "more than 8 values in prctl(...)");
	/* A rule still needs its exception, and an exception with a rule
	 * approves no more than its rule. */
	expect_mem_error("[seccomp]\nallow = @default socket(AF_UNIX)\n", 2, "syscall 'socket' is dangerous");
	expect_mem_error("[seccomp]\nallow = @default socket(AF_UNIX|AF_INET)\n[exception]\n"
			 "allow = socket(AF_UNIX)\n" EXC_TAIL, 2, "syscall 'socket' is dangerous");
	expect_mem_error("[seccomp]\nallow = @default socket\n[exception]\nallow = socket(AF_UNIX)\n" EXC_TAIL,
			 2, "syscall 'socket' is dangerous");
	expect_mem_error("[exception]\nallow = socket(AF_INET6)\n" EXC_TAIL, 2, "allow: [exception] for "
			 "'socket(AF_INET6)' covers nothing");
	expect_mem_error("[exception]\nallow = mmap(PROT_READ)\n" EXC_TAIL, 2, "allow: no argument rule for 'mmap'");
}

int main(void)
{
	test_dates();
	test_landlock_key();
	test_argrules();
	test_weak_network();
	test_exception_syntax();
	test_exception_limit();
	test_default();
	test_full();
	test_file_errors();
	test_big_and_special_files();
	test_syntax_errors();
	test_value_errors();
	test_repeat_limits();
	test_data_scratch();
	test_lint();
	test_accepted_shapes();
	return check_done("test_profile");
}
