/* One run of a sample in one fresh worker, for `caisson profile learn`:
 * a one-shot pool (sv.h) of whatever configuration the caller made, under
 * the learning policy whose recorder (learn.c) counts the run. Runs in
 * the supervisor. Apart from learn.c because it drives a pool, whose
 * listener calls the recorder: the two would make a circle. */
#include "learn.h"

#include "policy/policy.h"
#include "setup.h"

int lrn_run(struct event_base *base, const struct policy *pol, const struct profile *prof,
	    const struct wk_config *cfg, const uint8_t *in, size_t len, struct cs_result *res, char *err,
	    size_t errlen)
{
	struct pool_limits lim;
	struct sv s;

	setup_limits(prof, &lim);
	if (sv_init(&s, base, pol, &lim, cfg, err, errlen) < 0)
		return -1;
	sv_run(&s, in, len, res);
	sv_close(&s);
	if (pol->learn)
		pol->learn->rec.runs++;
	return 0;
}
