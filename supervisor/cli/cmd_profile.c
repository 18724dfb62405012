/* caisson profile check|show|exceptions: the lint, the effective policy and
 * the exception register of profile files. Runs as the invoking user and
 * only reads profiles and compiles filters (never loads one). Exceptions
 * expire against today (UTC), or against CAISSON_TODAY=YYYY-MM-DD when set,
 * which only this command reads (for tests and for planning renewals). */
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "broker/landlock.h"
#include "cli_args.h"
#include "cmd.h"
#include "policy/policy.h"
#include "policy/profile_load.h"
#include "policy/sysgroups.h"
#include "policy/units.h"

static const char profile_usage[] =
	"usage: caisson profile check FILE...\n"
	"       caisson profile show FILE\n"
	"       caisson profile exceptions [--format text|json] FILE...\n"
	"Options may come anywhere after 'profile'; '--' ends them.\n"
	"\n"
	"  check       lint each profile: one line per refused profile on stderr\n"
	"              ('FILE:LINE: message'), 'FILE: ok (N exceptions)' on stdout\n"
	"  show        the effective policy: namespaces, binds, data, scratch, library directories,\n"
	"              limits, the resolved\n"
	"              run and init-only syscalls with their origin and argument\n"
	"              rules, exceptions, and the SHA-256 of the seccomp filter\n"
	"  exceptions  the exception register: what each exception relaxes, reason,\n"
	"              approver, expiry and days left (text, or a JSON array)\n"
	"\n"
	"[plugin] library_path = DIR (repeatable, absolute) adds a directory the\n"
	"plugin's libraries may come from besides the system's (ld.so.conf and the\n"
	"default directories); the plugin's own DT_RUNPATH/DT_RPATH may name only\n"
	"those and directories inside the plugin's own, and is refused otherwise.\n"
	"\n"
	"Exceptions expire at the end of their day (UTC); CAISSON_TODAY=YYYY-MM-DD\n"
	"replaces today. Exit status: 0 all profiles accepted, 1 some profile\n"
	"refused, 2 usage error.\n";

static int pr_today(int32_t *today)
{
	const char *env = getenv("CAISSON_TODAY");

	*today = profile_today();
	if (env && profile_date_parse(env, today) < 0) {
		fprintf(stderr, "caisson profile: CAISSON_TODAY='%.20s' is not a date (YYYY-MM-DD)\n", env);
		return -1;
	}
	return 0;
}

/* Loads path into *p; prints the one-line refusal on stderr. 0 or -1. */
static int pr_load(const char *path, int32_t today, struct profile *p)
{
	char err[1024];

	if (profile_load_on(path, today, p, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "%s\n", err);
	return -1;
}

static int pr_check(char **files, int n, int32_t today)
{
	struct profile p;
	int rc = 0;

	for (int i = 0; i < n; i++) {
		if (pr_load(files[i], today, &p) < 0) {
			rc = 1;
			continue;
		}
		printf("%s: ok (%zu exception%s)\n", files[i], p.nexceptions, p.nexceptions == 1 ? "" : "s");
		profile_free(&p);
	}
	return rc;
}

/* note: what the filter does instead of a plain allow (NULL: the rule
 * sysgroups attaches, if any). */
static void pr_syscall(int nr, const struct profile_origin *from, const char *implied, const char *note)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	const char *rule = note ? note : name ? sysgroups_rule_text(sysgroups_rule(name)) : "";
	char origin[96];

	if (from->line)
		snprintf(origin, sizeof(origin), "line %u%s%s", from->line, from->via ? " via " : "",
			 from->via ? from->via : "");
	else
		snprintf(origin, sizeof(origin), "%s", implied);
	if (*rule)
		printf("  %-20s %-24s %s\n", name ? name : "?", origin, rule);
	else
		printf("  %-20s %s\n", name ? name : "?", origin);
	free(name);
}

/* What the run filter does with syscall nr other than allow it whole:
 * the profile's argument rule, or notify (the loader's opens); NULL for
 * nothing (or the rule sysgroups attaches). */
static const char *pr_run_note(const struct profile *p, const struct policy *pol, int nr, char *buf, size_t len)
{
	const struct argrule *r = profile_argrule(p, nr);

	if (r) {
		argrule_text(r, buf, len);
		return buf;
	}
	if ((pol->run_notify[nr / 64] >> (nr % 64)) & 1)
		return "notified: served to the loader until READY, then continued";
	return NULL;
}

static void pr_syscalls(const struct profile *p, const struct policy *pol)
{
	char note[160];
	static const struct profile_origin none = { 0, NULL };
	size_t nrun = 0, ninit = 0, nfail = 0;

	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		nrun += profile_set_has(p->run, nr);
		nfail += profile_set_has(p->fail, nr);
		ninit += profile_set_has(pol->init_set, nr) && !profile_set_has(p->run, nr);
	}
	printf("run syscalls (%zu): allowed by the filter for the worker's whole life\n", nrun);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		if (profile_set_has(p->run, nr))
			pr_syscall(nr, &p->run_from[nr], "", pr_run_note(p, pol, nr, note, sizeof(note)));
	printf("init-only syscalls (%zu): tolerated only while the plugin loads and initialises\n", ninit);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		if (profile_set_has(pol->init_set, nr) && !profile_set_has(p->run, nr))
			pr_syscall(nr, profile_set_has(p->init, nr) ? &p->init_from[nr] : &none,
				   "policy's " SYSGROUPS_LOADER, NULL);
	printf("failed syscalls (%zu): refused with EPERM, the worker lives on\n", nfail);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		if (profile_set_has(p->fail, nr))
			pr_syscall(nr, &p->fail_from[nr], "", NULL);
}

static void pr_pool(const struct profile_pool *pl)
{
	char idle[32];

	units_format_us(pl->idle_ms * 1000, idle, sizeof(idle));
	printf("pool:        min_workers %u, max_workers %u, queue %u, requests_per_worker %u, idle_timeout %s, "
	       "failure_threshold %u, pipeline %u\n",
	       pl->min_workers, pl->max_workers, pl->queue, pl->requests_per_worker, idle, pl->failure_threshold,
	       pl->pipeline);
}

static void pr_limits(const struct profile_limits *l)
{
	char wall[32], cpu[32], mem[32], out[32], in[32];

	units_format_us(l->wall_ms * 1000, wall, sizeof(wall));
	units_format_us(l->cpu_ms * 1000, cpu, sizeof(cpu));
	units_format_size(l->memory_bytes, mem, sizeof(mem));
	units_format_size(l->output_bytes, out, sizeof(out));
	units_format_size(l->input_bytes, in, sizeof(in));
	printf("limits:      wall_time %s, cpu_time %s, memory %s, output %s, input %s, open_files %u\n",
	       wall, cpu, mem, out, in, l->open_files);
}

static void pr_exception_text(const char *file, const char *name, const struct profile_exception *e,
			      int32_t today)
{
	printf("%s:%u: %s: %s; reason: %s; approver: %s; expires %s (%d days left)\n", file, e->line,
	       name[0] ? name : "(unnamed)", e->relaxes, e->reason, e->approver, e->expires,
	       (int)(e->expires_day - today));
}

/* What the profile demands and what this kernel makes of it. */
static void pr_landlock(const struct profile *p)
{
	char rights[1024], err[256];
	uint32_t abi = 0;

	printf("landlock:    %s; ", p->landlock == PROFILE_LANDLOCK_REQUIRED ? "required" : "auto");
	if (landlock_for_profile(p, &abi, err, sizeof(err)) < 0) {
		printf("workers refused here: %s\n", err);
		return;
	}
	landlock_describe(abi, rights, sizeof(rights));
	if (abi)
		printf("ABI %u (kernel %u); enforced: %s; read allowed beneath the binds and data only%s\n", abi,
		       landlock_kernel_abi(), rights, p->scratch_bytes ? "; read, write, create, remove beneath /tmp" : "");
	else
		printf("%s\n", rights);
}

/* What every worker keeps of the capabilities this kernel knows: none.
 * Names from libcap, so the line follows the running kernel. */
static void pr_caps(void)
{
	cap_value_t bits = cap_max_bits();
	char *first = cap_to_name(0), *last = cap_to_name(bits - 1);

	printf("capabilities: none of the %d this kernel knows (%s .. %s), in every set (effective, "
	       "permitted, inheritable, ambient, bounding); securebits locked\n",
	       (int)bits, first ? first : "?", last ? last : "?");
	cap_free(first);
	cap_free(last);
}

static void pr_show_profile(const char *file, const struct profile *p, int32_t today)
{
	printf("profile:     %s (%s)\n", p->name[0] ? p->name : "(unnamed)", file);
	if (p->description[0])
		printf("description: %s\n", p->description);
	printf("namespaces: ");
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		printf(" %s=%s", profile_ns_names[i], p->ns_on[i] ? "on" : "off");
	printf("\nbinds:       %s\n", p->nbinds ? "" : "none (the plugin and its libraries reach the loader as descriptors)");
	for (size_t i = 0; i < p->nbinds; i++)
		printf("  %s (read-only, noexec)\n", p->binds[i]);
	printf("data:        %s\n", p->ndata ? "" : "none");
	for (size_t i = 0; i < p->ndata; i++)
		printf("  %s (read-only, nodev, nosuid, noexec; for the worker's whole life)\n", p->data[i]);
	if (p->scratch_bytes)
		printf("scratch:     %llu bytes at /tmp (tmpfs, mode 0700, the worker's uid, nodev, nosuid, noexec)\n",
		       (unsigned long long)p->scratch_bytes);
	else
		printf("scratch:     none\n");
	printf("library_path: %s\n", p->nlibrary_paths ? "" : "none (system library directories only)");
	for (size_t i = 0; i < p->nlibrary_paths; i++)
		printf("  %s\n", p->library_paths[i]);
	pr_landlock(p);
	pr_caps();
	pr_limits(&p->limits);
	pr_pool(&p->pool);
	if (p->output_ext[0])
		printf("output:      answers written by 'caisson run -o DIR' end in .%s\n", p->output_ext);
	else
		printf("output:      answers written by 'caisson run -o DIR' keep their input's name\n");
	printf("exceptions (%zu):\n", p->nexceptions);
	for (size_t i = 0; i < p->nexceptions; i++) {
		printf("  ");
		pr_exception_text(file, p->name, &p->exceptions[i], today);
	}
}

static int pr_show(const char *file, int32_t today)
{
	struct profile p;
	struct policy pol;
	char err[512];

	if (pr_load(file, today, &p) < 0)
		return 1;
	if (policy_build(&p, &pol, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", file, err);
		profile_free(&p);
		return 1;
	}
	pr_show_profile(file, &p, today);
	pr_syscalls(&p, &pol);
	printf("filter:      %zu BPF instructions, sha256 ", pol.ninsns);
	for (size_t i = 0; i < sizeof(pol.digest); i++)
		printf("%02x", pol.digest[i]);
	printf("\n");
	policy_free(&pol);
	profile_free(&p);
	return 0;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t pr_utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
		   s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string: quotes, backslashes and control bytes escaped, and any
 * byte that is not valid UTF-8 (a file name can hold one) as U+FFFD. */
static void pr_json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n = pr_utf8_len(s);

		if (!n)
			fputs("\\ufffd", stdout);
		else if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			printf("\\u%04x", *s);
		else
			fwrite(s, 1, n, stdout);
		s += n ? n : 1;
	}
	putchar('"');
}

static void pr_exception_json(const char *file, const char *name, const struct profile_exception *e,
			      int32_t today, bool first)
{
	static const char *const keys[] = { "file", "profile", "allow", "relaxes", "reason", "approver",
					    "expires" };
	const char *vals[] = { file, name, e->allow, e->relaxes, e->reason, e->approver, e->expires };

	printf("%s\n  {", first ? "" : ",");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		printf("\"%s\": ", keys[i]);
		pr_json_str(vals[i]);
		printf(", ");
	}
	printf("\"line\": %u, \"days_left\": %d}", e->line, (int)(e->expires_day - today));
}

static int pr_exceptions(char **files, int n, bool json, int32_t today)
{
	struct profile p;
	bool first = true;
	int rc = 0;

	if (json)
		printf("[");
	for (int i = 0; i < n; i++) {
		if (pr_load(files[i], today, &p) < 0) {
			rc = 1;
			continue;
		}
		if (!json && !p.nexceptions)
			printf("%s: no exceptions\n", files[i]);
		for (size_t j = 0; j < p.nexceptions; j++, first = false) {
			if (json)
				pr_exception_json(files[i], p.name, &p.exceptions[j], today, first);
			else
				pr_exception_text(files[i], p.name, &p.exceptions[j], today);
		}
		profile_free(&p);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	return rc;
}

/* The subcommand and its files from the arguments, options anywhere. 0, or
 * 2 after a usage error, or 1 when --help was printed. */
static int pr_parse(int argc, char **argv, struct cli_args *a, const char **format)
{
	static const struct option lo[] = { { "help", no_argument, NULL, 'h' },
					    { "format", required_argument, NULL, 'f' }, { 0 } };
	const char *sub;
	int c;

	*format = NULL;
	while ((c = cli_getopt(a, argc, argv, "h", lo)) != -1) {
		if (c == 'h') {
			fputs(profile_usage, stdout);
			return 1;
		}
		if (c != 'f')
			return 2;
		*format = optarg;
	}
	sub = a->npos ? a->pos[0] : NULL;
	if (!sub)
		return cli_usage_error("profile", "a subcommand is required (check, show or exceptions)");
	if (strcmp(sub, "check") && strcmp(sub, "show") && strcmp(sub, "exceptions"))
		return cli_usage_error("profile", "unknown subcommand '%s' (check, show or exceptions)", sub);
	if (*format && strcmp(sub, "exceptions"))
		return cli_usage_error("profile", "--format applies to 'exceptions' only");
	if (*format && strcmp(*format, "text") && strcmp(*format, "json"))
		return cli_usage_error("profile", "--format takes text or json, not '%s'", *format);
	if (a->npos < 2 || (!strcmp(sub, "show") && a->npos != 2))
		return cli_usage_error("profile", "%s", !strcmp(sub, "show") ? "show takes exactly one FILE" :
							       "FILE is required");
	return 0;
}

int cmd_profile(int argc, char **argv)
{
	struct cli_args a;
	const char *format, *sub;
	char **files;
	int32_t today;
	int n, rc;

	if (cli_args_init(&a, "profile", argc) < 0)
		return 2;
	rc = pr_parse(argc, argv, &a, &format);
	if (rc != 0) {
		cli_args_free(&a);
		return rc == 1 ? 0 : 2;
	}
	sub = a.pos[0];
	files = a.pos + 1;
	n = a.npos - 1;
	if (pr_today(&today) < 0)
		rc = 2;
	else if (!strcmp(sub, "check"))
		rc = pr_check(files, n, today);
	else if (!strcmp(sub, "show"))
		rc = pr_show(files[0], today);
	else
		rc = pr_exceptions(files, n, format && !strcmp(format, "json"), today);
	cli_args_free(&a);
	return fflush(stdout) == 0 ? rc : 2;
}
