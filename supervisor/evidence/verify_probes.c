/* The containment battery: every probe of worker/probes/probes.h, each in a
 * fresh worker of the profile (a pool with requests_per_worker 1, a few at
 * a time, bombs first so the slow ones overlap the rest). The verdict
 * comes from the supervisor's own view first (VIOLATION from the kernel's
 * seccomp notification, limits it enforced), and only then from the
 * worker's one-line answer, which is hostile input: bounded, printable,
 * one of three prefixes, or the probe counts as an error. Runs in the
 * supervisor as the invoking user. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/keyctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "worker/probes/probes.h"
#include "verify_int.h"

#define VF_WORKERS 3          /* probes at once on a 2-core host */
#define VF_ANSWER_MAX PROBE_ANSWER_MAX /* "how" holds it whole */
#define VF_DEADLINE_S 120     /* the whole battery, whatever happens */

static const struct {
	const char *name, *category, *attempt;
	int kind;
} vf_catalog[] = {
#define VF_ROW(id, name, cat, kind, attempt) { name, cat, attempt, kind },
	PROBES(VF_ROW)
#undef VF_ROW
};
#define VF_NPROBES (sizeof(vf_catalog) / sizeof(vf_catalog[0]))

#define VF_SEEN_MAX 256 /* workers whose identity the battery records */

struct vf_battery {
	struct vf_run *v;
	size_t done;
	bool timed_out;
	/* Every probe worker as it became ready, and the first clash of two
	 * live workers on one host uid. */
	pid_t seen[VF_SEEN_MAX];
	unsigned long seen_uid[VF_SEEN_MAX];
	size_t nseen, checked;
	char clash[120];
};

struct vf_slot {
	struct vf_battery *b;
	size_t i;
};

static void vf_answer(struct vf_probe *p, const uint8_t *out, size_t len)
{
	static const struct {
		const char *prefix;
		enum vf_verdict verdict;
	} kinds[] = { { "blocked ", VF_CONTAINED }, { "escaped ", VF_ESCAPED }, { "unsupported ", VF_UNSUPPORTED } };
	char line[VF_ANSWER_MAX + 1];
	size_t start = len;

	while (start > 0 && out[start - 1] != '\n' && len - start <= VF_ANSWER_MAX)
		start--;
	if (len - start > VF_ANSWER_MAX || len == start) {
		p->verdict = VF_ERROR;
		snprintf(p->how, sizeof(p->how), "answer %s", len == start ? "empty" : "too long");
		return;
	}
	for (size_t k = start; k < len; k++)
		if (out[k] < 0x20 || out[k] > 0x7e) {
			p->verdict = VF_ERROR;
			snprintf(p->how, sizeof(p->how), "answer not printable text");
			return;
		}
	memcpy(line, out + start, len - start);
	line[len - start] = '\0';
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strncmp(line, kinds[k].prefix, strlen(kinds[k].prefix))) {
			p->verdict = kinds[k].verdict;
			snprintf(p->how, sizeof(p->how), "%.*s: %s", (int)strlen(kinds[k].prefix) - 1, kinds[k].prefix,
				 line + strlen(kinds[k].prefix));
			return;
		}
	p->verdict = VF_ERROR;
	snprintf(p->how, sizeof(p->how), "unrecognised answer: %.200s", line);
}

void vf_judge(struct vf_probe *p, int kind, const struct pool_result *res, bool landlock)
{
	const char *detail = res->detail ? res->detail : "";
	char how[sizeof(p->how)];

	snprintf(p->status, sizeof(p->status), "%s", cs_status_name(res->status));
	p->duration_us = res->latency_us;
	switch (res->status) {
	case CS_VIOLATION:
		p->verdict = VF_CONTAINED;
		snprintf(p->how, sizeof(p->how), "killed: VIOLATION %.230s", detail);
		break;
	case CS_CPU_LIMIT:
	case CS_MEMORY_LIMIT:
	case CS_OUTPUT_LIMIT:
	case CS_TIMEOUT:
		p->verdict = kind == PROBE_BOUNDED ? VF_CONTAINED : VF_ERROR;
		snprintf(p->how, sizeof(p->how), "%s%s %.220s", kind == PROBE_BOUNDED ? "limited: " : "",
			 cs_status_name(res->status), detail);
		break;
	case CS_OK:
		vf_answer(p, res->out, res->out_len);
		break;
	case CS_PROTOCOL_ERROR:
		p->verdict = kind == PROBE_PROTOCOL ? VF_CONTAINED : VF_ERROR;
		snprintf(p->how, sizeof(p->how), "%s%s %.220s", kind == PROBE_PROTOCOL ? "killed: " : "",
			 cs_status_name(res->status), detail);
		break;
	default:
		p->verdict = VF_ERROR;
		snprintf(p->how, sizeof(p->how), "%s %.220s", cs_status_name(res->status), detail);
	}
	memcpy(how, p->how, sizeof(how));
	vf_line(p->how, sizeof(p->how), how);
	snprintf(p->layer, sizeof(p->layer), "%s", vf_layer(p, res->status, landlock));
}

static void vf_probe_done(const struct pool_result *res, void *arg)
{
	struct vf_slot *s = arg;
	struct vf_battery *b = s->b;

	vf_judge(&b->v->r->probes[s->i], vf_catalog[s->i].kind, res, b->v->landlock);
	b->done++;
	if (b->done % 10 == 0 || b->done == VF_NPROBES)
		vf_progress(b->v, "probes: %zu/%zu", b->done, (size_t)VF_NPROBES);
}

/* Our own keyring's serial, for the keyring probes to aim at; 0 if none. */
static long vf_keyring(long which)
{
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, which, 0);

	return id > 0 ? id : 0;
}

/* A TCP listener on 127.0.0.1 and an abstract UNIX listener for the
 * connect probes to aim at; the worker's network namespace must hide both. */
static int vf_listen(int *tcp, int *unx, unsigned *port, char abs[64])
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl = sizeof(sin);
	size_t n;

	snprintf(abs, 64, "caisson-verify-%d", (int)getpid());
	n = strlen(abs);
	memcpy(sun.sun_path + 1, abs, n);
	*tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*unx = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*tcp < 0 || *unx < 0 || bind(*tcp, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(*tcp, 4) < 0 ||
	    getsockname(*tcp, (struct sockaddr *)&sin, &sl) < 0 ||
	    bind(*unx, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
	    listen(*unx, 4) < 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return 0;
}

/* Root gives each worker slot its own host uid: a fresh worker must not
 * share it with the attested worker or with any probe worker still alive. */
static void vf_probe_ready(void *arg, pid_t pid)
{
	struct vf_battery *b = arg;
	unsigned long uid, peer_uid, other;

	if (!vf_proc_uid(pid, &uid))
		return;
	b->checked++;
	if (!b->clash[0] && !b->v->cfg->uid_base && uid != (unsigned long)getuid())
		snprintf(b->clash, sizeof(b->clash), "worker %d has uid %lu, not the caller's %lu", (int)pid, uid,
			 (unsigned long)getuid());
	if (!b->clash[0] && b->v->cfg->uid_base && vf_proc_uid(b->v->peer, &peer_uid) && uid == peer_uid)
		snprintf(b->clash, sizeof(b->clash), "workers %d and %d both uid %lu", (int)pid, (int)b->v->peer, uid);
	for (size_t i = 0; i < b->nseen && !b->clash[0] && b->v->cfg->uid_base; i++)
		if (b->seen[i] != pid && vf_proc_uid(b->seen[i], &other) && other == b->seen_uid[i] && other == uid)
			snprintf(b->clash, sizeof(b->clash), "workers %d and %d both uid %lu", (int)pid, (int)b->seen[i],
				 uid);
	if (b->nseen < VF_SEEN_MAX) {
		b->seen[b->nseen] = pid;
		b->seen_uid[b->nseen++] = uid;
	}
}

static void vf_identities(struct vf_run *v, const struct vf_battery *b)
{
	char obs[160];

	if (!v->cfg->uid_base) {
		if (b->clash[0])
			snprintf(obs, sizeof(obs), "%s", b->clash);
		else
			snprintf(obs, sizeof(obs), "%zu workers checked, all the caller's uid %lu", b->checked,
				 (unsigned long)getuid());
		vf_add_attest(v, "distinct-identities", "unprivileged: every worker has the caller's uid (the only one "
			      "the kernel lets it map)", obs, "/proc/PID/status of each probe worker",
			      !b->clash[0] && b->checked > 0, -1);
		return;
	}
	if (b->clash[0])
		snprintf(obs, sizeof(obs), "%s", b->clash);
	else
		snprintf(obs, sizeof(obs), "%zu workers checked as each became ready: no live pair shares a uid",
			 b->checked);
	vf_add_attest(v, "distinct-identities", "no two live workers share a host uid (one per slot)", obs,
		      "/proc/PID/status of each probe worker", !b->clash[0] && b->checked > 0, -1);
}

static void vf_battery_timer(evutil_socket_t fd, short what, void *arg)
{
	((struct vf_battery *)arg)->timed_out = true;
}

/* Bombs first: the CPU spin alone lasts as long as the CPU limit. */
static void vf_submit_all(struct pool *p, struct vf_slot *slots, const char *params)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < VF_NPROBES; i++) {
			char req[3 * PATH_MAX + 768];
			int n;

			if ((vf_catalog[i].kind == PROBE_BOUNDED) != (pass == 0))
				continue;
			n = snprintf(req, sizeof(req), "%s %s", vf_catalog[i].name, params);
			if (n < 0 || (size_t)n >= sizeof(req) || !pool_submit(p, req, (size_t)n, vf_probe_done, &slots[i])) {
				struct pool_result res = { .status = CS_SPAWN_FAILED, .detail = "request not submitted" };
				vf_probe_done(&res, &slots[i]);
			}
		}
}

static void vf_init_probes(struct vf_run *v, struct vf_battery *b, struct vf_slot *slots)
{
	for (size_t i = 0; i < VF_NPROBES; i++) {
		struct vf_probe *pr = &v->r->probes[i];

		snprintf(pr->name, sizeof(pr->name), "%s", vf_catalog[i].name);
		snprintf(pr->category, sizeof(pr->category), "%s", vf_catalog[i].category);
		snprintf(pr->attempt, sizeof(pr->attempt), "%s", vf_catalog[i].attempt);
		pr->verdict = VF_ERROR;
		snprintf(pr->how, sizeof(pr->how), "no answer");
		slots[i].b = b;
		slots[i].i = i;
	}
	v->r->nprobes = VF_NPROBES;
}

int vf_probes(struct vf_run *v, char *err, size_t errlen)
{
	struct vf_battery b = { .v = v };
	struct vf_slot slots[VF_NPROBES];
	struct pool_sizing sz = { .min_workers = VF_WORKERS, .max_workers = VF_WORKERS, .queue = VF_NPROBES,
				  .requests_per_worker = 1, .failure_threshold = 3 };
	struct timeval tv = { VF_DEADLINE_S, 0 };
	char params[3 * PATH_MAX + 640], abs[64];
	int fsn;
	int tcp = -1, unx = -1, rc = -1;
	unsigned port = 0;
	struct event *deadline = NULL;
	struct pool *p = NULL;

	if (!(v->r->probes = calloc(VF_NPROBES, sizeof(*v->r->probes)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vf_init_probes(v, &b, slots);
	if (vf_listen(&tcp, &unx, &port, abs) < 0) {
		snprintf(err, errlen, "listeners for the connect probes: %s", strerror(errno));
		goto out;
	}
	fsn = vf_fs_params(v->worker_cfg ? v->worker_cfg : v->cfg, params, 2 * PATH_MAX + 256);
	snprintf(params + fsn, sizeof(params) - (size_t)fsn,
		 "sup=%d peer=%d mem=%llu out=%llu cpu=%llu port=%u abs=%s ses=%ld ukr=%ld self=%s", (int)getpid(),
		 (int)v->peer, (unsigned long long)v->lim.memory_bytes, (unsigned long long)v->lim.output_bytes,
		 (unsigned long long)v->lim.cpu_ms, port, abs, vf_keyring(KEY_SPEC_SESSION_KEYRING),
		 vf_keyring(KEY_SPEC_USER_KEYRING), v->plugin);
	if (!(p = pool_new(v->base, v->pol, &v->lim, &sz, v->cfg, err, errlen)))
		goto out;
	pool_on_ready(p, vf_probe_ready, &b);
	deadline = evtimer_new(v->base, vf_battery_timer, &b);
	if (!deadline || evtimer_add(deadline, &tv) < 0) {
		snprintf(err, errlen, "battery timer: %s", strerror(errno));
		goto out;
	}
	vf_progress(v, "running %zu probes, %d workers at a time", (size_t)VF_NPROBES, VF_WORKERS);
	vf_submit_all(p, slots, params);
	while (b.done < VF_NPROBES && !b.timed_out)
		if (event_base_loop(v->base, EVLOOP_ONCE) < 0)
			break;
	vf_identities(v, &b);
	rc = 0;
out:
	/* Still pending ones complete here, CANCELLED: counted as errors. */
	if (p)
		pool_free(p);
	if (deadline)
		event_free(deadline);
	if (tcp >= 0)
		close(tcp);
	if (unx >= 0)
		close(unx);
	return rc;
}
