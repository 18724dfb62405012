/* caisson exec as a library (issue 15): the placeholders' check and
 * expansion (ipc_argv.c, pure), and exec pools through libcaisson: a
 * round trip, an exit code, requests in a row (one worker each, a spare
 * pre-spawned), asynchronous submissions on a caller's base, and the
 * refusals of a malformed configuration. Run by ctest as root, and as
 * nobody through as_user.sh. usage: test_exec_lib BUILD_DIR SOURCE_DIR */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caisson.h"
#include "check.h"
#include "ipc/ipc_argv.h"

static char profile[4096];

static const char *lookup(const void *ctx, const char *key, size_t len)
{
	(void)ctx;
	return len == 4 && !memcmp(key, "page", 4) ? "7" : NULL;
}

static void test_placeholders(void)
{
	static const char *const keys[] = { "page", NULL };
	static char buf[IPC_ARGV_BUF];
	struct wk_config *c = calloc(1, sizeof(*c));
	char err[256], *argv[IPC_ARGV_SLOTS];
	unsigned uses = 0;

	CHECK_INT(ipc_argv_check("-sOutputFile={out}", NULL, &uses, err, sizeof(err)), 0);
	CHECK_INT(uses, IPC_ARGV_USES_OUT);
	CHECK_INT(ipc_argv_check("jpeg:{in}", NULL, &uses, err, sizeof(err)), 0);
	CHECK_INT(uses, IPC_ARGV_USES_OUT | IPC_ARGV_USES_IN);
	CHECK_INT(ipc_argv_check("{{print}}", NULL, &uses, err, sizeof(err)), 0);
	CHECK_INT(ipc_argv_check("-dFirstPage={page}", keys, &uses, err, sizeof(err)), 0);
	CHECK_INT(ipc_argv_check("-dFirstPage={page}", NULL, &uses, err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown placeholder {page}") != NULL);
	CHECK_INT(ipc_argv_check("{name}", NULL, &uses, err, sizeof(err)), -1);
	CHECK_INT(ipc_argv_check("a}b", NULL, &uses, err, sizeof(err)), -1);
	CHECK(strstr(err, "stray '}'") != NULL);
	CHECK_INT(ipc_argv_check("{", NULL, &uses, err, sizeof(err)), -1);
	CHECK_INT(ipc_argv_check("{}", NULL, &uses, err, sizeof(err)), -1);
	CHECK_INT(ipc_argv_check("{in out}", NULL, &uses, err, sizeof(err)), -1);
	CHECK_INT(ipc_argv_check("{in;rm -rf /}", NULL, &uses, err, sizeof(err)), -1);
	CHECK_INT(ipc_argv_check("{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", keys, &uses, err, sizeof(err)), -1);

	if (!c)
		return;
	strcpy(c->interp, "/lib64/ld.so");
	strcpy(c->plugin, "/usr/bin/gs");
	c->ndeps = 2;
	strcpy(c->deps[0], "/lib/libc.so.6");
	strcpy(c->deps[1], "/lib/libgs.so.10");
	c->nargs = 3;
	strcpy(c->args[0], "-sOutputFile={out}");
	strcpy(c->args[1], "{{{in}}}");
	strcpy(c->args[2], "-dFirstPage={page}");
	CHECK_INT(ipc_argv_build(c, lookup, NULL, buf, sizeof(buf), argv), 10);
	CHECK_STR(argv[0], "/lib64/ld.so");
	CHECK_STR(argv[1], "--inhibit-cache");
	CHECK_STR(argv[3], "/usr/bin/gs");
	CHECK_STR(argv[5], "/lib/libc.so.6:/lib/libgs.so.10");
	CHECK_STR(argv[6], "/usr/bin/gs");
	CHECK_STR(argv[7], "-sOutputFile=/tmp/out");
	CHECK_STR(argv[8], "{/tmp/in}");
	CHECK_STR(argv[9], "-dFirstPage=7");
	CHECK(argv[10] == NULL);
	/* A request without the argument: no command line. */
	CHECK_INT(ipc_argv_build(c, NULL, NULL, buf, sizeof(buf), argv), -1);
	/* Too small a buffer: refused, not truncated. */
	CHECK_INT(ipc_argv_build(c, lookup, NULL, buf, 40, argv), -1);
	free(c);
}

static void test_sync(void)
{
	static const char *const tr[] = { "/usr/bin/tr", "a-z", "A-Z", NULL };
	static const char *const fail[] = { "/usr/bin/mawk", "BEGIN {{ print \"bad input\" > \"/dev/stderr\"; exit 4 }}",
					    NULL };
	struct caisson_pool_config c = { .profile = profile };
	struct caisson_sync_result r;
	char err[512];
	caisson_sync *s = caisson_exec_sync_new(&c, tr, err, sizeof(err));

	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "caisson_exec_sync_new: %s\n", err);
		return;
	}
	/* Each request in a fresh sandbox: five in a row all answer. */
	for (int i = 0; i < 5; i++) {
		CHECK_INT(caisson_sync_call(s, "hello", 5, &r), CAISSON_OK);
		CHECK(r.output_len == 5 && memcmp(r.output, "HELLO", 5) == 0);
		free(r.output);
	}
	caisson_sync_free(s);
	s = caisson_exec_sync_new(&c, fail, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(caisson_sync_call(s, "", 0, &r), CAISSON_PLUGIN_ERROR);
	CHECK_STR(r.detail, "exit 4: bad input");
	free(r.output);
	caisson_sync_free(s);
}

struct async {
	int done, ok;
};

static void on_done(const struct caisson_result *r, void *arg)
{
	struct async *a = arg;

	a->done++;
	a->ok += r->status == CAISSON_OK && r->output_len == 3 && !memcmp(r->output, "ABC", 3);
}

static void test_async(void)
{
	static const char *const tr[] = { "/usr/bin/tr", "a-z", "A-Z", NULL };
	struct caisson_pool_config c = { .profile = profile, .max_workers = 2 };
	struct event_base *base = event_base_new();
	struct async a = { 0, 0 };
	char err[512];
	caisson_pool *p = base ? caisson_exec_pool_new(base, &c, tr, err, sizeof(err)) : NULL;

	CHECK(p != NULL);
	if (!p) {
		if (base)
			event_base_free(base);
		return;
	}
	for (int i = 0; i < 8; i++)
		CHECK(caisson_submit(p, "abc", 3, on_done, &a) > 0);
	while (a.done < 8 && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	CHECK_INT(a.ok, 8);
	caisson_pool_free(p);
	event_base_free(base);
}

static void test_refused(void)
{
	static const char *const tr[] = { "/usr/bin/tr", "a", "b", NULL };
	static const char *const rel[] = { "tr", NULL };
	static const char *const none[] = { NULL };
	struct caisson_pool_config c = { .profile = profile, .plugin = "/usr/bin/tr" };
	struct event_base *base = event_base_new();
	char err[512];

	if (!base)
		return;
	CHECK(caisson_exec_pool_new(base, &c, tr, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "takes no plugin") != NULL);
	c.plugin = NULL;
	CHECK(caisson_exec_pool_new(base, &c, none, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "needs argv") != NULL);
	CHECK(caisson_exec_pool_new(base, &c, NULL, err, sizeof(err)) == NULL);
	CHECK(caisson_exec_pool_new(base, &c, rel, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "must be an absolute path") != NULL);
	CHECK(caisson_pool_new(base, &c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "needs a plugin") != NULL);
	event_base_free(base);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_exec_lib BUILD_DIR SOURCE_DIR\n");
		return 2;
	}
	snprintf(profile, sizeof(profile), "%s/tests/profiles/exec_basic.ini", argv[2]);
	test_placeholders();
	test_refused();
	test_sync();
	test_async();
	return check_done("test_exec_lib");
}
