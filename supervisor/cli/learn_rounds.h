/* The runs of caisson profile learn: the options they need, the learning
 * rounds and the try of the written profile (learn_rounds.c). Runs in the
 * caisson program as the invoking user; prints its own errors. */
#ifndef CAISSON_LEARN_ROUNDS_H
#define CAISSON_LEARN_ROUNDS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "broker/learn.h"
#include "policy/learn_data.h"

#define LEARN_ARGS_MAX 32u
#define LEARN_ROUNDS 4u /* runs at most, each with the data proposed so far */

struct learn_opts {
	const char *base, *out, *plugin;
	char *args[LEARN_ARGS_MAX];
	size_t nargs;
	/* The form '-- TOOL ARGS': the tool (absolute, canonical) and its
	 * ARGS, NULL-terminated; NULL for a plugin. */
	const char **tool_argv;
	char tool[PATH_MAX];
};

/* Runs the sample (in, len bytes) in learning workers of prof, recording
 * into l: again with the data proposed so far mounted (a tool that finds
 * its first data file asks for the next) until the proposal stops
 * changing (*stable) or LEARN_ROUNDS runs. The proposal ends in d[*last],
 * the last run's result in res (the caller frees res->out). 0, or -1
 * after printing why. */
int learn_rounds(struct event_base *base, const struct learn_opts *o, struct profile *prof, struct lrn *l,
		 struct wk_config *cfg, const uint8_t *in, size_t len, struct cs_result *res,
		 struct learn_data d[2], int *last, bool *stable);
/* The written profile: loads it as any profile is loaded and, when it
 * loads, runs the sample under it, learning off. 0 it loads and the sample
 * is OK, 1 it is refused (its stubs wait) or the sample failed, -1 no run. */
int learn_try(struct event_base *base, const struct learn_opts *o, struct wk_config *cfg, const uint8_t *in,
	      size_t len);

#endif
