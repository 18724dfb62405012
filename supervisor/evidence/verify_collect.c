/* vf_collect: one `caisson verify` run. Loads the profile (refused exactly
 * as `caisson run` refuses it), starts a one-worker pool of the profile
 * with the probe plugin, attests its first sealed, root-emptied worker
 * from outside while it sits idle, keeps it alive as the "other worker"
 * the probes aim at, runs the probes, then checks that the inspection left
 * that worker able to serve. Runs in the supervisor as the invoking user. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/profile_load.h"
#include "broker/setup.h"
#include "policy/sha256.h"
#include "verify_int.h"

#define VF_READY_MS 15000 /* a worker must be ready within this */

static void vf_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Fills the header; returns the index of the blob holding the profile's
 * bytes, or -1 with err. */
static int vf_header(struct vf_run *v, const char *path, char *err, size_t errlen)
{
	struct vf_report *r = v->r;
	struct utsname u;
	char real[PATH_MAX];
	int idx;

	vf_now(r->started);
	snprintf(r->profile_path, sizeof(r->profile_path), "%.1023s", realpath(path, real) ? real : path);
	snprintf(r->caisson_version, sizeof(r->caisson_version), "%s", CAISSON_VERSION);
	if (uname(&u) == 0) {
		snprintf(r->kernel, sizeof(r->kernel), "%.40s %.40s %.60s %.16s", u.sysname, u.release, u.version,
			 u.machine);
		snprintf(r->host, sizeof(r->host), "%.63s", u.nodename);
	}
	/* The profile's exact bytes are evidence too. */
	idx = vf_blob_file(v, path, "profile file", PROFILE_FILE_MAX + 1);
	if (idx < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memcpy(r->profile_sha256, r->blobs[idx].sha256, SHA256_LEN);
	return idx;
}

static int vf_exceptions(struct vf_run *v)
{
	const struct profile *p = v->prof;
	int32_t today = profile_today();

	if (!p->nexceptions)
		return 0;
	v->r->exceptions = calloc(p->nexceptions, sizeof(*v->r->exceptions));
	if (!v->r->exceptions)
		return -1;
	for (size_t i = 0; i < p->nexceptions; i++) {
		struct vf_exception *e = &v->r->exceptions[i];
		const struct profile_exception *pe = &p->exceptions[i];

		snprintf(e->relaxes, sizeof(e->relaxes), "%s", pe->relaxes);
		snprintf(e->reason, sizeof(e->reason), "%s", pe->reason);
		snprintf(e->approver, sizeof(e->approver), "%s", pe->approver);
		snprintf(e->expires, sizeof(e->expires), "%s", pe->expires);
		e->days_left = pe->expires_day - today;
	}
	v->r->nexceptions = p->nexceptions;
	return 0;
}

struct vf_waiter {
	pid_t pid, served_by;
	bool ready, timed_out, answered;
	enum cs_status status;
	char detail[160];
};

static void vf_on_ready(void *arg, pid_t pid)
{
	struct vf_waiter *w = arg;

	if (!w->ready)
		w->pid = pid;
	w->ready = true;
}

static void vf_on_timer(evutil_socket_t fd, short what, void *arg)
{
	((struct vf_waiter *)arg)->timed_out = true;
}

static void vf_on_answer(const struct pool_result *res, void *arg)
{
	struct vf_waiter *w = arg;

	w->answered = true;
	w->status = res->status;
	w->served_by = res->pid;
	snprintf(w->detail, sizeof(w->detail), "%s", res->detail ? res->detail : "");
}

/* Runs the loop until *flag or the deadline; false on timeout. */
static bool vf_wait(struct vf_run *v, struct vf_waiter *w, const bool *flag)
{
	struct event *t = evtimer_new(v->base, vf_on_timer, w);
	struct timeval tv = { VF_READY_MS / 1000, 0 };

	w->timed_out = false;
	if (!t || evtimer_add(t, &tv) < 0) {
		if (t)
			event_free(t);
		return false;
	}
	while (!*flag && !w->timed_out)
		if (event_base_loop(v->base, EVLOOP_ONCE) < 0)
			break;
	event_free(t);
	return *flag;
}

/* The attested worker, the same process, must still serve after being
 * read, traced and aimed at by every probe. */
static void vf_check_intact(struct vf_run *v, struct pool *p, struct vf_waiter *w)
{
	static const char req[] = "environment";
	char obs[160];
	bool ok;

	if (!pool_submit(p, req, sizeof(req) - 1, vf_on_answer, w)) {
		v->oom = true;
		return;
	}
	vf_wait(v, w, &w->answered);
	ok = w->answered && w->status == CS_OK && w->served_by == w->pid;
	snprintf(obs, sizeof(obs), "%s from worker %d%s%.100s",
		 w->answered ? cs_status_name(w->status) : "no answer in time", (int)w->served_by,
		 w->detail[0] ? ": " : "", w->detail);
	vf_add_attest(v, "intact-after-inspection", "OK from the inspected worker, after the probes", obs,
		      "pool request after inspection", ok, -1);
}

/* Attests one live worker, then runs the probes with it alive as the peer. */
static int vf_live(struct vf_run *v, char *err, size_t errlen)
{
	struct pool_sizing one = { .min_workers = 1, .max_workers = 1, .queue = 4, .requests_per_worker = 1,
				   .failure_threshold = 1 };
	struct vf_waiter w = { 0 };
	struct pool_stats st;
	struct pool *p = pool_new(v->base, v->pol, &v->lim, &one, v->cfg, err, errlen);
	bool have;
	int rc = -1;

	if (!p)
		return -1;
	pool_on_ready(p, vf_on_ready, &w);
	vf_progress(v, "starting a worker to attest");
	have = vf_wait(v, &w, &w.ready);
	pool_stats(p, &st);
	if (!have) {
		snprintf(err, errlen, "no worker of the profile became ready: %s",
			 st.failed_reason[0] ? st.failed_reason : "timed out");
		goto out;
	}
	snprintf(v->memory_enforcement, sizeof(v->memory_enforcement), "%s", st.memory_enforcement);
	v->worker_cfg = pool_worker_config(p);
	v->peer = w.pid;
	vf_progress(v, "attesting worker %d", (int)w.pid);
	vf_attest(v, w.pid);
	vf_attest_bpf(v, w.pid);
	if (vf_probes(v, err, errlen) < 0)
		goto out;
	vf_data_readable(v);
	vf_check_intact(v, p, &w);
	rc = 0;
out:
	pool_free(p);
	return rc;
}

static int vf_policy_blob(struct vf_run *v)
{
	uint8_t d[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	size_t len = v->pol->ninsns * sizeof(v->pol->insns[0]);
	int idx = vf_add_blob(v, "seccomp BPF program (policy, as shipped to workers)", "application/octet-stream",
			      v->pol->insns, len);

	sha256(v->pol->insns, len, d);
	sha256_hex(d, hex);
	memcpy(v->r->bpf_sha256, v->pol->digest, SHA256_LEN);
	return vf_add_attest(v, "bpf-policy", "policy digest = SHA-256 of the exported program", hex,
			     "policy_build (libseccomp export)", memcmp(d, v->pol->digest, SHA256_LEN) == 0, idx);
}

int vf_collect(const struct vf_options *o, struct vf_report *r, char *err, size_t errlen)
{
	static struct wk_config cfg;
	struct profile prof;
	struct policy pol;
	struct vf_run v = { .r = r, .prof = &prof, .pol = &pol, .cfg = &cfg, .progress = o->progress };
	int rc = -1, pidx;

	memset(r, 0, sizeof(*r));
	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	if (!realpath(o->plugin, v.plugin)) {
		snprintf(err, errlen, "probe plugin %s: %s", o->plugin, strerror(errno));
		return -1;
	}
	/* Refused exactly as everywhere (FILE:LINE); then the profile verified
	 * is parsed from the very bytes the report hashes. */
	if (profile_load(o->profile, &prof, err, errlen) < 0)
		goto out;
	profile_free(&prof);
	if ((pidx = vf_header(&v, o->profile, err, errlen)) < 0 ||
	    profile_parse_buffer(o->profile, (const char *)r->blobs[pidx].data, r->blobs[pidx].len, &prof, err,
				 errlen) < 0)
		goto out;
	snprintf(r->profile_name, sizeof(r->profile_name), "%s", prof.name);
	if (policy_build(&prof, &pol, err, errlen) < 0 ||
	    setup_worker_config(&prof, &pol, v.plugin, NULL, 0, &cfg, err, errlen) < 0)
		goto out;
	setup_limits(&prof, &v.lim);
	v.landlock = cfg.landlock_abi > 0;
	v.base = o->base ? o->base : event_base_new();
	if (vf_exceptions(&v) < 0 || vf_policy_blob(&v) < 0 || vf_attest_landlock(&v) < 0 || !v.base) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (vf_live(&v, err, errlen) < 0)
		goto out;
	if (v.oom) {
		snprintf(err, errlen, "out of memory while collecting evidence");
		goto out;
	}
	vf_now(r->finished);
	rc = 0;
out:
	if (v.base && v.base != o->base)
		event_base_free(v.base);
	policy_free(&pol);
	profile_free(&prof);
	return rc;
}
