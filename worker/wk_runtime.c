/* The worker runtime: loads the plugin and serves requests. Runs in a fully
 * locked worker (see the checklist in wk_lockdown.c); from the first dlopen
 * on, this process is assumed hostile and nothing it sends is trusted. The
 * runtime is the plugin ABI's implementation (caisson_out_*), exported to
 * the plugin through the zygote binary's dynamic symbol table. A plugin
 * without caisson_plugin_handle is run as a libFuzzer harness. */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "caisson_plugin.h"
#include "ipc_codec.h"
#include "ipc_io.h"
#include "wire.h"
#include "wk.h"

struct caisson_out {
	uint64_t id;
	uint64_t total, limit;
	int over;
	int discard;     /* inside a fuzz batch: counted against the cap, dropped */
	uint8_t *region; /* the output region, or NULL: this answer goes inline */
	size_t used;     /* bytes waiting in buf */
	size_t shm_used; /* bytes waiting in the output region */
	char error[IPC_TEXT_MAX + 1];
	uint8_t buf[IPC_INLINE_MAX];
};

/* The bulk regions (Z_SPAWN_SHM), mapped once during the lockdown: the
 * input region read-only (the worker gets a read-only open of it), the
 * output region shared with the supervisor, which copies out what
 * W_OUTPUT_SHM declares. Output region:
 * the output cap plus one byte, so an overflow can be shown there too. */
static struct {
	const uint8_t *in;
	uint8_t *out;
	uint64_t in_size, out_size;
} shm;

static struct caisson_out out_state;
static uint8_t rx[IPC_HDR_LEN + IPC_INLINE_MAX];

/* Sends what is waiting, before a W_DONE or for a chunk past the inline
 * buffer: the inline bytes, then the output region's. Only one of the two
 * is ever non-empty: the inline bytes move to the region when it is first
 * used. (A successful answer ends with W_OK or W_OK_SHM instead, which
 * carry what is waiting themselves: see serve_one.) */
static void flush(struct caisson_out *o)
{
	uint8_t b[8];

	if (o->used && ipc_send(WK_FD_IPC, IPC_W_OUTPUT, o->id, o->buf, (uint32_t)o->used, NULL, 0) < 0)
		_exit(1);
	o->used = 0;
	if (o->shm_used) {
		wire_put64(b, o->shm_used);
		if (ipc_send(WK_FD_IPC, IPC_W_OUTPUT_SHM, o->id, b, 8, NULL, 0) < 0)
			_exit(1);
		o->shm_used = 0;
	}
}

/* Answers up to IPC_INLINE_MAX bytes travel in one W_OUTPUT message and
 * touch no shared page; past that, with an output region for this answer,
 * the bytes move there and go on in place (one W_OK_SHM at the end, or a
 * W_OUTPUT_SHM before a W_DONE); without one (no regions, or a pipelined
 * request), in IPC_INLINE_MAX chunks. */
int caisson_out_write(caisson_out *o, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!o || o->over)
		return -1;
	/* The supervisor counts too and kills the worker past the limit; this
	 * check only tells a well-behaved plugin to stop early. */
	if (o->discard) {
		if (len > o->limit - o->total) {
			o->over = 1;
			return -1;
		}
		o->total += len;
		return 0;
	}
	if (len > o->limit - o->total) {
		/* Forward exactly one byte past the limit so the overflow is seen. */
		o->over = 1;
		len = (size_t)(o->limit - o->total) + 1;
	}
	o->total += len;
	/* An answer that fills the inline buffer moves to the output region,
	 * with this piece copied there straight (total <= limit + 1 <= the
	 * region's size: it all fits). */
	if (o->region && !o->shm_used && o->used + len >= sizeof(o->buf)) {
		memcpy(o->region, o->buf, o->used);
		memcpy(o->region + o->used, p, len);
		o->shm_used = o->used + len;
		o->used = 0;
		len = 0;
	} else if (o->shm_used) {
		memcpy(o->region + o->shm_used, p, len);
		o->shm_used += len;
		len = 0;
	}
	while (len) {
		size_t n = sizeof(o->buf) - o->used < len ? sizeof(o->buf) - o->used : len;
		memcpy(o->buf + o->used, p, n);
		o->used += n;
		p += n;
		len -= n;
		if (o->used == sizeof(o->buf))
			flush(o);
	}
	if (o->over) {
		flush(o);
		return -1;
	}
	return 0;
}

void caisson_out_error(caisson_out *o, const char *message)
{
	if (o && message)
		snprintf(o->error, sizeof(o->error), "%s", message);
}

static void __attribute__((noreturn)) init_failed(unsigned step, int rc, const char *text)
{
	uint8_t p[8];
	struct iovec iov[2] = { { p, 8 }, { (void *)text, strnlen(text, IPC_TEXT_MAX) } };

	wire_put32(p, step);
	wire_put32(p + 4, (uint32_t)rc);
	ipc_sendv(WK_FD_IPC, IPC_W_INIT_FAILED, 0, iov, 2, NULL, 0);
	_exit(126);
}

typedef int (*handle_fn)(const uint8_t *, size_t, caisson_out *);
typedef int (*init_fn)(const char *const *);
typedef int (*fuzz_fn)(const uint8_t *, size_t);
typedef int (*fuzz_init_fn)(int *, char ***);

static fuzz_fn fuzz_target;

/* A libFuzzer harness as a plugin: each input is a fresh heap copy of
 * exactly its size (as libFuzzer passes it: a sanitizer sees a read past
 * its end), run inside a batch (serve_batch). Its return
 * value means nothing to caisson (libFuzzer's -1 "do not add to corpus" is
 * not used): a call that returns is OK, and the answer is empty. */
static int fuzz_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		caisson_out_error(out, "out of memory for the input's copy");
		return -1;
	}
	memcpy(copy, in, len);
	fuzz_target(copy, len);
	free(copy);
	return 0;
}

/* LLVMFuzzerTestOneInput, and LLVMFuzzerInitialize(argc, argv) once with
 * argv = the target's path and the profile's args. */
static handle_fn load_harness(const struct wk_config *cfg, void *h)
{
	char *argv[WK_MAX_ARGS + 2];
	char **argvp = argv;
	int argc = 0;
	fuzz_init_fn init;

	fuzz_target = (fuzz_fn)dlsym(h, "LLVMFuzzerTestOneInput");
	if (!fuzz_target)
		init_failed(IPC_STEP_LOAD_PLUGIN, 0,
			    "plugin exports neither caisson_plugin_handle nor LLVMFuzzerTestOneInput");
	argv[argc++] = (char *)cfg->plugin;
	for (uint32_t i = 0; i < cfg->nargs; i++)
		argv[argc++] = (char *)cfg->args[i];
	argv[argc] = NULL;
	init = (fuzz_init_fn)dlsym(h, "LLVMFuzzerInitialize");
	if (init && init(&argc, &argvp) != 0)
		init_failed(IPC_STEP_PLUGIN_INIT, 1, "LLVMFuzzerInitialize failed");
	return fuzz_handle;
}

static handle_fn load_plugin(const struct wk_config *cfg)
{
	const char *args[WK_MAX_ARGS + 1];
	void *h;
	handle_fn handle;
	init_fn init;
	int rc;

	/* Dependencies by absolute path, deepest first, so the plugin's own
	 * DT_NEEDED entries are satisfied by soname without any search. */
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		if (!dlopen(cfg->deps[i], RTLD_NOW | RTLD_GLOBAL))
			init_failed(IPC_STEP_LOAD_DEP, 0, dlerror());
	h = dlopen(cfg->plugin, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		init_failed(IPC_STEP_LOAD_PLUGIN, 0, dlerror());
	handle = (handle_fn)dlsym(h, "caisson_plugin_handle");
	if (!handle)
		return load_harness(cfg, h);
	init = (init_fn)dlsym(h, "caisson_plugin_init");
	for (uint32_t i = 0; i < cfg->nargs; i++)
		args[i] = cfg->args[i];
	args[cfg->nargs] = NULL;
	if (init && (rc = init(args)) != 0) {
		char text[64];
		snprintf(text, sizeof(text), "caisson_plugin_init returned %d", rc);
		init_failed(IPC_STEP_PLUGIN_INIT, rc, text);
	}
	return handle;
}

int wk_runtime_map_regions(const int *fds, uint64_t in_size, uint64_t out_size, uint64_t cov_size,
			   struct wk_detail *d)
{
	void *in = mmap(NULL, in_size, PROT_READ, MAP_SHARED, fds[0], 0);
	void *out = mmap(NULL, out_size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
	int saved = errno;

	close(fds[0]);
	close(fds[1]);
	if (cov_size && wk_cov_map(fds[2], cov_size, d) < 0)
		return -1;
	if (in == MAP_FAILED || out == MAP_FAILED) {
		snprintf(d->text, sizeof(d->text), "mmap %llu + %llu bytes", (unsigned long long)in_size,
			 (unsigned long long)out_size);
		errno = saved;
		return -1;
	}
	shm.in = in;
	shm.out = out;
	shm.in_size = in_size;
	shm.out_size = out_size;
	return 0;
}

/* A fuzz target's request: a batch of inputs (IPC_FUZZ_BATCH in ipc_proto.h),
 * run in order until the first that shows coverage new to this worker;
 * the answer is the summary, inline. A malformed batch ends the worker:
 * the supervisor never sends one. */
static void serve_batch(const struct wk_config *cfg, handle_fn handle, uint64_t id, const uint8_t *in, size_t len)
{
	struct ipc_batch_it it;
	const uint8_t *data;
	uint8_t sum[IPC_FUZZ_BATCH_SUMMARY];
	uint32_t n, ran = 0, flags = 0;

	if (!ipc_batch_open(&it, in, len))
		_exit(1);
	wk_cov_batch_begin();
	while (!flags && ipc_batch_next(&it, &data, &n)) {
		memset(&out_state, 0, offsetof(struct caisson_out, buf));
		out_state.id = id;
		out_state.limit = cfg->output_bytes;
		out_state.discard = 1;
		wk_cov_begin(ran);
		(void)handle(data, n, &out_state);
		if (wk_cov_end())
			flags = IPC_FUZZ_BATCH_NEW;
		ran++;
	}
	wk_cov_publish();
	ipc_batch_summary_put(sum, ran, flags);
	if (ipc_send(WK_FD_IPC, IPC_W_OK, id, sum, sizeof(sum), NULL, 0) < 0)
		_exit(1);
}

/* Serves one request: in, len bytes; region: the output region, or NULL
 * when the answer must go inline. */
static void serve_one(const struct wk_config *cfg, handle_fn handle, uint64_t id, const uint8_t *in, size_t len,
		      uint8_t *region)
{
	uint8_t rcbuf[4];
	struct iovec iov[2];
	int rc;

	if (wk_cov_active()) {
		serve_batch(cfg, handle, id, in, len);
		return;
	}
	memset(&out_state, 0, offsetof(struct caisson_out, buf));
	out_state.id = id;
	out_state.limit = cfg->output_bytes;
	out_state.region = region;
	if (shm.out && out_state.limit >= shm.out_size)
		_exit(1);
	rc = handle(in, len, &out_state);
	if (rc == 0 && out_state.shm_used) {
		/* An answer in the output region (no inline bytes then): its
		 * length and the verdict in one message. */
		uint8_t b[8];

		wire_put64(b, out_state.shm_used);
		if (ipc_send(WK_FD_IPC, IPC_W_OK_SHM, id, b, 8, NULL, 0) < 0)
			_exit(1);
		return;
	}
	if (rc == 0) {
		/* The common end: the answer's last piece and the verdict in
		 * one message. */
		if (ipc_send(WK_FD_IPC, IPC_W_OK, id, out_state.buf, (uint32_t)out_state.used, NULL, 0) < 0)
			_exit(1);
		return;
	}
	flush(&out_state);
	wire_put32(rcbuf, (uint32_t)rc);
	iov[0] = (struct iovec){ rcbuf, 4 };
	iov[1] = (struct iovec){ out_state.error, strnlen(out_state.error, IPC_TEXT_MAX) };
	if (ipc_sendv(WK_FD_IPC, IPC_W_DONE, id, iov, 2, NULL, 0) < 0)
		_exit(1);
}

/* A request message: one request inline or in the input region, or the
 * pipelined records of W_REQUESTS (answered inline: the supervisor may
 * not yet have copied the answer before them out of the output region). */
static void serve(const struct wk_config *cfg, handle_fn handle, const struct ipc_msg *m)
{
	struct ipc_rec_it it = { m->payload, m->len };
	const uint8_t *data;
	uint64_t id;
	uint32_t n;

	switch (m->type) {
	case IPC_W_REQUEST:
		serve_one(cfg, handle, m->id, m->payload, m->len, shm.out);
		break;
	case IPC_W_REQUEST_SHM:
		if (!shm.in || m->u.bulk.size > shm.in_size || m->u.bulk.size > cfg->input_bytes)
			_exit(1);
		serve_one(cfg, handle, m->id, shm.in, (size_t)m->u.bulk.size, shm.out);
		break;
	case IPC_W_REQUESTS:
		while (ipc_rec_next(&it, &id, &data, &n))
			serve_one(cfg, handle, id, data, n, NULL);
		break;
	default:
		_exit(1);
	}
}

/* Touches, before READY, what a first request uses most: the heap (glibc
 * keeps allocations below the prefault size on it, so a big buffer reuses
 * the touched pages), the start of the output region (written), and the
 * start of the input region (read: that allocates its pages here, and the
 * supervisor later writes the request into those same pages). A page's
 * first touch costs a fault, 11-14 us on a VM; a pre-spawned worker pays
 * them here, off any request's path. One access per page: populating
 * with madvise would map the pages but, under a hypervisor's shadow page
 * tables, still leave the first user access to fault. */
static void prefault(const struct wk_config *cfg)
{
	size_t n = (size_t)cfg->prefault_bytes, pg = (size_t)sysconf(_SC_PAGESIZE);
	volatile uint8_t *heap;
	uint8_t sink = 0;

	if (!n)
		return;
	mallopt(M_MMAP_THRESHOLD, (int)(n + pg));
	mallopt(M_TRIM_THRESHOLD, (int)(2 * n + pg));
	heap = malloc(n);
	for (size_t i = 0; heap && i < n; i += pg)
		heap[i] = 0;
	free((void *)heap);
	for (size_t i = 0; shm.out && i < n && i < shm.out_size; i += pg)
		((volatile uint8_t *)shm.out)[i] = 0;
	for (size_t i = 0; shm.in && i < n && i < shm.in_size; i += pg)
		sink ^= ((const volatile uint8_t *)shm.in)[i];
	(void)sink;
}

void wk_runtime_main(const struct wk_config *cfg)
{
	const struct ipc_expect ex = { .dir = IPC_S2W, .state = ST_IDLE };
	handle_fn handle;

	prefault(cfg);
	if (cfg->exec) {
		/* An exec worker loads nothing: its tool starts per request. */
		wk_exec_prepare(cfg);
		handle = wk_exec_handle;
	} else {
		wk_cov_resolve();
		handle = load_plugin(cfg);
	}

	if (ipc_send(WK_FD_IPC, IPC_W_READY, 0, NULL, 0, NULL, 0) < 0)
		_exit(1);
	for (;;) {
		struct ipc_msg m;
		int fds[IPC_MAX_FDS];
		unsigned nfds;
		size_t len;
		int r = ipc_recv(WK_FD_IPC, rx, sizeof(rx), &len, fds, &nfds, 0);

		if (r <= 0)
			_exit(0);
		if (ipc_decode(rx, len, fds, nfds, &ex, &m) != IPC_OK)
			_exit(1);
		serve(cfg, handle, &m);
	}
}
