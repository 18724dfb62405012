/* An idle worker's CPU watch and idle retirement (see pool_int.h). Runs
 * in the supervisor, on the pool's event_base. A worker has no request
 * in hand from its answer to its next request, and nothing to do then but
 * wait for it; a plugin that sends its own answer early and runs on would
 * be beyond every per-request limit. So an idle worker's CPU clock is
 * read from outside, and a worker that uses more than POOL_IDLE_CPU_MS of
 * it in one idle period is killed, counted and logged with its profile. */
#include "pool_int.h"

#include <stdio.h>

/* No clock is read on the request path. The first check is
 * POOL_IDLE_CPU_MS after the worker went idle, and takes its CPU time as
 * the base: a worker has one thread (seccomp refuses clone), so it ran at
 * most the time that passed before it, unmeasured. From the base on, each
 * check (every POOL_IDLE_CHECK_MS) and the next request measure it. A
 * worker's idle CPU so per idle period is at most the time to the first
 * check, plus POOL_IDLE_CPU_MS, plus one check period before it dies. */
void pw_idle(struct pworker *w)
{
	uint64_t first = POOL_IDLE_CPU_MS;

	w->st = PW_IDLE;
	w->idle_cpu_ns = UINT64_MAX;
	w->idle_for_ms = first;
	if (w->p->sz.idle_ms && w->p->sz.idle_ms < first)
		w->idle_for_ms = first = w->p->sz.idle_ms;
	pw_arm(w->timer, first);
}

/* Kills a worker found running while idle: its own status and line,
 * since no request is there to carry one. */
static void pw_idle_kill(struct pworker *w, uint64_t used_ns)
{
	struct pool *p = w->p;
	char line[sizeof(p->st.last_idle_kill)];

	snprintf(line, sizeof(line),
		 "profile '%s': worker %u pid %d: %s: ran %llums of CPU with no request in hand (at most %ums "
		 "allowed while idle); killed",
		 p->lim.profile[0] ? p->lim.profile : "(unnamed)", w->slot, (int)w->pid,
		 cs_status_name(CS_CPU_LIMIT), (unsigned long long)(used_ns / 1000000u), POOL_IDLE_CPU_MS);
	p->st.idle_cpu_kills++;
	snprintf(p->st.last_idle_kill, sizeof(p->st.last_idle_kill), "%s", line);
	fprintf(stderr, "caisson: %s\n", line);
	pw_decide(w, CS_CPU_LIMIT, 0, "%s", line);
}

/* Whether the idle worker stayed within its idle CPU; kills it if not.
 * Reads its clock only once it has been idle past the first check. */
bool pw_idle_cpu_ok(struct pworker *w)
{
	uint64_t now;

	if (w->idle_cpu_ns == UINT64_MAX)
		return true;
	now = pw_cpu_ns(w);
	if (now > w->idle_cpu_ns && now - w->idle_cpu_ns > POOL_IDLE_CPU_MS * UINT64_C(1000000)) {
		pw_idle_kill(w, now - w->idle_cpu_ns);
		return false;
	}
	return true;
}

/* The idle timer: checks the CPU clock, then retires the worker once idle
 * past idle_timeout unless it is needed to stay warm. */
void pw_idle_timer(struct pworker *w)
{
	struct pool *p = w->p;
	uint64_t next = POOL_IDLE_CHECK_MS;
	uint32_t live = 0;
	struct pworker *o;

	if (w->idle_cpu_ns == UINT64_MAX)
		w->idle_cpu_ns = pw_cpu_ns(w);
	else if (!pw_idle_cpu_ok(w))
		return;
	if (p->sz.idle_ms && w->idle_for_ms >= p->sz.idle_ms) {
		TAILQ_FOREACH(o, &p->workers, link)
			live += o->st != PW_DYING;
		if (live > p->sz.min_workers && (p->sz.requests_per_worker > 1 || live > 1)) {
			pw_decide(w, CS_OK, 0, "idle for %llums", (unsigned long long)p->sz.idle_ms);
			return;
		}
		w->idle_for_ms = 0; /* kept warm: a new idle_timeout from now */
	}
	if (p->sz.idle_ms && p->sz.idle_ms - w->idle_for_ms < next)
		next = p->sz.idle_ms - w->idle_for_ms;
	w->idle_for_ms += next;
	pw_arm(w->timer, next);
}
