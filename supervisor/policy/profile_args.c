/* Argument rules in a profile's run set: "allow = socket(AF_UNIX)" (see
 * argrules.h). Runs in the supervisor on untrusted profile text. A
 * syscall is allowed either within one rule or without any, never both:
 * the wider allowance would make the rule meaningless, so either order
 * is refused at the second line, naming the first. */
#include <stdio.h>
#include <string.h>

#include "profile_keys.h"

const struct argrule *profile_argrule(const struct profile *p, int nr)
{
	for (size_t i = 0; i < p->nargrules; i++)
		if (p->argrules[i].nr == nr)
			return &p->argrules[i];
	return NULL;
}

int profile_args_add(struct profile_parse *ps, const struct profile_key *k, const char *tok)
{
	struct profile *p = ps->p;
	struct argrule r;
	char err[160];

	if (ps->target != PROFILE_TARGET_RUN)
		return profile_fail(ps, "%s: '%.60s': argument rules apply to the run set (allow) only", k->name,
				    tok);
	if (argrule_parse(tok, &r, err, sizeof(err)) < 0)
		return profile_fail(ps, "%s: %s", k->name, err);
	if (r.nr >= PROFILE_MAX_NR)
		return profile_fail(ps, "%s: '%.60s': syscall number %d beyond this build's %d", k->name, tok, r.nr,
				    PROFILE_MAX_NR);
	if (profile_argrule(p, r.nr))
		return profile_fail(ps, "%s: '%.60s': a second argument rule for that syscall (first on line %u)",
				    k->name, tok, p->run_from[r.nr].line);
	if (profile_set_has(p->run, r.nr))
		return profile_fail(ps, "%s: '%.60s': that syscall is already allowed without a rule (line %u%s%s)",
				    k->name, tok, p->run_from[r.nr].line, p->run_from[r.nr].via ? " via " : "",
				    p->run_from[r.nr].via ? p->run_from[r.nr].via : "");
	if (profile_set_has(p->fail, r.nr))
		return profile_fail(ps, "%s: '%.60s': that syscall is failed with EPERM (fail, line %u)", k->name,
				    tok, p->fail_from[r.nr].line);
	if (p->nargrules >= PROFILE_MAX_ARGRULES)
		return profile_fail(ps, "%s: more than %u argument rules", k->name, PROFILE_MAX_ARGRULES);
	p->argrules[p->nargrules++] = r;
	p->run[r.nr / 64] |= 1ull << (r.nr % 64);
	p->run_from[r.nr] = (struct profile_origin){ ps->line, NULL };
	return 1;
}
