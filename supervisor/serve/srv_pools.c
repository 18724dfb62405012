/* caisson serve's pools: each [pool NAME] built the way `caisson run`
 * builds one (profile_load, policy_build, setup, pool_new), all before the
 * socket exists, so a bad profile or plugin stops the daemon at start with
 * its reason; a reload (srv_reload.c) builds its new ones the same way.
 * Runs in the daemon, as the user that started it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "srv_int.h"
#include "broker/setup.h"
#include "policy/profile_load.h"

/* What a reload compares (srv_reload.c). */
int srv_pool_identify(const struct srv_pool_cfg *c, struct srv_pool_id *id, char *err, size_t errlen)
{
	const char *paths[2] = { c->profile, c->plugin };
	struct stat st;

	for (int i = 0; i < 2; i++) {
		if (stat(paths[i], &st) < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			return -1;
		}
		id->dev[i] = st.st_dev;
		id->ino[i] = st.st_ino;
		id->size[i] = st.st_size;
		id->mtime[i] = st.st_mtim;
	}
	return 0;
}

static int srv_pool_open(struct srv *s, struct srv_pool *p, char *why, size_t whylen)
{
	const struct srv_pool_cfg *c = p->cfg;
	struct pool_limits lim;
	struct pool_sizing sz;

	/* Before reading them: a file changed meanwhile is seen as changed
	 * by the next reload, never missed. */
	if (srv_pool_identify(c, &p->ids, why, whylen) < 0 || profile_load(c->profile, &p->prof, why, whylen) < 0)
		return -1;
	p->wcfg = calloc(1, sizeof(*p->wcfg));
	if (!p->wcfg) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (policy_build(&p->prof, &p->pol, why, whylen) < 0 ||
	    setup_worker_config(&p->prof, &p->pol, c->plugin, NULL, 0, p->wcfg, why, whylen) < 0)
		return -1;
	setup_limits(&p->prof, &lim);
	setup_sizing(&p->prof, &sz);
	if (c->workers)
		sz.max_workers = c->workers;
	if (sz.min_workers > sz.max_workers)
		sz.min_workers = sz.max_workers;
	p->wall_ms = lim.wall_ms;
	p->pool = pool_new(s->base, &p->pol, &lim, &sz, p->wcfg, why, whylen);
	return p->pool ? 0 : -1;
}

struct srv_pool *srv_pool_new(struct srv *s, const struct srv_pool_cfg *c, char *err, size_t errlen)
{
	struct srv_pool *p = calloc(1, sizeof(*p));
	char why[512];

	if (!p) {
		snprintf(err, errlen, "pool '%s' (line %u): out of memory", c->name, c->line);
		return NULL;
	}
	p->conf = *c;
	p->cfg = &p->conf;
	if (srv_pool_open(s, p, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "pool '%s' (line %u): %s", c->name, c->line, why);
		srv_pool_free(p);
		return NULL;
	}
	return p;
}

/* pool_free completes what is still pending with CANCELLED (their replies
 * go out through evhttp, which is freed after this) and reaps every worker
 * and the zygote. */
void srv_pool_free(struct srv_pool *p)
{
	if (!p)
		return;
	if (p->pool)
		pool_free(p->pool);
	policy_free(&p->pol);
	profile_free(&p->prof);
	free(p->wcfg);
	free(p);
}

int srv_pools_open(struct srv *s, char *err, size_t errlen)
{
	s->pools = calloc(SRV_POOLS_MAX, sizeof(*s->pools));
	s->retiring = calloc(SRV_POOLS_MAX, sizeof(*s->retiring));
	if (!s->pools || !s->retiring) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->cfg->npools; i++) {
		s->pools[i] = srv_pool_new(s, &s->cfg->pools[i], err, errlen);
		if (!s->pools[i])
			return -1;
		s->npools++;
	}
	return 0;
}

void srv_pools_close(struct srv *s)
{
	for (size_t i = 0; s->pools && i < s->npools; i++)
		srv_pool_free(s->pools[i]);
	for (size_t i = 0; s->retiring && i < s->nretiring; i++)
		srv_pool_free(s->retiring[i]);
	free(s->pools);
	free(s->retiring);
	s->pools = s->retiring = NULL;
	s->npools = s->nretiring = 0;
}

struct srv_pool *srv_pool_find(struct srv *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->npools; i++)
		if (strlen(s->pools[i]->cfg->name) == len && !memcmp(s->pools[i]->cfg->name, name, len))
			return s->pools[i];
	return NULL;
}
