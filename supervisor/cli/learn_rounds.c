/* The runs of caisson profile learn (cmd_learn.c): the worker's
 * configuration for a plugin or a tool, the rounds of learning runs with
 * the data proposed so far mounted, and the try of the written profile.
 * Runs in the supervisor as the invoking user; prints its own errors. */
#include "learn_rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/setup.h"
#include "policy/policy.h"
#include "policy/profile_load.h"

/* The files served to the worker's loader, never proposed as data: the
 * plugin or tool, its libraries, a tool's interpreter. */
static size_t learn_served(const struct wk_config *cfg, const char **served, size_t max)
{
	size_t n = 0;

	served[n++] = cfg->plugin;
	if (cfg->exec && cfg->interp[0])
		served[n++] = cfg->interp;
	for (uint32_t i = 0; i < cfg->ndeps && n < max; i++)
		served[n++] = cfg->deps[i];
	return n;
}

/* The worker's configuration: a plugin's, or a tool's as caisson exec
 * makes it. The only place the two forms differ. */
static int learn_config(const struct learn_opts *o, const struct profile *prof, const struct policy *pol,
			struct wk_config *cfg, char *err, size_t errlen)
{
	if (o->tool_argv)
		return setup_exec_config(prof, pol, o->tool_argv, cfg, err, errlen);
	return setup_worker_config(prof, pol, o->plugin, o->args, o->nargs, cfg, err, errlen);
}

/* One learning run of the sample: the learning filter, a worker made
 * from it (learn_config), the recorder on. 0, or -1 after printing why. */
static int learn_once(struct event_base *base, const struct learn_opts *o, const struct profile *prof,
		      struct lrn *l, struct wk_config *cfg, const uint8_t *in, size_t len, struct cs_result *res)
{
	struct policy pol;
	char err[512];
	int rc = -1;

	if (policy_build_learning(prof, &pol, err, sizeof(err)) < 0 ||
	    learn_config(o, prof, &pol, cfg, err, sizeof(err)) < 0)
		goto out;
	pol.learn = l;
	rc = lrn_run(base, &pol, prof, cfg, in, len, res, err, sizeof(err));
out:
	if (rc < 0)
		fprintf(stderr, "caisson profile learn: %s\n", err);
	pol.learn = NULL;
	policy_free(&pol);
	return rc;
}

/* NEW written: loads it as any profile is loaded, and when it loads runs
 * the sample under it, learning off. 0 it loads and the sample is OK, 1
 * it is refused (its stubs wait) or the sample failed, -1 no run. */
int learn_try(struct event_base *base, const struct learn_opts *o, struct wk_config *cfg,
		     const uint8_t *in, size_t len)
{
	struct profile p;
	struct policy pol;
	struct cs_result res = { 0 };
	char err[1024];
	int rc = -1;

	memset(&pol, 0, sizeof(pol));
	if (profile_load(o->out, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson profile learn: %s is refused until a person decides: %s\n", o->out, err);
		return 1;
	}
	if (policy_build(&p, &pol, err, sizeof(err)) < 0 || learn_config(o, &p, &pol, cfg, err, sizeof(err)) < 0 ||
	    lrn_run(base, &pol, &p, cfg, in, len, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "caisson profile learn: %s: %s\n", o->out, err);
		goto out;
	}
	fprintf(stderr, "caisson profile learn: the sample under %s: %s%s%s\n", o->out, cs_status_name(res.status),
		res.detail[0] ? " " : "", res.detail);
	rc = res.status == CS_OK ? 0 : 1;
out:
	free(res.out);
	policy_free(&pol);
	profile_free(&p);
	return rc;
}

/* Writes NEW (created, never replaced) from the record. 0 or -1. */
/* Makes prof's data its base's first nbase entries, then d's directories
 * (d NULL: none). 0, or -1 when out of memory. */
static int learn_set_data(struct profile *prof, size_t nbase, const struct learn_data *d)
{
	char **v;

	for (size_t i = nbase; i < prof->ndata; i++)
		free(prof->data[i]);
	prof->ndata = nbase;
	if (!d || !d->ndirs)
		return 0;
	v = realloc(prof->data, (nbase + d->ndirs) * sizeof(*v));
	if (!v)
		return -1;
	prof->data = v;
	for (size_t i = 0; i < d->ndirs; i++) {
		if (!(v[nbase + i] = strdup(d->dirs[i].path)))
			return -1;
		prof->ndata++;
	}
	return 0;
}

/* Runs the sample with the data proposed so far mounted, until the
 * proposal stops changing (a tool that finds its first data file asks for
 * the next) or LEARN_ROUNDS runs. The proposal ends in d[*last]. 0, or -1
 * after printing why. */
int learn_rounds(struct event_base *base, const struct learn_opts *o, struct profile *prof,
			struct lrn *l, struct wk_config *cfg, const uint8_t *in, size_t len,
			struct cs_result *res, struct learn_data d[2], int *last, bool *stable)
{
	const char *served[WK_MAX_DEPS + 2];
	size_t nbase = prof->ndata, nserved;
	int cur = 0;

	for (unsigned round = 1;; round++) {
		free(res->out);
		memset(res, 0, sizeof(*res));
		if (learn_set_data(prof, nbase, round > 1 ? &d[cur] : NULL) < 0 ||
		    learn_once(base, o, prof, l, cfg, in, len, res) < 0 || learn_set_data(prof, nbase, NULL) < 0)
			return -1;
		nserved = learn_served(cfg, served, sizeof(served) / sizeof(served[0]));
		if (learn_data_propose(&l->rec, prof, served, nserved, &d[!cur]) < 0) {
			fprintf(stderr, "caisson profile learn: out of memory\n");
			return -1;
		}
		cur = !cur;
		*stable = (round > 1 && learn_data_same(&d[0], &d[1])) || (round == 1 && !d[cur].ndirs);
		if (*stable || round == LEARN_ROUNDS)
			break;
	}
	*last = cur;
	return 0;
}
