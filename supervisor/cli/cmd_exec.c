/* caisson exec: runs an existing program (a converter binary) over inputs
 * through a pool of sandboxed workers, as caisson run does a plugin. Runs
 * in the supervisor as the invoking user. The tool is found (PATH for a
 * bare name) and canonicalised here; the broker resolves its libraries and
 * interpreter (setup_exec.c). Exit status and failure lines as caisson run. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_args.h"
#include "cmd.h"
#include "run.h"
#include "policy/profile.h"

static const char exec_usage[] =
	"usage: caisson exec [-v] [-j N] [-o DIR|-] [-e EXT] -p PROFILE -- TOOL [ARGS...] [-- FILE...]\n"
	"\n"
	"Runs the program TOOL with ARGS over each FILE (stdin when none) in a pool of\n"
	"sandboxed workers confined by PROFILE, one input per sandbox: the input is the\n"
	"tool's stdin, its stdout the answer (in input order on stdout, or in\n"
	"DIR/<basename of FILE>). TOOL is an absolute path, or a name looked up in PATH;\n"
	"it must be a dynamically linked ELF program, not set-user-ID or set-group-ID.\n"
	"Its libraries and loader reach the sandbox as descriptors the supervisor\n"
	"serves, never the host's /usr. No shell: each of ARGS is one argument, with\n"
	"these placeholders expanded inside it:\n"
	"  {in}   /tmp/in, where the input is written instead of stdin\n"
	"  {out}  /tmp/out, read back as the answer after exit 0 instead of stdout\n"
	"         ({in} and {out} need '[filesystem] scratch = SIZE' in the profile)\n"
	"  {{ }}  a literal brace\n"
	"Any other brace is refused before anything runs.\n"
	"\n"
	"  -p, --profile PROFILE  profile (.ini) to confine the workers with (required)\n"
	"  -j, --jobs N           run up to N workers at once (overrides [pool] max_workers)\n"
	"  -o, --output DIR       write each input's answer to DIR/<basename>\n"
	"  -o -, --output -       write answers to stdout even when binary on a terminal\n"
	"  -e, --ext EXT          under -o DIR, answers end in .EXT\n"
	"  -v, --verbose          forward the workers' stderr (the tools') to stderr\n"
	"\n"
	"Exit 0 from the tool is OK; exit N is 'PLUGIN_ERROR exit N: <its last stderr\n"
	"line>'; a signal, a limit or a forbidden syscall fails as it does for a plugin.\n"
	"Each failed input prints '<input>: STATUS detail' on stderr.\n"
	"Exit status: 0 all inputs OK, 1 some input failed, 2 usage or configuration error.\n";

/* The tool's absolute, canonical path: a name with a slash as given, a
 * bare name from PATH (the first executable regular file). */
static int exec_find_tool(const char *name, char *out)
{
	const char *path = getenv("PATH");
	char cand[PATH_MAX];
	struct stat st;

	if (strchr(name, '/'))
		return realpath(name, out) ? 0 : -1;
	for (const char *s = path ? path : ""; *s;) {
		size_t n = strcspn(s, ":");

		if (n && (size_t)snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, s, name) < sizeof(cand) &&
		    stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return realpath(cand, out) ? 0 : -1;
		s += n + (s[n] == ':');
	}
	errno = ENOENT;
	return -1;
}

/* The options end at the first "--"; TOOL and ARGS follow it, up to a
 * second "--" before the FILEs. */
static int exec_split(int argc, char **argv, int *opt_end, int *files)
{
	*opt_end = *files = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*opt_end = i;
			break;
		}
	for (int i = *opt_end + 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*files = i;
			break;
		}
	if (*opt_end + 1 >= argc || *files == *opt_end + 1)
		return cli_usage_error("exec", "-- TOOL [ARGS...] is required after the options");
	return 0;
}

static int exec_parse(int argc, char **argv, struct cli_args *a, struct run_opts *o, int opt_end)
{
	static const struct option lo[] = { { "profile", required_argument, NULL, 'p' },
					    { "output", required_argument, NULL, 'o' },
					    { "ext", required_argument, NULL, 'e' },
					    { "jobs", required_argument, NULL, 'j' },
					    { "verbose", no_argument, NULL, 'v' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	int c;

	while ((c = cli_getopt(a, opt_end, argv, "p:o:e:j:vh", lo)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'e':
			o->ext = optarg[0] == '.' ? optarg + 1 : optarg;
			if (!profile_ext_valid(o->ext))
				return cli_usage_error("exec", "--ext wants 1 to %u characters from [A-Za-z0-9_+-], "
						       "not '%s'", PROFILE_EXT_MAX, optarg);
			break;
		case 'v': o->verbose = 1; break;
		case 'j':
			if (run_parse_jobs("exec", optarg, &o->jobs))
				return -1;
			break;
		case 'h': fputs(exec_usage, stdout); exit(0);
		default: return -1;
		}
	}
	if (a->npos)
		return cli_usage_error("exec", "'%s': TOOL follows '--', and FILEs a second '--'", a->pos[0]);
	if (!o->profile)
		return cli_usage_error("exec", "-p PROFILE is required");
	if (o->ext && (!o->outdir || !strcmp(o->outdir, "-")))
		return cli_usage_error("exec", "--ext names the answers' files: it needs -o DIR");
	(void)argc;
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct cli_args a;
	char tool[PATH_MAX];
	const char **targv = NULL;
	int opt_end, files, rc = 2;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(exec_usage, stdout);
			return 0;
		}
	if (exec_split(argc, argv, &opt_end, &files) || cli_args_init(&a, "exec", argc) < 0)
		return 2;
	if (exec_parse(argc, argv, &a, &o, opt_end) < 0)
		goto out;
	if (exec_find_tool(argv[opt_end + 1], tool) < 0) {
		fprintf(stderr, "caisson: %s: %s\n", argv[opt_end + 1], strerror(errno));
		goto out;
	}
	targv = calloc((size_t)(files - opt_end), sizeof(*targv));
	if (!targv) {
		fprintf(stderr, "caisson: out of memory\n");
		goto out;
	}
	targv[0] = tool;
	for (int i = opt_end + 2; i < files; i++)
		targv[i - opt_end - 1] = argv[i];
	o.tool_argv = targv;
	o.inputs = files < argc ? argv + files + 1 : NULL;
	o.ninputs = files < argc ? argc - files - 1 : 0;
	rc = run_pool(&o);
out:
	free(targv);
	cli_args_free(&a);
	return rc;
}
