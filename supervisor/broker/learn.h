/* The recorder of a learning worker (`caisson profile learn`): the
 * seccomp listener (notify.c) hands it every notification of a worker
 * whose policy has one (policy.learn). It counts each call the base
 * profile refuses, by phase, and has the listener CONTINUE it instead of
 * killing the worker; it reads the path of every lookup (open, stat,
 * access, readlink families, getdents) from the worker's memory, bounded,
 * and keeps it in the record (policy/learned.h). How the worker was
 * started (plugin, or a tool's runner) plays no part. Runs in the
 * supervisor, on the pool's thread. */
#ifndef CAISSON_LEARN_H
#define CAISSON_LEARN_H

#include <event2/event.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/ipc_config.h"
#include "policy/learned.h"
#include "policy/profile.h"
#include "sv.h"

struct policy;

struct lrn {
	struct learned rec;
	uint64_t base_run[PROFILE_SET_WORDS]; /* the base's run set: a call in it
					       * that was refused broke an argument rule */
};

/* 0, or -1 (ENOMEM). */
int lrn_init(struct lrn *l, const struct profile *base);
void lrn_free(struct lrn *l);
/* One notification of process pid (the worker, or an exec worker's tool),
 * the worker still loading or not; allowed: the
 * policy CONTINUEs it anyway (only its path is recorded). Returns whether
 * the listener should CONTINUE it: true for everything a profile could
 * name (native, not x32), false for a foreign-arch or x32 call, which no
 * profile can allow: that stays a violation. */
bool lrn_note(struct lrn *l, pid_t pid, bool loading, bool allowed, const struct seccomp_data *sd);
/* learn_run.c: one run of the sample (in, len bytes) in one fresh worker of cfg, on
 * base: pol is the learning policy (policy_build_learning) whose learn is
 * l, and cfg the configuration made from it, for a plugin
 * (setup_worker_config) or any other worker; how it starts is cfg's
 * business, not the recorder's. The sample's own result goes to res
 * (the caller frees res->out). 0, or -1 with a message in err when no
 * pool could start. */
int lrn_run(struct event_base *base, const struct policy *pol, const struct profile *prof,
	    const struct wk_config *cfg, const uint8_t *in, size_t len, struct cs_result *res, char *err,
	    size_t errlen);

#endif
