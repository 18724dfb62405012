/* caisson serve's pools: each [pool NAME] built the way `caisson run`
 * builds one (profile_load, policy_build, setup, pool_new), all before the
 * socket exists, so a bad profile or plugin stops the daemon at start with
 * its reason. Runs in the daemon, as the user that started it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_int.h"
#include "broker/setup.h"
#include "policy/profile_load.h"

static int srv_pool_open(struct srv *s, struct srv_pool *p, char *err, size_t errlen)
{
	const struct srv_pool_cfg *c = p->cfg;
	struct pool_limits lim;
	struct pool_sizing sz;
	char why[512];

	if (profile_load(c->profile, &p->prof, why, sizeof(why)) < 0)
		goto fail;
	p->wcfg = calloc(1, sizeof(*p->wcfg));
	if (!p->wcfg) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	if (policy_build(&p->prof, &p->pol, why, sizeof(why)) < 0 ||
	    setup_worker_config(&p->prof, &p->pol, c->plugin, NULL, 0, p->wcfg, why, sizeof(why)) < 0)
		goto fail;
	setup_limits(&p->prof, &lim);
	setup_sizing(&p->prof, &sz);
	if (c->workers)
		sz.max_workers = c->workers;
	if (sz.min_workers > sz.max_workers)
		sz.min_workers = sz.max_workers;
	p->wall_ms = lim.wall_ms;
	p->pool = pool_new(s->base, &p->pol, &lim, &sz, p->wcfg, why, sizeof(why));
	if (!p->pool)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "pool '%s' (line %u): %s", c->name, c->line, why);
	return -1;
}

int srv_pools_open(struct srv *s, char *err, size_t errlen)
{
	s->pools = calloc(s->cfg->npools, sizeof(*s->pools));
	if (!s->pools) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->npools = s->cfg->npools;
	for (size_t i = 0; i < s->npools; i++) {
		s->pools[i].cfg = &s->cfg->pools[i];
		if (srv_pool_open(s, &s->pools[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* pool_free completes what is still pending with CANCELLED (their replies
 * go out through evhttp, which is freed after this) and reaps every worker
 * and the zygote. */
void srv_pools_close(struct srv *s)
{
	for (size_t i = 0; s->pools && i < s->npools; i++) {
		struct srv_pool *p = &s->pools[i];

		if (p->pool)
			pool_free(p->pool);
		policy_free(&p->pol);
		profile_free(&p->prof);
		free(p->wcfg);
	}
	free(s->pools);
	s->pools = NULL;
	s->npools = 0;
}

struct srv_pool *srv_pool_find(struct srv *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->npools; i++)
		if (strlen(s->pools[i].cfg->name) == len && !memcmp(s->pools[i].cfg->name, name, len))
			return &s->pools[i];
	return NULL;
}
