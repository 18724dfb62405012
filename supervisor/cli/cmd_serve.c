/* caisson serve: runs the daemon (supervisor/serve/) until SIGTERM or
 * SIGINT. Runs in the supervisor as the invoking user (root or not).
 * Exit 0 after a clean drain, 1 when the event loop failed, 2 for usage or
 * configuration errors (nothing was served). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_args.h"
#include "cmd.h"
#include "serve/serve.h"

static const char serve_usage[] =
	"usage: caisson serve -c CONFIG\n"
	"\n"
	"Serves the pools CONFIG declares over HTTP/1.1 on a UNIX socket:\n"
	"  POST /v1/pools/NAME/run[?KEY=VALUE&...]\n"
	"                            body = input, query = per-request arguments\n"
	"                            (the profile's [args]); answer = body,\n"
	"                            Caisson-Status and Caisson-Detail headers; HTTP\n"
	"                            200 OK, 422 PLUGIN_ERROR, 429 OVERLOADED, 413\n"
	"                            INPUT_TOO_LARGE, 400 BAD_ARGS, 502 worker faults,\n"
	"                            500/503 spawn failures (503: breaker open), 403\n"
	"                            uid/gid not allowed, 404, 405\n"
	"  GET /v1/pools             the pools and their counters (JSON)\n"
	"  GET /metrics              Prometheus text\n"
	"  GET /healthz              'ok' (every request: 503 SHUTTING_DOWN while draining)\n"
	"\n"
	"CONFIG (INI):\n"
	"  [server]  socket = PATH (required), socket_mode = 0660, socket_group = NAME|GID,\n"
	"            max_body = 16M, max_clients = 64, client_timeout = 30s\n"
	"  [pool NAME] (or [pool.NAME]), NAME from [a-z0-9_-]:\n"
	"            profile = PATH, plugin = PATH (both required; relative to CONFIG's\n"
	"            directory), workers = N, allow_uids = LIST, allow_gids = LIST\n"
	"            (users/groups by name or number; neither: only the daemon's uid)\n"
	"\n"
	"  -c, --config CONFIG  the configuration file (required)\n"
	"\n"
	"One JSON object per line on stderr for each request and daemon event.\n"
	"SIGTERM or SIGINT: stop accepting, remove the socket, finish what is in\n"
	"flight, stop every worker; a second signal stops at once.\n"
	"SIGHUP: reload CONFIG; unchanged pools keep running, changed and removed\n"
	"ones finish what they hold first; a CONFIG that fails changes nothing.\n"
	"Under systemd: a socket passed by activation (LISTEN_FDS) is used; it must be\n"
	"one listening UNIX stream socket at CONFIG's socket. sd_notify READY, RELOADING,\n"
	"STOPPING, and WATCHDOG=1 when WATCHDOG_USEC is set.\n"
	"Exit status: 0 drained, 1 event loop failure, 2 usage or configuration error.\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = { { "config", required_argument, NULL, 'c' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	const char *config = NULL;
	struct cli_args a;
	char err[1024];
	int c, rc = 2;

	if (cli_args_init(&a, "serve", argc) < 0)
		return 2;
	while ((c = cli_getopt(&a, argc, argv, "c:h", lo)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'h': fputs(serve_usage, stdout); cli_args_free(&a); exit(0);
		default: goto out;
		}
	}
	if (!config || a.npos) {
		cli_usage_error("serve", "%s", !config ? "-c CONFIG is required" : "unexpected argument");
		goto out;
	}
	rc = serve_main(config, err, sizeof(err));
	if (rc == 2)
		fprintf(stderr, "caisson: %s\n", err);
out:
	cli_args_free(&a);
	return rc;
}
