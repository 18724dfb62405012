/* Supervisor core: one request in one fresh worker, every ending classified.
 * Runs in the supervisor. Everything a worker sends passes ipc_decode()
 * first; anything malformed, unexpected or out of state kills the worker
 * with PROTOCOL_ERROR. A worker's end is final only once the zygote has
 * reaped it, so a status never races the death that explains it. */
#include "sv.h"

#include <errno.h>
#include <stdarg.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include "ipc_io.h"
#include "policy.h"
#include "sysfmt.h"
#include "wire.h"

#define SV_LOG_MAX (64u * 1024u)
#define SV_SPAWN_MIN_MS 2000u

struct sv_worker {
	struct sv *sv;
	uint64_t spawn_id, req_id;
	pid_t pid;
	int pidfd, ipc, notify, log;
	struct event *ev_ipc, *ev_notify, *ev_log, *timer;
	unsigned state; /* ST_SPAWNING, ST_IDLE, ST_BUSY; 0 once gone */
	int started, exited, decided, finished;
	size_t logged;
	const uint8_t *in;
	size_t in_len;
	struct cs_result *res;
	uint8_t rx[IPC_HDR_LEN + IPC_INLINE_MAX];
};

static void sv_kill(struct sv_worker *w)
{
	if (w->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
}

static void sv_maybe_finish(struct sv_worker *w)
{
	if (w->finished || !w->decided || (w->started && !w->exited))
		return;
	w->finished = 1;
	event_base_loopbreak(w->sv->base);
}

/* Records the status (the first decision wins) and kills the worker. */
static void sv_decide(struct sv_worker *w, enum cs_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void sv_decide(struct sv_worker *w, enum cs_status st, const char *fmt, ...)
{
	va_list ap;

	if (!w->decided) {
		w->decided = 1;
		w->res->status = st;
		va_start(ap, fmt);
		vsnprintf(w->res->detail, sizeof(w->res->detail), fmt, ap);
		va_end(ap);
		if (w->sv->verbose && st != CS_OK)
			fprintf(stderr, "caisson: worker %d killed: %s %s\n", (int)w->pid,
				cs_status_name(st), w->res->detail);
	}
	w->state = 0;
	if (w->ev_ipc)
		event_del(w->ev_ipc);
	if (w->ev_notify)
		event_del(w->ev_notify);
	sv_kill(w);
	sv_maybe_finish(w);
}

static int sv_send_request(struct sv_worker *w)
{
	struct sv *s = w->sv;
	int fd, rc;
	uint8_t p[8];

	w->req_id = ++s->next_id;
	if (w->in_len <= IPC_INLINE_MAX)
		return ipc_send(w->ipc, IPC_W_REQUEST, w->req_id, w->in, (uint32_t)w->in_len, NULL, 0);
	/* Larger inputs go in a sealed memfd: the worker maps it read-only and
	 * can neither change nor resize what the supervisor sent. */
	fd = memfd_create("caisson-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	rc = -1;
	if (write(fd, w->in, w->in_len) == (ssize_t)w->in_len &&
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0) {
		wire_put64(p, w->in_len);
		rc = ipc_send(w->ipc, IPC_W_REQUEST_MEMFD, w->req_id, p, 8, &fd, 1);
	}
	close(fd);
	return rc;
}

static void sv_arm_timer(struct sv_worker *w, uint64_t ms)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(w->timer, &tv);
}

static void sv_on_message(struct sv_worker *w, const struct ipc_msg *m)
{
	struct sv *s = w->sv;

	switch (m->type) {
	case IPC_W_READY:
		/* Sealed from here on. The request waits until the zygote has
		 * emptied the root (sv_root_cleared). */
		w->state = ST_IDLE;
		if (zyg_clear_root(&s->zyg, w->spawn_id, w->pidfd) < 0)
			sv_decide(w, CS_SPAWN_FAILED, "%s: ask zygote: %s", ipc_step_name(IPC_STEP_CLEAR_ROOT),
				  strerror(errno));
		break;
	case IPC_W_INIT_FAILED:
		sv_decide(w, CS_SPAWN_FAILED, "%s: %s", ipc_step_name(m->u.fail.step), m->u.fail.text.s);
		break;
	case IPC_W_OUTPUT:
		if (m->len > s->lim.output_bytes - w->res->out_len) {
			sv_decide(w, CS_OUTPUT_LIMIT, "output exceeded %llu bytes",
				  (unsigned long long)s->lim.output_bytes);
			return;
		}
		{
			uint8_t *p = realloc(w->res->out, w->res->out_len + m->len);
			if (!p) {
				sv_decide(w, CS_OUTPUT_LIMIT, "supervisor out of memory for output");
				return;
			}
			memcpy(p + w->res->out_len, m->payload, m->len);
			w->res->out = p;
			w->res->out_len += m->len;
		}
		break;
	case IPC_W_DONE:
		if (m->u.done.rc == 0)
			sv_decide(w, CS_OK, "%s", "");
		else
			sv_decide(w, CS_PLUGIN_ERROR, "%s", m->u.done.text.s[0] ? m->u.done.text.s : "plugin failed");
		break;
	default:
		sv_decide(w, CS_PROTOCOL_ERROR, "unexpected %s", ipc_type_name(m->type));
	}
}

static void sv_ipc_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sv_worker *w = arg;

	while (w->state) {
		struct ipc_expect ex = { .dir = IPC_W2S, .state = w->state, .match_id = 1,
					 .id = w->state == ST_BUSY ? w->req_id : 0 };
		int fds[IPC_MAX_FDS];
		unsigned nfds;
		size_t len;
		struct ipc_msg m;
		int r = ipc_recv(fd, w->rx, sizeof(w->rx), &len, fds, &nfds, MSG_DONTWAIT);
		int e;

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r == 0) {
			/* End of stream: the exit status will say why. */
			event_del(w->ev_ipc);
			return;
		}
		if (r < 0) {
			sv_decide(w, CS_PROTOCOL_ERROR, "bad message: %s", strerror(errno));
			return;
		}
		e = ipc_decode(w->rx, len, fds, nfds, &ex, &m);
		if (e != IPC_OK) {
			ipc_close_fds(fds, nfds);
			sv_decide(w, CS_PROTOCOL_ERROR, "%s (type %u, %zu bytes)", ipc_strerror(e),
				  len >= 6 ? (unsigned)(w->rx[4] | w->rx[5] << 8) : 0u, len);
			return;
		}
		sv_on_message(w, &m);
	}
}

static ssize_t sv_read_mem(void *ctx, unsigned long long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	pid_t pid = *(pid_t *)ctx;
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	/* A read that crosses into an unmapped page fails whole; retry short. */
	if (n < 0 && len > 64) {
		remote.iov_len = local.iov_len = 64 - (addr & 63);
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	}
	return n;
}

static const char *sv_signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

/* abort() and raise() are a signal to oneself: tgkill(1, 1, sig) or
 * tkill(1, sig), the worker being pid 1 of its own pid namespace. The
 * kernel hands us the call; report the crash it means, not a violation. */
static int sv_raised_signal(const struct seccomp_data *sd)
{
	if (sd->arch != AUDIT_ARCH_X86_64)
		return 0;
	if (sd->nr == SYS_tgkill && sd->args[0] == 1 && sd->args[1] == 1 && sd->args[2] > 0 && sd->args[2] < 65)
		return (int)sd->args[2];
	if (sd->nr == SYS_tkill && sd->args[0] == 1 && sd->args[1] > 0 && sd->args[1] < 65)
		return (int)sd->args[1];
	return 0;
}

static void sv_notify_readable(evutil_socket_t fd, short what, void *arg)
{
	static struct seccomp_notif_sizes sz;
	struct sv_worker *w = arg;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	char text[400];

	if (!sz.seccomp_notif && syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		sv_decide(w, CS_VIOLATION, "seccomp notification sizes: %s", strerror(errno));
		return;
	}
	/* A READY already queued on the socket seals the worker first: a
	 * single-threaded worker cannot reach a syscall after READY before the
	 * READY is readable here. */
	if (w->state == ST_SPAWNING)
		sv_ipc_readable(w->ipc, EV_READ, w);
	req = calloc(1, sz.seccomp_notif);
	resp = calloc(1, sz.seccomp_notif_resp);
	if (!req || !resp) {
		sv_decide(w, CS_VIOLATION, "out of memory reading a notification");
		goto out;
	}
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		/* ENOENT: the worker died meanwhile; its exit will say why. A
		 * listener with no task left hangs up: stop watching it. */
		if (errno == EINTR)
			goto out;
		event_del(w->ev_notify);
		if (errno != ENOENT)
			sv_decide(w, CS_VIOLATION, "notification receive failed: %s", strerror(errno));
		goto out;
	}
	if (w->state == ST_SPAWNING && policy_init_allows(w->sv->pol, &req->data)) {
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
		goto out;
	}
	if (sv_raised_signal(&req->data) > 0) {
		sv_decide(w, CS_CRASHED, "SIG%s (raised by the plugin)", sv_signame(sv_raised_signal(&req->data)));
		goto out;
	}
	sysfmt_format(&req->data, sv_read_mem, &w->pid, text, sizeof(text));
	sv_decide(w, CS_VIOLATION, "%s", text);
out:
	free(req);
	free(resp);
}

static void sv_log_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sv_worker *w = arg;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0 || w->logged >= SV_LOG_MAX) {
		/* Bounded: past SV_LOG_MAX the pipe fills and the worker's
		 * non-blocking writes fail; it never blocks the supervisor. */
		event_del(w->ev_log);
		return;
	}
	w->logged += (size_t)n;
	if (w->sv->verbose)
		fprintf(stderr, "worker %d: %.*s", (int)w->pid, (int)n, buf);
}

static void sv_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct sv_worker *w = arg;

	if (w->state == ST_BUSY)
		sv_decide(w, CS_TIMEOUT, "wall time %llums exceeded", (unsigned long long)w->sv->lim.wall_ms);
	else
		sv_decide(w, CS_SPAWN_FAILED, "worker not ready within %llums", (unsigned long long)
			  (w->sv->lim.wall_ms > SV_SPAWN_MIN_MS ? w->sv->lim.wall_ms : SV_SPAWN_MIN_MS));
}

static void sv_spawned(void *arg, uint64_t id, pid_t pid, uint32_t host_uid, int fds[4])
{
	struct sv *s = arg;
	struct sv_worker *w = s->cur;

	if (!w || id != w->spawn_id || w->started) {
		ipc_close_fds(fds, 4);
		return;
	}
	w->started = 1;
	w->pid = w->res->pid = pid;
	w->pidfd = fds[0];
	w->ipc = fds[1];
	w->notify = fds[2];
	w->log = fds[3];
	w->ev_ipc = event_new(s->base, w->ipc, EV_READ | EV_PERSIST, sv_ipc_readable, w);
	w->ev_notify = event_new(s->base, w->notify, EV_READ | EV_PERSIST, sv_notify_readable, w);
	w->ev_log = event_new(s->base, w->log, EV_READ | EV_PERSIST, sv_log_readable, w);
	if (!w->ev_ipc || !w->ev_notify || !w->ev_log || event_add(w->ev_ipc, NULL) < 0 ||
	    event_add(w->ev_notify, NULL) < 0 || event_add(w->ev_log, NULL) < 0)
		sv_decide(w, CS_SPAWN_FAILED, "supervisor events: %s", strerror(errno));
}

static void sv_root_cleared(void *arg, uint64_t id, int err, const char *text)
{
	struct sv *s = arg;
	struct sv_worker *w = s->cur;

	if (!w || id != w->spawn_id || w->state != ST_IDLE)
		return;
	if (err) {
		sv_decide(w, CS_SPAWN_FAILED, "%s: %s: %s", ipc_step_name(IPC_STEP_CLEAR_ROOT), text,
			  strerror(err));
		return;
	}
	if (s->on_ready)
		s->on_ready(s->on_ready_arg, w->pid);
	if (sv_send_request(w) < 0) {
		sv_decide(w, CS_CRASHED, "worker gone before its request: %s", strerror(errno));
		return;
	}
	w->state = ST_BUSY;
	sv_arm_timer(w, s->lim.wall_ms);
}

static void sv_spawn_failed(void *arg, uint64_t id, uint32_t step, int err, const char *text)
{
	struct sv *s = arg;
	struct sv_worker *w = s->cur;

	if (!w || id != w->spawn_id || w->started)
		return;
	sv_decide(w, CS_SPAWN_FAILED, "%s: %s: %s", ipc_step_name(step), text, strerror(err));
}

/* Classifies a worker that ended without a decided status. */
static void sv_classify(struct sv_worker *w, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	const struct sv_limits *l = &w->sv->lim;
	unsigned spawning = w->state == ST_SPAWNING;

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (sig == SIGXCPU || (sig == SIGKILL && cpu_us >= l->cpu_ms * 1000))
			sv_decide(w, CS_CPU_LIMIT, "cpu time %llums exceeded (used %llums)",
				  (unsigned long long)l->cpu_ms, (unsigned long long)(cpu_us / 1000));
		else if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGKILL) &&
			 maxrss_kb * 1024 >= l->memory_bytes / 4 * 3)
			sv_decide(w, CS_MEMORY_LIMIT, "memory limit %lluM reached (peak %lluM, then SIG%s)",
				  (unsigned long long)(l->memory_bytes >> 20),
				  (unsigned long long)(maxrss_kb >> 10), sv_signame(sig));
		else if (spawning)
			sv_decide(w, CS_SPAWN_FAILED, "worker killed by SIG%s while loading", sv_signame(sig));
		else
			sv_decide(w, CS_CRASHED, "SIG%s", sv_signame(sig));
	} else if (spawning) {
		sv_decide(w, CS_SPAWN_FAILED, "worker exited with status %d while loading", WEXITSTATUS(status));
	} else {
		sv_decide(w, CS_CRASHED, "worker exited with status %d mid-request", WEXITSTATUS(status));
	}
}

static void sv_exited(void *arg, pid_t pid, int status, uint64_t maxrss_kb, uint64_t cpu_us)
{
	struct sv *s = arg;
	struct sv_worker *w = s->cur;

	if (!w || !w->started || pid != w->pid)
		return;
	w->exited = 1;
	if (!w->decided) {
		/* Messages sent just before death still count (a DONE, an INIT_FAILED). */
		if (w->state)
			sv_ipc_readable(w->ipc, EV_READ, w);
		if (!w->decided)
			sv_classify(w, status, maxrss_kb, cpu_us);
	}
	sv_maybe_finish(w);
}

static void sv_lost(void *arg, const char *why)
{
	struct sv *s = arg;

	snprintf(s->lost, sizeof(s->lost), "%s", why);
	if (s->cur) {
		s->cur->exited = 1;
		sv_decide(s->cur, CS_SPAWN_FAILED, "%s", why);
	}
	event_base_loopbreak(s->base);
}

int sv_init(struct sv *s, struct event_base *base, const struct policy *pol,
	    const struct sv_limits *lim, const struct wk_config *cfg, char *err, size_t errlen)
{
	static const struct zyg_ops ops = { sv_spawned, sv_spawn_failed, sv_exited, sv_root_cleared, sv_lost };

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->pol = pol;
	s->lim = *lim;
	return zyg_start(&s->zyg, base, cfg, &ops, s, err, errlen);
}

static void sv_worker_free(struct sv_worker *w)
{
	struct event *evs[] = { w->ev_ipc, w->ev_notify, w->ev_log, w->timer };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	for (int *fd = (int[]){ w->pidfd, w->ipc, w->notify, w->log, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	free(w);
}

void sv_run(struct sv *s, const uint8_t *in, size_t len, struct cs_result *res)
{
	struct sv_worker *w;

	memset(res, 0, sizeof(*res));
	if (len > s->lim.input_bytes) {
		res->status = CS_INPUT_TOO_LARGE;
		snprintf(res->detail, sizeof(res->detail), "%zu bytes > limit %llu", len,
			 (unsigned long long)s->lim.input_bytes);
		return;
	}
	if (s->lost[0] || !(w = calloc(1, sizeof(*w)))) {
		res->status = CS_SPAWN_FAILED;
		snprintf(res->detail, sizeof(res->detail), "%s", s->lost[0] ? s->lost : "out of memory");
		return;
	}
	w->sv = s;
	w->pidfd = w->ipc = w->notify = w->log = -1;
	w->state = ST_SPAWNING;
	w->in = in;
	w->in_len = len;
	w->res = res;
	w->spawn_id = ++s->next_id;
	w->timer = evtimer_new(s->base, sv_timeout, w);
	s->cur = w;
	if (!w->timer || zyg_spawn(&s->zyg, 0, w->spawn_id) < 0)
		sv_decide(w, CS_SPAWN_FAILED, "ask zygote for a worker: %s", strerror(errno));
	else
		sv_arm_timer(w, s->lim.wall_ms > SV_SPAWN_MIN_MS ? s->lim.wall_ms : SV_SPAWN_MIN_MS);
	while (!w->finished && !s->lost[0])
		if (event_base_loop(s->base, EVLOOP_ONCE) < 0)
			break;
	if (!w->decided)
		sv_decide(w, CS_SPAWN_FAILED, "%s", s->lost[0] ? s->lost : "event loop failed");
	s->cur = NULL;
	sv_worker_free(w);
}

void sv_close(struct sv *s)
{
	zyg_stop(&s->zyg);
}
