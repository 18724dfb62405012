/* Writes the learned profile; see learn_write.h. Runs in the supervisor.
 * Every path or call text in it came from a hostile sample: each is
 * written inside a comment with every byte outside printable ASCII as
 * \xNN, so none can start a line of its own (an approver, say). */
#include "learn_write.h"

#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sysgroups.h"

struct lw_state {
	FILE *f;
	const struct learn_out *o;
	struct learn_summary *sum;
	bool done[PROFILE_MAX_NR]; /* run-set syscalls written so far */
	uint64_t gmembers[PROFILE_SET_WORDS];
};

static void lw_safe(FILE *f, const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '\\')
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
}

static const char *lw_times(uint64_t n)
{
	return n == 1 ? "time" : "times";
}

static char *lw_name(int nr)
{
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

static int lw_member(const char *sys, void *arg)
{
	int nr = seccomp_syscall_resolve_name(sys);
	struct lw_state *st = arg;

	if (sysgroups_dangerous(sys))
		return 1;
	if (nr >= 0 && nr < PROFILE_MAX_NR)
		st->gmembers[nr / 64] |= 1ull << (nr % 64);
	return 0;
}

/* One group, if it fits (LEARN_GROUP_RULE in learn_write.h). */
static void lw_group(struct lw_state *st, const struct sysgroups_group *g)
{
	const struct learn_out *o = st->o;
	unsigned used = 0, unused = 0;

	memset(st->gmembers, 0, sizeof(st->gmembers));
	if (!strcmp(g->name, SYSGROUPS_LOADER) || sysgroups_expand(g->name, lw_member, st) != 0)
		return;
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		if (!profile_set_has(st->gmembers, nr) || profile_set_has(o->base->run, nr))
			continue;
		if (o->rec->run[nr] && !st->done[nr])
			used++;
		else if (!o->rec->run[nr])
			unused++;
	}
	if (used < LEARN_GROUP_MIN_USED || unused > used)
		return;
	fprintf(st->f, "; %s (%s):", g->name, g->members);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		char *name;

		if (!profile_set_has(st->gmembers, nr) || profile_set_has(o->base->run, nr))
			continue;
		name = lw_name(nr);
		if (o->rec->run[nr])
			fprintf(st->f, " %s %llu %s,", name ? name : "?", (unsigned long long)o->rec->run[nr],
				lw_times(o->rec->run[nr]));
		else
			fprintf(st->f, " %s unused,", name ? name : "?");
		free(name);
		st->done[nr] |= o->rec->run[nr] != 0;
	}
	fprintf(st->f, " after READY\nallow = %s\n", g->name);
	st->sum->groups++;
	st->sum->syscalls += used;
}

/* One syscall named alone, in the run or the init set. */
static void lw_syscall(struct lw_state *st, int nr, bool init)
{
	uint64_t n = init ? st->o->rec->init[nr] : st->o->rec->run[nr];
	char *name = lw_name(nr);
	const struct sysgroups_danger *d = name ? sysgroups_dangerous(name) : NULL;
	bool stub = d && !(init && d->run_only);

	if (!name)
		return;
	fprintf(st->f, "; %s: called %llu %s %s", name, (unsigned long long)n, lw_times(n),
		init ? "while loading" : "after READY");
	if (stub)
		fprintf(st->f, "; DANGEROUS (%s): see its [exception] stub", d->reason);
	fprintf(st->f, "\n%s = %s\n", init ? "init_allow" : "allow", name);
	st->sum->syscalls++;
	free(name);
}

static void lw_seccomp(struct lw_state *st)
{
	size_t ng;
	const struct sysgroups_group *g = sysgroups_groups(&ng);
	const struct learned *r = st->o->rec;

	fprintf(st->f, "\n[seccomp]\n");
	for (size_t i = 0; i < ng; i++)
		lw_group(st, &g[i]);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		if (r->run[nr] && !st->done[nr])
			lw_syscall(st, nr, false);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		if (r->init[nr] && !r->run[nr])
			lw_syscall(st, nr, true);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		if (!r->ruled[nr])
			continue;
		fprintf(st->f, "; CANNOT BE ALLOWED: %llu %s a call an argument rule refuses, e.g. ",
			(unsigned long long)r->ruled[nr], r->ruled[nr] == 1 ? "is" : "are");
		lw_safe(st->f, r->ruled_example[nr] ? r->ruled_example[nr] : "?");
		fprintf(st->f, "\n;   no profile allows more than the rule (docs/syscall-groups.md): the\n"
			       ";   worker is killed there unless the code changes\n");
		st->sum->ruled++;
	}
	if (r->beyond)
		fprintf(st->f, "; %llu %s to syscall numbers no profile can name (>= %d) failed with ENOSYS; "
			"not listed\n", (unsigned long long)r->beyond, r->beyond == 1 ? "call" : "calls",
			PROFILE_MAX_NR);
}

/* Whether path is dir or beneath it. */
static bool lw_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* The lookups themselves, the first LEARN_LIST_MAX in the order seen:
 * each path, how often, by which call first, and what became of it. */
static void lw_lookups(struct lw_state *st)
{
	const struct learn_data *d = st->o->data;
	const struct learned *r = st->o->rec;
	size_t n = r->npaths < LEARN_LIST_MAX ? r->npaths : LEARN_LIST_MAX;

	for (size_t i = 0; i < n; i++) {
		const struct learned_path *p = &r->paths[i];
		char *name = lw_name(p->nr);
		const char *dir = NULL;

		for (size_t j = 0; j < d->ndirs && !dir; j++)
			if (lw_within(p->path, d->dirs[j].path))
				dir = d->dirs[j].path;
		fprintf(st->f, ";   looked up: ");
		lw_safe(st->f, p->path);
		fprintf(st->f, " (%llu %s, first by %s): ", (unsigned long long)p->count, lw_times(p->count),
			name ? name : "?");
		free(name);
		if (d->fate[i] == LEARN_SERVED)
			fprintf(st->f, "served to the loader\n");
		else if (d->fate[i] == LEARN_MISSING)
			fprintf(st->f, "missing on the host too\n");
		else if (dir) {
			fprintf(st->f, "under data ");
			lw_safe(st->f, dir);
			fputc('\n', st->f);
		} else
			fprintf(st->f, "not proposed (below)\n");
	}
	if (r->npaths > n)
		fprintf(st->f, ";   %zu more distinct paths not listed\n", r->npaths - n);
}

static void lw_data(struct lw_state *st)
{
	const struct learn_data *d = st->o->data;
	const struct learned *r = st->o->rec;

	fprintf(st->f, "\n[filesystem]\n; path lookups: %llu recorded, %zu distinct paths kept", (unsigned long long)r->lookups,
		r->npaths);
	if (r->dropped)
		fprintf(st->f, ", %llu more of new paths past the bound of %u counted only",
			(unsigned long long)r->dropped, LEARNED_PATHS);
	fprintf(st->f, ";\n;   %llu were of files served to the loader (or its own), %llu of paths missing on "
		"the host too, %llu unreadable\n", (unsigned long long)d->served, (unsigned long long)d->missing,
		(unsigned long long)r->unreadable);
	lw_lookups(st);
	for (size_t i = 0; i < d->ndirs; i++) {
		fprintf(st->f, "; %llu %s of %u %s at or beneath it\ndata = ", (unsigned long long)d->dirs[i].lookups,
			d->dirs[i].lookups == 1 ? "lookup" : "lookups", d->dirs[i].paths,
			d->dirs[i].paths == 1 ? "path" : "paths");
		lw_safe(st->f, d->dirs[i].path);
		fputc('\n', st->f);
		st->sum->dirs++;
	}
	if (d->dirs_more)
		fprintf(st->f, "; %zu more directories not proposed: a profile holds at most %u\n", d->dirs_more,
			LEARN_DATA_MAX);
	for (size_t i = 0; i < d->nskips; i++) {
		fprintf(st->f, "; not proposed: ");
		lw_safe(st->f, d->skips[i].path);
		fprintf(st->f, " (%llu %s): ", (unsigned long long)d->skips[i].lookups,
			d->skips[i].lookups == 1 ? "lookup" : "lookups");
		lw_safe(st->f, d->skips[i].why);
		fputc('\n', st->f);
	}
	if (d->skips_more)
		fprintf(st->f, "; %zu more directories not proposed\n", d->skips_more);
}

/* The stubs: one [exception] per dangerous syscall, without reason,
 * approver or expiry; the stub line makes the parser refuse it. */
static void lw_stubs(struct lw_state *st)
{
	const struct learned *r = st->o->rec;

	for (int nr = 0; nr < PROFILE_MAX_NR; nr++) {
		char *name = (r->run[nr] || r->init[nr]) ? lw_name(nr) : NULL;
		const struct sysgroups_danger *d = name ? sysgroups_dangerous(name) : NULL;

		if (d && (r->run[nr] || !d->run_only)) {
			fprintf(st->f, "\n[exception]\n; %s is dangerous (%s); the sample called it %llu %s after READY "
				"and %llu while loading.\n; A person decides: fill in reason, approver and expires "
				"(YYYY-MM-DD), then delete the stub line;\n; or, if the program copes without it, "
				"replace its allow line above by\n; '[seccomp] fail = %s' (refused with EPERM) and delete "
				"this section.\nstub = written by caisson profile learn, "
				"not approved\nallow = %s\n; reason =\n; approver =\n; expires =\n", name, d->reason,
				(unsigned long long)r->run[nr], lw_times(r->run[nr]), (unsigned long long)r->init[nr],
				name, name);
			st->sum->stubs++;
		}
		free(name);
	}
}

int learn_write(FILE *f, const struct learn_out *o, struct learn_summary *sum)
{
	struct lw_state st = { .f = f, .o = o, .sum = sum };

	memset(sum, 0, sizeof(*sum));
	fwrite(o->base_text, 1, o->base_len, f);
	if (o->base_len && o->base_text[o->base_len - 1] != '\n')
		fputc('\n', f);
	fprintf(f, "\n; ======================================================================\n"
		   "; Learned by 'caisson profile learn' on %s from ", o->today);
	lw_safe(f, o->base_file);
	fprintf(f, " (above, unchanged)\n; and %u run%s of a sample with ", o->rec->runs, o->rec->runs == 1 ? "" : "s");
	lw_safe(f, o->what);
	fprintf(f, ",\n; each with the data directories proposed so far mounted; the proposals\n; %s.\n"
		   "; Everything below is a proposal for review: each line says which calls it\n"
		   "; allows and how often the sample made them (totals over the runs).\n"
		   "; Nothing here is approved: each dangerous syscall has an [exception]\n"
		   "; stub, and this profile is refused until a person fills them in.\n"
		   "; ======================================================================\n",
		o->stable ? "stopped changing" : "were STILL CHANGING at the last run: more may be needed");
	lw_seccomp(&st);
	lw_data(&st);
	lw_stubs(&st);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
