/* Profiles: the INI files (parsed with inih) that say what a worker may do,
 * as data: the parsed struct, its limits, defaults and queries. Loading one
 * (parse and lint) is profile_load.h's; workers never see profiles. Every
 * key is driven from one table in profile_keys.c.
 * Error convention: -1 with "FILE:LINE: message" in err (FILE as given;
 * "FILE: message" when no line applies: open failure, not a regular file).
 * Dates are days since 1970-01-01 (UTC); "today" decides which [exception]
 * has expired, and is a parameter so tests never depend on the clock. */
#ifndef CAISSON_PROFILE_H
#define CAISSON_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "argrules.h"
#include "reqargs.h"

#define PROFILE_FILE_MAX (64u * 1024) /* bytes */
#define PROFILE_NAME_MAX 63u
#define PROFILE_DESC_MAX 200u
#define PROFILE_PATH_MAX 1023u /* bind_ro and arg values, bytes */
#define PROFILE_MAX_BINDS 32u /* bind_ro entries, and data entries */
#define PROFILE_SCRATCH_MAX (16ull << 30) /* [filesystem] scratch: 16G */
#define PROFILE_MAX_ARGS 32u
#define PROFILE_MAX_LIBPATHS 16u /* [plugin] library_path entries */
#define PROFILE_MAX_EXEC_LIBS 16u /* [exec] library entries */
#define PROFILE_MAX_NR 512 /* native syscall numbers below this */
#define PROFILE_SET_WORDS ((PROFILE_MAX_NR + 63) / 64)
/* One [exception] covers one syscall or one @group: a profile that widens
 * the filter call by call (tests/profiles/widen.ini: 18) outgrew 16. The
 * cap only bounds the register (~0.6 KiB each, in struct profile) and the
 * lint's per-exception state; a profile near it deserves a review anyway. */
#define PROFILE_MAX_EXCEPTIONS 64u
#define PROFILE_ALLOW_MAX ARGRULE_TEXT_MAX /* an exception's allow: syscall, @group or rule */
#define PROFILE_MAX_ARGRULES 16u /* syscalls allowed with an argument rule */
#define PROFILE_REASON_MAX 255u  /* bytes of UTF-8 */
#define PROFILE_APPROVER_MAX 127u
#define PROFILE_DATE_LEN 10u     /* YYYY-MM-DD */
#define PROFILE_EXT_MAX 16u      /* [output] extension */

enum profile_ns {
	PROFILE_NS_USER,
	PROFILE_NS_PID,
	PROFILE_NS_MOUNT,
	PROFILE_NS_NETWORK,
	PROFILE_NS_IPC,
	PROFILE_NS_UTS,
	PROFILE_NS_CGROUP,
	PROFILE_NS_COUNT
};

struct profile_limits {
	uint64_t wall_ms, cpu_ms, memory_bytes, output_bytes, input_bytes;
	uint32_t open_files;
};

/* [pool] pipeline: at most this many requests in one worker at once. */
#define PROFILE_PIPELINE_MAX 64u

/* [pool]: how many workers, how long they live, how much may wait. */
struct profile_pool {
	uint32_t min_workers;         /* spawned at pool start and kept warm */
	uint32_t max_workers;
	uint32_t queue;               /* requests waiting beyond that: OVERLOADED */
	uint32_t requests_per_worker; /* 1: a fresh worker for every request */
	uint64_t idle_ms;             /* idle workers above min_workers retire */
	uint32_t failure_threshold;   /* consecutive failures that open the breaker */
	uint64_t prefault_bytes;      /* heap and each bulk region touched before READY */
	uint32_t pipeline;            /* requests a busy worker may hold: its own and those queued behind it */
};

/* Where a syscall entered a set: the line naming it and, when it came
 * through a group, that group's name (static storage). line 0: absent. */
struct profile_origin {
	uint32_t line;
	const char *via;
};

/* One [exception] section: a weakening of the baseline someone approved,
 * until a date. allow names one syscall, or an @group whose dangerous
 * members it covers; relaxes is the same as a register shows it. Lines are
 * where each key was set (line: the section header). */
struct profile_exception {
	char allow[PROFILE_ALLOW_MAX + 1];
	/* allow = name(...): approves that syscall within that rule only. */
	bool has_rule;
	struct argrule rule;
	char relaxes[PROFILE_ALLOW_MAX + 32];
	char reason[PROFILE_REASON_MAX + 1];
	char approver[PROFILE_APPROVER_MAX + 1];
	char expires[PROFILE_DATE_LEN + 1];
	int32_t expires_day; /* last valid day */
	uint32_t line, allow_line, reason_line, approver_line, expires_line;
	/* stub = ...: written by `caisson profile learn` for a person to
	 * decide; refused while present (profile_exc.c). */
	uint32_t stub_line;
};

/* [filesystem] landlock: auto applies a Landlock ruleset where the kernel
 * has Landlock and runs without one where it has not; required refuses to
 * start workers without one. */
enum profile_landlock {
	PROFILE_LANDLOCK_AUTO,
	PROFILE_LANDLOCK_REQUIRED,
};

struct profile {
	char name[PROFILE_NAME_MAX + 1];
	char description[PROFILE_DESC_MAX + 1];
	/* [namespaces]: a loaded profile has every namespace on (the lint
	 * refuses "off"); ns_line records where each was set, 0 if defaulted. */
	bool ns_on[PROFILE_NS_COUNT];
	uint32_t ns_line[PROFILE_NS_COUNT];
	struct profile_limits limits;
	struct profile_pool pool;
	char **binds; /* [filesystem] bind_ro: absolute, read-only, noexec */
	enum profile_landlock landlock;
	size_t nbinds;
	char **plugin_args; /* [plugin] arg */
	size_t nplugin_args;
	char **library_paths; /* [plugin] library_path: absolute directories */
	size_t nlibrary_paths;
	/* [exec] library (repeatable): shared objects an exec tool loads at
	 * run time by path (dlopen), served like its own libraries, with
	 * theirs. Only exec pools read it: a plugin's worker (verify's probe
	 * worker of an exec profile too) loads what its ELF headers name. */
	char **exec_libs;
	size_t nexec_libs;
	/* [output] extension: the file extension `caisson run -o DIR` gives
	 * the answers (the plugin's output format); "" keeps the input's. */
	char output_ext[PROFILE_EXT_MAX + 1];
	/* [filesystem] data: run-time read-only data, mounted at the same path
	 * for the worker's whole life (lint_data.c checks each against the
	 * host); data_line: where each was set. scratch_bytes: [filesystem]
	 * scratch, the private tmpfs at /tmp (0: none), set on scratch_line. */
	char **data;
	size_t ndata;
	uint32_t data_line[PROFILE_MAX_BINDS];
	uint64_t scratch_bytes;
	uint32_t scratch_line;
	/* [seccomp], resolved to native syscall numbers. run: allowed by the
	 * filter (argument rules from sysgroups_rule() apply); init: also
	 * tolerated while the plugin initialises (see policy.h). */
	uint64_t run[PROFILE_SET_WORDS], init[PROFILE_SET_WORDS];
	struct profile_origin run_from[PROFILE_MAX_NR], init_from[PROFILE_MAX_NR];
	/* [seccomp] fail: refused with EPERM by the filter, never reaching
	 * the kernel nor killing the worker: the harmless probes a program
	 * makes and copes without (isatty's ioctl, sysinfo). Disjoint from
	 * run and init (the parser checks). */
	uint64_t fail[PROFILE_SET_WORDS];
	struct profile_origin fail_from[PROFILE_MAX_NR];
	/* Run-set syscalls allowed only within an argument rule (allow =
	 * name(...)); each is in run too, and allowed nowhere more widely. */
	struct argrule argrules[PROFILE_MAX_ARGRULES];
	size_t nargrules;
	/* [args]: the per-request arguments a request may carry (reqargs.h). */
	struct reqargs_decl args;
	/* [exception] sections, in file order; each covers at least one
	 * dangerous allowance and none has expired (the lint checks). */
	struct profile_exception exceptions[PROFILE_MAX_EXCEPTIONS];
	size_t nexceptions;
};

extern const char *const profile_ns_names[PROFILE_NS_COUNT];

/* The argument rule the run set puts on syscall nr, or NULL (allowed
 * without one, or not at all). */
const struct argrule *profile_argrule(const struct profile *p, int nr);

/* Today (UTC) by the real clock, in days since 1970-01-01. */
int32_t profile_today(void);
/* Parses a strict, existing YYYY-MM-DD date (1970..9999) into *day; 0 or -1. */
int profile_date_parse(const char *s, int32_t *day);
/* Every limit and namespace at its default. */
void profile_defaults(struct profile *p);
void profile_free(struct profile *p);
/* Whether s is a valid answer extension: 1 to PROFILE_EXT_MAX characters
 * from [A-Za-z0-9_+-] (no dot, no slash). */
bool profile_ext_valid(const char *s);
/* Whether native syscall nr is in set (run, init or fail); false out of range. */
bool profile_set_has(const uint64_t set[PROFILE_SET_WORDS], long nr);

#endif
