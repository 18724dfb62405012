/* [exception] sections of profiles: their keys, their dates, and the rule
 * that each section is one exception with all four keys. Runs in the
 * supervisor on untrusted profile text; whether an exception covers
 * anything, and whether it has expired, is the lint's (lint.c). */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "profile_exc.h"
#include "profile_keys.h"
#include "profile_parse.h"
#include "sysgroups.h"

#define EXC_SECTION "exception"

static const char *const exc_keys = "allow, reason, approver and expires";

/* Valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) without control characters: the register is printed on
 * terminals and written as JSON. */
static bool exc_text_ok(const unsigned char *s)
{
	while (*s) {
		size_t n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 :
			   (*s & 0xf8) == 0xf0 ? 3 : 4;

		if (n == 4 || *s < 0x20 || *s == 0x7f || (n == 1 && *s < 0xc2) || *s > 0xf4 ||
		    (*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] >= 0xa0) ||
		    (*s == 0xf0 && s[1] < 0x90) || (*s == 0xf4 && s[1] >= 0x90))
			return false;
		for (size_t i = 1; i <= n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n + 1;
	}
	return true;
}

static struct profile_exception *exc_current(struct profile_parse *ps)
{
	return &ps->p->exceptions[ps->p->nexceptions - 1];
}

/* Each key once per section; the section already exists (exc_open). */
static bool exc_first(struct profile_parse *ps, const struct profile_key *k, uint32_t *line)
{
	if (*line) {
		profile_fail(ps, "duplicate key '%s' in [exception] (first set on line %u)", k->name, *line);
		return false;
	}
	*line = ps->line;
	return true;
}

int profile_exc_allow(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	struct profile_exception *e = exc_current(ps);
	size_t len = strlen(v);

	if (!exc_first(ps, k, &e->allow_line))
		return 0;
	if (strncmp(v, "namespace:", 10) == 0)
		return profile_fail(ps, "allow: '%.40s': this version cannot turn a namespace off, not even "
				    "with an [exception]", v);
	if (strchr(v, '(')) {
		char err[160];

		if (argrule_parse(v, &e->rule, err, sizeof(err)) < 0)
			return profile_fail(ps, "allow: %s", err);
		e->has_rule = true;
		memcpy(e->allow, v, len + 1);
		snprintf(e->relaxes, sizeof(e->relaxes), "syscall %s", v);
		return 1;
	}
	if (len < 1 || len > PROFILE_ALLOW_MAX ||
	    strspn(v, "@abcdefghijklmnopqrstuvwxyz0123456789_-") != len || strchr(v + 1, '@'))
		return profile_fail(ps, "allow: expected one syscall, @group name or argument rule");
	if (v[0] == '@' && !sysgroups_find(v))
		return profile_fail(ps, "allow: unknown syscall group '%s' (vocabulary version %d)", v,
				    SYSGROUPS_VOCABULARY);
	if (v[0] != '@' && seccomp_syscall_resolve_name(v) < 0)
		return profile_fail(ps, "allow: unknown syscall '%s'", v);
	memcpy(e->allow, v, len + 1);
	snprintf(e->relaxes, sizeof(e->relaxes), "%s %s", v[0] == '@' ? "dangerous syscalls of" : "syscall",
		 v);
	return 1;
}

static int exc_text(struct profile_parse *ps, const struct profile_key *k, const char *v, char *dst,
		    size_t max, uint32_t *line)
{
	size_t len = strlen(v);

	if (!exc_first(ps, k, line))
		return 0;
	if (len < 1 || len > max)
		return profile_fail(ps, "%s: expected 1 to %zu bytes", k->name, max);
	if (!exc_text_ok((const unsigned char *)v))
		return profile_fail(ps, "%s: control character or invalid UTF-8", k->name);
	memcpy(dst, v, len + 1);
	return 1;
}

int profile_exc_reason(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	struct profile_exception *e = exc_current(ps);

	return exc_text(ps, k, v, e->reason, PROFILE_REASON_MAX, &e->reason_line);
}

int profile_exc_approver(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	struct profile_exception *e = exc_current(ps);

	return exc_text(ps, k, v, e->approver, PROFILE_APPROVER_MAX, &e->approver_line);
}

int profile_exc_expires(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	struct profile_exception *e = exc_current(ps);

	if (!exc_first(ps, k, &e->expires_line))
		return 0;
	if (profile_date_parse(v, &e->expires_day) < 0)
		return profile_fail(ps, "expires: '%.40s' is not a date (YYYY-MM-DD, an existing day from "
				    "1970 on)", v);
	memcpy(e->expires, v, PROFILE_DATE_LEN + 1);
	return 1;
}

int profile_exc_stub(struct profile_parse *ps, const struct profile_key *k, const char *v)
{
	struct profile_exception *e = exc_current(ps);

	(void)v;
	return exc_first(ps, k, &e->stub_line);
}

/* A learned stub is refused whatever else it holds: only a person may
 * turn it into an exception, by deciding and deleting the stub line. */
static void exc_stub_refuse(struct profile_parse *ps, const struct profile_exception *e)
{
	char todo[64] = "";

	if (!e->reason_line)
		strcat(todo, "reason, ");
	if (!e->approver_line)
		strcat(todo, "approver, ");
	if (!e->expires_line)
		strcat(todo, "expires, ");
	ps->line = e->stub_line;
	profile_fail(ps, "[exception] for '%s' is a stub written by 'caisson profile learn', not an approval: "
		     "a person decides; fill in %sthen delete this 'stub' line", e->allow_line ? e->allow : "?",
		     todo[0] ? todo : "nothing more (all keys are set), ");
}

/* Reports, at its header line, the first key the open exception lacks. */
static void exc_close(struct profile_parse *ps)
{
	const struct profile_exception *e;
	const char *missing;
	uint32_t line = ps->line;

	if (!ps->exc_open)
		return;
	ps->exc_open = false;
	e = exc_current(ps);
	if (e->stub_line) {
		exc_stub_refuse(ps, e);
		ps->line = line;
		return;
	}
	missing = !e->allow_line ? "allow" : !e->reason_line ? "reason" : !e->approver_line ? "approver" :
		  !e->expires_line ? "expires" : NULL;
	if (!missing)
		return;
	ps->line = e->line;
	profile_fail(ps, "[exception] lacks '%s' (every exception sets %s)", missing, exc_keys);
	ps->line = line;
}

void profile_exc_section(struct profile_parse *ps, const char *name, size_t len)
{
	exc_close(ps);
	if (ps->err_line || len != strlen(EXC_SECTION) || memcmp(name, EXC_SECTION, len) != 0)
		return;
	if (ps->p->nexceptions >= PROFILE_MAX_EXCEPTIONS) {
		profile_fail(ps, "more than %u [exception] sections", PROFILE_MAX_EXCEPTIONS);
		return;
	}
	ps->p->exceptions[ps->p->nexceptions++].line = ps->line;
	ps->exc_open = true;
}

void profile_exc_end(struct profile_parse *ps)
{
	exc_close(ps);
}
