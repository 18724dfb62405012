/* caisson serve's configuration parser (supervisor/serve/srv_config.c) on
 * buffers: a full configuration and its defaults, then one refusal per
 * rule, each at its FILE:LINE. Pure: no socket, no pool. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "serve/srv_config.h"

static const char full[] = "; comment\n"
			   "[server]\n"
			   "socket = /run/caisson.sock\n"
			   "socket_mode = 0600\n"
			   "socket_group = 0\n"
			   "max_body = 1M\n"
			   "max_clients = 8\n"
			   "client_timeout = 5s\n"
			   "\n"
			   "[pool png]\n"
			   "profile = png.ini\n"
			   "plugin = /usr/lib/png.so\n"
			   "workers = 3\n"
			   "allow_uids = 0, 1000 65534\n"
			   "allow_gids = root\n"
			   "[pool.xml-2]\n"
			   "profile = /p/xml.ini\n"
			   "plugin = x.so\n";

static void test_full(struct srv_config *c)
{
	char err[512];

	CHECK_INT(srv_config_parse("/etc/caisson/serve.ini", full, strlen(full), c, err, sizeof(err)), 0);
	CHECK_STR(c->socket, "/run/caisson.sock");
	CHECK_INT(c->socket_mode, 0600);
	CHECK(c->has_group && c->socket_gid == 0);
	CHECK_INT(c->max_body, 1 << 20);
	CHECK_INT(c->max_clients, 8);
	CHECK_INT(c->client_timeout_s, 5);
	CHECK_INT(c->npools, 2);
	CHECK_STR(c->pools[0].name, "png");
	CHECK_STR(c->pools[0].profile, "/etc/caisson/png.ini"); /* relative to the file */
	CHECK_STR(c->pools[0].plugin, "/usr/lib/png.so");
	CHECK_INT(c->pools[0].workers, 3);
	CHECK(c->pools[0].nuids == 3 && c->pools[0].uids[1] == 1000 && c->pools[0].uids[2] == 65534);
	CHECK(c->pools[0].ngids == 1 && c->pools[0].gids[0] == 0);
	CHECK_STR(c->pools[1].name, "xml-2");
	CHECK_STR(c->pools[1].plugin, "/etc/caisson/x.so");
	CHECK(c->pools[1].nuids == 0 && c->pools[1].ngids == 0 && c->pools[1].workers == 0);

	const char *min = "[server]\nsocket = /s\n[pool a]\nprofile = /a\nplugin = /b\n";
	CHECK_INT(srv_config_parse("c.ini", min, strlen(min), c, err, sizeof(err)), 0);
	CHECK_INT(c->socket_mode, 0660);
	CHECK_INT(c->max_body, 16 << 20);
	CHECK_INT(c->max_clients, 64);
	CHECK_INT(c->client_timeout_s, 30);
	CHECK(!c->has_group);
}

static const struct {
	const char *text, *err;
} refused[] = {
	{ "socket = /s\n", "c.ini:1: key 'socket' outside any section" },
	{ "[server]\nsocket = /s\nsocket = /t\n", "c.ini:3: duplicate key 'socket' (first set on line 2)" },
	{ "[server]\nsockt = /s\n", "c.ini:2: unknown key 'sockt' in [server]" },
	{ "[server]\nsocket = /s\n[pool a]\nsocket = /t\n", "c.ini:4: unknown key 'socket' in [pool]" },
	{ "[server]\n[server]\n", "c.ini:2: second [server] section" },
	{ "[servers]\n", "c.ini:1: unknown section [servers]" },
	{ "[pool]\n", "c.ini:1: unknown section [pool]" },
	{ "[pool A]\n", "c.ini:1: pool name 'A' must be" },
	/* A control byte quoted from the file reaches the message as '?'. */
	{ "[pool a\x1b[2J]\n", "c.ini:1: pool name 'a?[2J' must be" },
	{ "[pool abcdefghijklmnopqrstuvwxyz0123456]\n", "c.ini:1: pool name" },
	{ "[pool a]\n[pool.a]\n", "c.ini:2: pool 'a' declared twice (first on line 1)" },
	{ "[server]\nsocket = relative\n", "c.ini:2: socket must be an absolute path" },
	{ "[server]\nsocket_mode = 0777\n", "c.ini:2: socket_mode 0777 has execute bits" },
	{ "[server]\nsocket_mode = 9\n", "c.ini:2: socket_mode wants octal" },
	{ "[server]\nsocket_mode = 01000\n", "c.ini:2: socket_mode wants octal" },
	{ "[server]\nsocket_group = no-such-group-here\n", "c.ini:2: socket_group: no group named" },
	{ "[server]\nmax_body = 0\n", "c.ini:2: max_body must be" },
	{ "[server]\nmax_body = 2G\n", "c.ini:2: max_body must be" },
	{ "[server]\nmax_body = 1X\n", "c.ini:2: max_body '1X'" },
	{ "[server]\nmax_clients = 0\n", "c.ini:2: 0 is out of range [1, 4096]" },
	{ "[server]\nmax_clients = 4097\n", "c.ini:2: 4097 is out of range" },
	{ "[server]\nmax_clients = -1\n", "c.ini:2: '-1'" },
	{ "[server]\nclient_timeout = 500ms\n", "c.ini:2: client_timeout must be whole seconds" },
	{ "[server]\nclient_timeout = 5\n", "c.ini:2: client_timeout '5'" },
	{ "[pool a]\nworkers = 1025\n", "c.ini:2: 1025 is out of range [1, 1024]" },
	{ "[pool a]\nallow_uids = nosuchuser-x\n", "c.ini:2: allow_uids: no user named" },
	{ "[pool a]\nallow_uids = 4294967295\n", "c.ini:2: allow_uids: '4294967295' is not a valid uid" },
	{ "[pool a]\nallow_gids = ,\n", "c.ini:2: allow_gids: empty list" },
	{ "[pool a]\nplugin =\n", "c.ini:2: empty path" },
	{ "[server]\n  socket = /s\n", "c.ini:2: indented line" },
	{ "[server] x\n", "c.ini:1: text after section header" },
	{ "[server\n", "c.ini:1: unterminated section header" },
	{ "[server]\nsocket\n", "c.ini:2: syntax error" },
	{ "[server]\nsocket = /s\0x\n", "c.ini:2: NUL byte" },
	{ "[server]\nsocket = /s\n", "c.ini:2: no [pool NAME] section" },
	{ "[pool a]\nprofile = /a\nplugin = /b\n", "[server] socket is required" },
	{ "[server]\nsocket = /s\n[pool a]\nprofile = /a\n", "c.ini:3: pool 'a' needs both profile and plugin" },
};

static void test_refused(struct srv_config *c)
{
	char err[512];

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		/* Lengths by the text up to the last newline, so an embedded
		 * NUL stays part of the buffer. */
		size_t len = strlen(refused[i].text);

		if (strstr(refused[i].err, "NUL"))
			len = sizeof("[server]\nsocket = /s\0x\n") - 1;
		err[0] = '\0';
		CHECK_INT(srv_config_parse("c.ini", refused[i].text, len, c, err, sizeof(err)), -1);
		if (!strstr(err, refused[i].err)) {
			fprintf(stderr, "case %zu: got '%s', wanted '%s'\n", i, err, refused[i].err);
			check_failures++;
		}
	}
}

static void test_long_line(struct srv_config *c)
{
	char err[512], *text = malloc(1024);

	strcpy(text, "[server]\nsocket = /");
	memset(text + strlen(text), 'a', 600);
	strcpy(text + 19 + 600, "\n");
	CHECK_INT(srv_config_parse("c.ini", text, strlen(text), c, err, sizeof(err)), -1);
	CHECK(strstr(err, "c.ini:2: line is") != NULL);
	free(text);
}

int main(void)
{
	struct srv_config *c = calloc(1, sizeof(*c));

	test_full(c);
	test_refused(c);
	test_long_line(c);
	free(c);
	return check_done("test_serve_config");
}
