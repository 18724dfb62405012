/* caisson: command-line entry point. Runs as the invoking user (root or
 * not); dispatches to one function per command. Usage errors exit 2. */
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "run a plugin over inputs in sandboxed workers" },
	{ "exec", cmd_exec, "run an existing program (a converter) over inputs in sandboxed workers" },
	{ "profile", cmd_profile, "lint profiles, show the effective policy, list exceptions" },
	{ "verify", cmd_verify, "prove a profile's isolation: attest live workers, run the probes" },
	{ "fuzz", cmd_fuzz, "coverage-guided fuzzing of a libFuzzer harness in sandboxed workers" },
	{ "serve", cmd_serve, "the daemon: pools from a config, served over HTTP on a UNIX socket" },
};

static void usage(void)
{
	printf("usage: caisson COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\n'caisson COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(NULL, "a command is required (run, exec, profile, verify, fuzz or serve)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("caisson %s\n", CAISSON_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
