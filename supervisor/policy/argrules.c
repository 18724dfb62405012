/* Argument rules; see argrules.h. Pure data and parsing, run in the
 * supervisor on untrusted profile text: every name is looked up in a
 * fixed table, every count bounded. */
#include "argrules.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ar_name {
	const char *name;
	uint64_t value;
};

static const struct ar_name ar_families[] = {
	{ "AF_UNIX", 1 }, { "AF_LOCAL", 1 }, { "AF_INET", 2 }, { "AF_INET6", 10 }, { "AF_NETLINK", 16 },
};
static const struct ar_name ar_unix[] = { { "AF_UNIX", 1 }, { "AF_LOCAL", 1 } };
/* Options that read or set the caller's own harmless attributes only. */
static const struct ar_name ar_prctl[] = {
	{ "PR_SET_PDEATHSIG", 1 },     { "PR_GET_PDEATHSIG", 2 },     { "PR_GET_DUMPABLE", 3 },
	{ "PR_SET_NAME", 15 },         { "PR_GET_NAME", 16 },         { "PR_GET_SECCOMP", 21 },
	{ "PR_CAPBSET_READ", 23 },     { "PR_GET_TIMERSLACK", 30 },   { "PR_SET_NO_NEW_PRIVS", 38 },
	{ "PR_GET_NO_NEW_PRIVS", 39 }, { "PR_SET_VMA", 0x53564d41 },
};
static const struct ar_name ar_threads[] = { { "threads", 0 } };

#define AR_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *sys;
	uint8_t arg, kind;
	const struct ar_name *names;
	size_t nnames;
} ar_specs[] = {
	{ "socket", 0, ARGRULE_VALUES, ar_families, AR_N(ar_families) },
	{ "socketpair", 0, ARGRULE_VALUES, ar_unix, AR_N(ar_unix) },
	{ "clone", 0, ARGRULE_CLONE_THREADS, ar_threads, AR_N(ar_threads) },
	{ "prctl", 0, ARGRULE_VALUES, ar_prctl, AR_N(ar_prctl) },
};

static int ar_spec(const char *sys)
{
	for (size_t i = 0; i < AR_N(ar_specs); i++)
		if (!strcmp(ar_specs[i].sys, sys))
			return (int)i;
	return -1;
}

static int ar_value(int s, const char *name, uint64_t *v)
{
	for (size_t i = 0; i < ar_specs[s].nnames; i++)
		if (!strcmp(ar_specs[s].names[i].name, name)) {
			*v = ar_specs[s].names[i].value;
			return 0;
		}
	return -1;
}

/* Adds one named value (a repeat, or an alias of one, counts once). */
static int ar_add(int s, const char *name, struct argrule *r, char *err, size_t errlen)
{
	uint64_t v;

	if (ar_value(s, name, &v) < 0) {
		snprintf(err, errlen, "'%.40s' is not a value %s(...) accepts", name, ar_specs[s].sys);
		return -1;
	}
	for (uint32_t i = 0; i < r->nvals; i++)
		if (r->vals[i] == v)
			return 0;
	if (r->nvals >= ARGRULE_VALS_MAX) {
		snprintf(err, errlen, "more than %u values in %s(...)", ARGRULE_VALS_MAX, ar_specs[s].sys);
		return -1;
	}
	r->vals[r->nvals++] = v;
	return 0;
}

int argrule_parse(const char *tok, struct argrule *r, char *err, size_t errlen)
{
	char buf[ARGRULE_TEXT_MAX + 1], *open, *p;
	size_t len = strlen(tok);
	int s;

	memset(r, 0, sizeof(*r));
	if (len > ARGRULE_TEXT_MAX || !(open = strchr(memcpy(buf, tok, len + 1), '(')) || buf[len - 1] != ')' ||
	    open == buf || open + 2 == buf + len) {
		snprintf(err, errlen, "'%.60s' is not name(VALUE|VALUE...)", tok);
		return -1;
	}
	*open = buf[len - 1] = '\0';
	if ((s = ar_spec(buf)) < 0) {
		snprintf(err, errlen, "no argument rule for '%.40s' (rules exist for socket, socketpair, clone, prctl)",
			 buf);
		return -1;
	}
	r->nr = seccomp_syscall_resolve_name(buf);
	if (r->nr < 0) {
		snprintf(err, errlen, "syscall '%s' does not exist on this architecture", buf);
		return -1;
	}
	r->arg = ar_specs[s].arg;
	r->kind = ar_specs[s].kind;
	for (p = open + 1; p;) {
		char *bar = strchr(p, '|');

		if (bar)
			*bar = '\0';
		if (ar_add(s, p, r, err, errlen) < 0)
			return -1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

bool argrule_within(const struct argrule *a, const struct argrule *b)
{
	if (a->nr != b->nr || a->kind != b->kind || a->arg != b->arg)
		return false;
	for (uint32_t i = 0; i < a->nvals; i++) {
		bool found = false;

		for (uint32_t j = 0; j < b->nvals && !found; j++)
			found = a->vals[i] == b->vals[j];
		if (!found)
			return false;
	}
	return true;
}

/* The first name for value v of the rule's syscall. */
static const char *ar_name_of(const struct argrule *r, uint64_t v)
{
	char *sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);
	int s = sys ? ar_spec(sys) : -1;

	free(sys);
	for (size_t i = 0; s >= 0 && i < ar_specs[s].nnames; i++)
		if (ar_specs[s].names[i].value == v)
			return ar_specs[s].names[i].name;
	return "?";
}

void argrule_text(const struct argrule *r, char *buf, size_t len)
{
	size_t off;

	if (r->kind == ARGRULE_CLONE_THREADS) {
		snprintf(buf, len, "threads only: arg0 has CLONE_VM|FS|FILES|SIGHAND|THREAD, no CLONE_NEW*");
		return;
	}
	off = (size_t)snprintf(buf, len, "only when arg%u is", r->arg);
	for (uint32_t i = 0; i < r->nvals && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %s", i ? (i + 1 == r->nvals ? " or" : ",") : "",
					ar_name_of(r, r->vals[i]));
}
