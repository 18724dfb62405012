/* Boundary tests for the pure IPC decoder and the config codec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipc_codec.h"
#include "ipc_cov.h"
#include "ipc_config.h"
#include "wire.h"

static uint8_t buf[IPC_HDR_LEN + IPC_CONFIG_MAX + 16];

static size_t msg(enum ipc_type t, uint64_t id, size_t plen)
{
	ipc_encode_hdr(buf, t, id, (uint32_t)plen);
	memset(buf + IPC_HDR_LEN, 'x', plen);
	return IPC_HDR_LEN + plen;
}

static int dec(size_t len, unsigned nfds, enum ipc_dir dir, unsigned st, uint64_t id, struct ipc_msg *m)
{
	int fds[IPC_MAX_FDS] = { 10, 11, 12, 13 };
	struct ipc_expect ex = { .dir = dir, .state = st, .match_id = 1, .id = id };
	return ipc_decode(buf, len, fds, nfds, &ex, m);
}

static void test_header(void)
{
	struct ipc_msg m;
	size_t n = msg(IPC_W_READY, 0, 0);

	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_OK);
	CHECK_INT(m.type, IPC_W_READY);
	for (size_t cut = 0; cut < IPC_HDR_LEN; cut++)
		CHECK_INT(dec(cut, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_SHORT);
	buf[3] ^= 1; /* version byte */
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_MAGIC);
	msg(IPC_W_READY, 0, 0);
	wire_put16(buf + 4, 999);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_TYPE);
	wire_put16(buf + 4, 0);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_TYPE);
	msg(IPC_W_READY, 0, 0);
	wire_put16(buf + 6, 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_FLAGS);
	msg(IPC_W_READY, 0, 0);
	wire_put32(buf + 20, 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_FLAGS);
	/* Length field must equal what arrived, in both directions. */
	msg(IPC_W_READY, 0, 0);
	wire_put32(buf + 16, 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_LENGTH);
	wire_put32(buf + 16, 0xffffffffu);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_LENGTH);
	msg(IPC_W_READY, 0, 0);
	CHECK_INT(dec(n + 1, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_LENGTH);
}

static void test_bounds_and_state(void)
{
	struct ipc_msg m;
	size_t n;

	/* W_OUTPUT: 1 .. IPC_INLINE_MAX bytes, BUSY only, id must match. */
	n = msg(IPC_W_OUTPUT, 7, 0);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_BOUNDS);
	n = msg(IPC_W_OUTPUT, 7, 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	CHECK_INT(m.len, 1);
	n = msg(IPC_W_OUTPUT, 7, IPC_INLINE_MAX);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	n = msg(IPC_W_OUTPUT, 7, IPC_INLINE_MAX + 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_BOUNDS);
	n = msg(IPC_W_OUTPUT, 7, 10);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_IDLE, 7, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 7, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 8, &m), IPC_E_ID);
	/* A worker can never pass a descriptor. */
	CHECK_INT(dec(n, 1, IPC_W2S, ST_BUSY, 7, &m), IPC_E_FDS);
	/* W_OK (rc 0 and the answer's last piece): 0 .. IPC_INLINE_MAX bytes,
	 * BUSY only, id must match. */
	n = msg(IPC_W_OK, 7, 0);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	CHECK_INT(m.len, 0);
	n = msg(IPC_W_OK, 7, IPC_INLINE_MAX);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	n = msg(IPC_W_OK, 7, IPC_INLINE_MAX + 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_BOUNDS);
	n = msg(IPC_W_OK, 7, 3);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_IDLE, 7, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 8, &m), IPC_E_ID);
	CHECK_INT(dec(n, 0, IPC_S2W, ST_BUSY, 7, &m), IPC_E_DIR);
	/* Direction: a worker cannot send supervisor or zygote messages. */
	n = msg(IPC_W_REQUEST, 7, 10);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_DIR);
	/* Pipelined requests: records (u64 id, u32 length, bytes) that tile
	 * the payload exactly, at least one, no fd, supervisor to worker only. */
	{
		struct ipc_rec_it it;
		const uint8_t *data;
		uint64_t id;
		uint32_t len;

		n = msg(IPC_W_REQUESTS, 0, IPC_REC_HDR + 3 + IPC_REC_HDR);
		ipc_rec_put(buf + IPC_HDR_LEN, 41, 3);
		memcpy(buf + IPC_HDR_LEN + IPC_REC_HDR, "abc", 3);
		ipc_rec_put(buf + IPC_HDR_LEN + IPC_REC_HDR + 3, 42, 0);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_OK);
		it = (struct ipc_rec_it){ m.payload, m.len };
		CHECK(ipc_rec_next(&it, &id, &data, &len));
		CHECK_INT(id, 41);
		CHECK_INT(len, 3);
		CHECK(memcmp(data, "abc", 3) == 0);
		CHECK(ipc_rec_next(&it, &id, &data, &len));
		CHECK_INT(id, 42);
		CHECK_INT(len, 0);
		CHECK(!ipc_rec_next(&it, &id, &data, &len));
		CHECK_INT(it.left, 0);
		CHECK_INT(dec(n, 1, IPC_S2W, ST_IDLE, 0, &m), IPC_E_FDS);
		CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 0, &m), IPC_E_DIR);
		/* A record longer than what is left, or bytes after the last. */
		ipc_rec_put(buf + IPC_HDR_LEN + IPC_REC_HDR + 3, 42, 1);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_E_FIELD);
		ipc_rec_put(buf + IPC_HDR_LEN + IPC_REC_HDR + 3, 42, UINT32_MAX);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_E_FIELD);
		n = msg(IPC_W_REQUESTS, 0, IPC_REC_HDR + 5);
		ipc_rec_put(buf + IPC_HDR_LEN, 41, 3);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_E_FIELD);
		/* Only W_REQUESTS payloads are records: opaque payloads of the
		 * same bytes still decode. */
		n = msg(IPC_Z_CONFIG, 0, IPC_REC_HDR + 5);
		ipc_rec_put(buf + IPC_HDR_LEN, 41, 3);
		CHECK_INT(dec(n, 0, IPC_S2Z, ST_ANY, 0, &m), IPC_OK);
		n = msg(IPC_W_REQUEST, 0, IPC_REC_HDR + 5);
		ipc_rec_put(buf + IPC_HDR_LEN, 41, 3);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_OK);
		/* No record at all, or past the inline bound. */
		n = msg(IPC_W_REQUESTS, 0, IPC_REC_HDR - 1);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_E_BOUNDS);
		n = msg(IPC_W_REQUESTS, 0, IPC_INLINE_MAX + 1);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_E_BOUNDS);
		n = msg(IPC_W_REQUESTS, 0, IPC_INLINE_MAX);
		ipc_rec_put(buf + IPC_HDR_LEN, 7, IPC_INLINE_MAX - IPC_REC_HDR);
		CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 0, &m), IPC_OK);
	}
	n = msg(IPC_Z_SPAWNED, 7, 8);
	CHECK_INT(dec(n, 4, IPC_W2S, ST_BUSY, 7, &m), IPC_E_DIR);
	/* READY twice: legal only while spawning. */
	n = msg(IPC_W_READY, 0, 0);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_IDLE, 0, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 0, &m), IPC_E_STATE);
	/* A spawn with bulk regions: supervisor to zygote only, exactly two
	 * fds, the reserved word 0, both sizes in 1 .. IPC_SHM_MAX. */
	n = msg(IPC_Z_SPAWN_SHM, 5, 24);
	wire_put32(buf + IPC_HDR_LEN, 3);
	wire_put32(buf + IPC_HDR_LEN + 4, 0);
	wire_put64(buf + IPC_HDR_LEN + 8, 4096);
	wire_put64(buf + IPC_HDR_LEN + 16, 8192);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_OK);
	CHECK_INT(m.u.spawn.slot, 3);
	CHECK_INT(m.u.spawn.in_size, 4096);
	CHECK_INT(m.u.spawn.out_size, 8192);
	CHECK_INT(m.fds[0], 10);
	CHECK_INT(m.fds[1], 11);
	CHECK_INT(dec(n, 0, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 1, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 2, IPC_S2W, ST_IDLE, 0, &m), IPC_E_DIR);
	CHECK_INT(dec(n, 2, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_DIR);
	wire_put64(buf + IPC_HDR_LEN + 16, IPC_SHM_MAX + 1);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	wire_put64(buf + IPC_HDR_LEN + 16, 0);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	wire_put64(buf + IPC_HDR_LEN + 16, 8192);
	wire_put64(buf + IPC_HDR_LEN + 8, 0);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	wire_put64(buf + IPC_HDR_LEN + 8, 4096);
	wire_put32(buf + IPC_HDR_LEN + 4, 1);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	n = msg(IPC_Z_SPAWN_SHM, 5, 16);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_BOUNDS);
	/* A fuzz worker's spawn: the same, plus the coverage region's size in
	 * IPC_COV_MIN .. IPC_COV_MAX and exactly three fds. */
	n = msg(IPC_Z_SPAWN_FUZZ, 5, 32);
	wire_put32(buf + IPC_HDR_LEN, 3);
	wire_put32(buf + IPC_HDR_LEN + 4, 0);
	wire_put64(buf + IPC_HDR_LEN + 8, 4096);
	wire_put64(buf + IPC_HDR_LEN + 16, 8192);
	wire_put64(buf + IPC_HDR_LEN + 24, IPC_COV_SIZE);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_OK);
	CHECK_INT(m.u.spawn.cov_size, IPC_COV_SIZE);
	CHECK_INT(m.u.spawn.out_size, 8192);
	CHECK_INT(m.fds[2], 12);
	CHECK_INT(dec(n, 2, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 4, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 3, IPC_C2Z, ST_ANY, 5, &m), IPC_E_DIR);
	wire_put64(buf + IPC_HDR_LEN + 24, IPC_COV_MAX);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_OK);
	wire_put64(buf + IPC_HDR_LEN + 24, IPC_COV_MAX + 1);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	wire_put64(buf + IPC_HDR_LEN + 24, IPC_COV_MIN - 1);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	wire_put64(buf + IPC_HDR_LEN + 24, IPC_COV_MIN);
	wire_put64(buf + IPC_HDR_LEN + 8, 0);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_FIELD);
	n = msg(IPC_Z_SPAWN_FUZZ, 5, 24);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_BOUNDS);
	n = msg(IPC_Z_SPAWN_FUZZ, 5, 33);
	CHECK_INT(dec(n, 3, IPC_S2Z, ST_ANY, 5, &m), IPC_E_BOUNDS);
	/* The worker channel has no descriptor-carrying message left: the
	 * former W_SHM id is unknown. */
	n = msg(IPC_W_OK, 0, 16);
	wire_put16(buf + 4, 22);
	CHECK_INT(dec(n, 2, IPC_S2W, ST_IDLE, 0, &m), IPC_E_TYPE);
	/* A request in the input region: no fd, a size of 1 .. IPC_SHM_MAX. */
	n = msg(IPC_W_REQUEST_SHM, 3, 8);
	wire_put64(buf + IPC_HDR_LEN, 100000);
	CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 3, &m), IPC_OK);
	CHECK_INT(m.u.bulk.size, 100000);
	CHECK_INT(dec(n, 1, IPC_S2W, ST_IDLE, 3, &m), IPC_E_FDS);
	wire_put64(buf + IPC_HDR_LEN, 0);
	CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 3, &m), IPC_E_FIELD);
	/* An answer in the output region: from the worker, BUSY only, no fd;
	 * the decoder bounds the size, the supervisor checks its region. */
	n = msg(IPC_W_OUTPUT_SHM, 7, 8);
	wire_put64(buf + IPC_HDR_LEN, IPC_SHM_MAX);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_IDLE, 7, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 8, &m), IPC_E_ID);
	CHECK_INT(dec(n, 1, IPC_W2S, ST_BUSY, 7, &m), IPC_E_FDS);
	wire_put64(buf + IPC_HDR_LEN, IPC_SHM_MAX + 1);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_FIELD);
	n = msg(IPC_W_OUTPUT_SHM, 7, 9);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_BOUNDS);
	/* The same, ending the request: W_OK_SHM. */
	n = msg(IPC_W_OK_SHM, 7, 8);
	wire_put64(buf + IPC_HDR_LEN, 1u << 20);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_OK);
	CHECK_INT(m.u.bulk.size, 1u << 20);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 7, &m), IPC_E_STATE);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 6, &m), IPC_E_ID);
	CHECK_INT(dec(n, 1, IPC_W2S, ST_BUSY, 7, &m), IPC_E_FDS);
	CHECK_INT(dec(n, 0, IPC_S2W, ST_IDLE, 7, &m), IPC_E_DIR);
	wire_put64(buf + IPC_HDR_LEN, 0);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_FIELD);
	n = msg(IPC_W_OK_SHM, 7, 7);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 7, &m), IPC_E_BOUNDS);
}

static void test_texts(void)
{
	struct ipc_msg m;
	size_t n = msg(IPC_W_DONE, 5, 4 + IPC_TEXT_MAX);

	wire_put32(buf + IPC_HDR_LEN, 3);
	buf[IPC_HDR_LEN + 4] = '\n';
	buf[IPC_HDR_LEN + 5] = 0x1b;
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 5, &m), IPC_OK);
	CHECK_INT(m.u.done.rc, 3);
	CHECK_INT(strlen(m.u.done.text.s), IPC_TEXT_MAX);
	CHECK(m.u.done.text.s[0] == '?' && m.u.done.text.s[1] == '?' && m.u.done.text.s[2] == 'x');
	n = msg(IPC_W_DONE, 5, 5 + IPC_TEXT_MAX);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 5, &m), IPC_E_BOUNDS);
	n = msg(IPC_W_DONE, 5, 3);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_BUSY, 5, &m), IPC_E_BOUNDS);
	/* INIT_FAILED may only name the load steps, not forge a lockdown step. */
	n = msg(IPC_W_INIT_FAILED, 0, 8);
	wire_put32(buf + IPC_HDR_LEN, IPC_STEP_SECCOMP);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_FIELD);
	wire_put32(buf + IPC_HDR_LEN, IPC_STEP_PLUGIN_INIT);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_OK);
	wire_put32(buf + IPC_HDR_LEN, 0xffffffffu);
	CHECK_INT(dec(n, 0, IPC_W2S, ST_SPAWNING, 0, &m), IPC_E_FIELD);
	CHECK_STR(ipc_type_name(IPC_W_DONE), "W_DONE");
	CHECK_STR(ipc_type_name(12345), "unknown");
	CHECK_STR(ipc_step_name(IPC_STEP_PIVOT), "pivot_root");
}

static void test_config(void)
{
	static struct wk_config a, b;
	static uint8_t enc[IPC_CONFIG_MAX];
	ssize_t n;

	memset(&a, 0, sizeof(a));
	a.uid_base = a.gid_base = 0x60000000u;
	a.max_slots = 16;
	a.cpu_ms = 1000;
	a.memory_bytes = 1 << 26;
	a.output_bytes = a.input_bytes = 4096;
	a.open_files = 16;
	a.prefault_bytes = WK_PREFAULT_MAX;
	a.ninsns = 2;
	a.insns[0] = (struct sock_filter){ 0x20, 0, 0, 4 };
	a.insns[1] = (struct sock_filter){ 0x06, 0, 0, 0x7fff0000 };
	strcpy(a.plugin, "/usr/lib/x.so");
	a.ndeps = 1;
	strcpy(a.deps[0], "/usr/lib/libz.so.1");
	a.nargs = 1;
	strcpy(a.args[0], "thumb=64");
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK(n > 0);
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK_STR(b.plugin, a.plugin);
	CHECK_STR(b.deps[0], a.deps[0]);
	CHECK_STR(b.args[0], "thumb=64");
	CHECK_INT(b.insns[1].k, 0x7fff0000);
	CHECK(b.prefault_bytes == WK_PREFAULT_MAX);
	/* Every truncation is refused, as is trailing garbage. */
	for (ssize_t cut = 0; cut < n; cut++)
		CHECK_INT(wk_config_decode(enc, (size_t)cut, &b), -1);
	CHECK_INT(wk_config_decode(enc, (size_t)n + 1, &b), -1);
	/* A prefault past glibc's mmap threshold never reaches a worker. */
	a.prefault_bytes = WK_PREFAULT_MAX + 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.prefault_bytes = 0;
	/* A coverage region: 0 (no fuzz target) or IPC_COV_MIN .. IPC_COV_MAX;
	 * it implies the bulk regions. */
	a.cov_bytes = IPC_COV_SIZE;
	CHECK(wk_config_bulk_regions(&a));
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK(b.cov_bytes == IPC_COV_SIZE);
	a.cov_bytes = IPC_COV_MIN - 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.cov_bytes = IPC_COV_MAX + 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.cov_bytes = 0;
	CHECK(!wk_config_bulk_regions(&a));
	/* no_regions: answers past one message stream; only with requests
	 * that fit one message and no coverage region. */
	a.output_bytes = 16u << 20;
	CHECK(wk_config_bulk_regions(&a));
	a.no_regions = 1;
	CHECK(!wk_config_bulk_regions(&a));
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK(b.no_regions == 1 && !wk_config_bulk_regions(&b));
	a.input_bytes = IPC_INLINE_MAX + 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.input_bytes = IPC_INLINE_MAX;
	a.cov_bytes = IPC_COV_SIZE;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.cov_bytes = 0;
	a.no_regions = 2;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.no_regions = 0;
	a.output_bytes = a.input_bytes = 4096;
	/* cgroup_flat: 0 or 1, carried as it is. */
	a.cgroup_flat = 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK(b.cgroup_flat == 1);
	a.cgroup_flat = 2;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.cgroup_flat = 0;
	/* The Landlock ABI travels as is, up to a sane bound. */
	a.landlock_abi = 6;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK_INT(b.landlock_abi, 6);
	a.landlock_abi = WK_LANDLOCK_ABI_LIMIT + 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.landlock_abi = 0;
	/* [filesystem] data and scratch travel as they are; data never under
	 * /tmp (the scratch mount point), scratch never past the memory limit. */
	a.ndata = 2;
	strcpy(a.data[0], "/usr/share/fonts");
	strcpy(a.data[1], "/tmpfiles.d");
	a.scratch_bytes = 1 << 20;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), 0);
	CHECK_INT(b.ndata, 2);
	CHECK_STR(b.data[1], "/tmpfiles.d");
	CHECK(b.scratch_bytes == 1 << 20);
	CHECK(wk_config_fsize(&b) == (1 << 20) + 4096);
	wk_config_copy(&b, &a);
	CHECK(b.ndata == 2 && b.scratch_bytes == 1 << 20 && !strcmp(b.data[0], "/usr/share/fonts"));
	wk_config_reset(&b);
	CHECK(b.ndata == 0 && b.scratch_bytes == 0 && wk_config_fsize(&b) == 0);
	for (const char *const *bad = (const char *const[]){ "/tmp", "/tmp/x", "rel", "/a/../b", "/", NULL }; *bad; bad++) {
		strcpy(a.data[1], *bad);
		n = wk_config_encode(&a, enc, sizeof(enc));
		CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	}
	strcpy(a.data[1], "/tmpfiles.d");
	a.scratch_bytes = a.memory_bytes + 1;
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.ndata = WK_MAX_BINDS + 1;
	CHECK_INT(wk_config_encode(&a, enc, sizeof(enc)), -1);
	a.ndata = 0;
	a.scratch_bytes = 0;
	/* Relative or dot-dot paths never reach a worker. */
	strcpy(a.deps[0], "/usr/../etc/passwd");
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	strcpy(a.deps[0], "lib.so");
	n = wk_config_encode(&a, enc, sizeof(enc));
	CHECK_INT(wk_config_decode(enc, (size_t)n, &b), -1);
	a.ninsns = WK_MAX_INSNS + 1;
	CHECK_INT(wk_config_encode(&a, enc, sizeof(enc)), -1);
}

/* A fuzz batch (IPC_FUZZ_BATCH): u32 count 1..IPC_FUZZ_BATCH_MAX, then
 * exactly count records (u32 length, bytes) tiling the request; the
 * summary: 8 bytes, 1 <= ran <= count, known flags only. */
static size_t batch_put(uint8_t *p, uint32_t count, const uint32_t *lens, unsigned nrec)
{
	size_t at = IPC_FUZZ_BATCH_HDR;

	wire_put32(p, count);
	for (unsigned i = 0; i < nrec; i++) {
		wire_put32(p + at, lens[i]);
		memset(p + at + IPC_FUZZ_BATCH_REC, 'a' + (int)i, lens[i]);
		at += IPC_FUZZ_BATCH_REC + lens[i];
	}
	return at;
}

static void test_fuzz_batch(void)
{
	static uint8_t b[IPC_FUZZ_BATCH_HDR + (IPC_FUZZ_BATCH_MAX + 1) * IPC_FUZZ_BATCH_REC];
	uint32_t three[] = { 3, 0, 2 }, zeros[IPC_FUZZ_BATCH_MAX + 1] = { 0 }, len, ran, flags;
	struct ipc_batch_it it;
	const uint8_t *data;
	uint8_t sum[IPC_FUZZ_BATCH_SUMMARY];
	size_t n = batch_put(b, 3, three, 3);

	CHECK_INT(ipc_batch_open(&it, b, n), 3);
	CHECK(ipc_batch_next(&it, &data, &len) && len == 3 && !memcmp(data, "aaa", 3));
	CHECK(ipc_batch_next(&it, &data, &len) && len == 0);
	CHECK(ipc_batch_next(&it, &data, &len) && len == 2 && !memcmp(data, "cc", 2));
	CHECK(!ipc_batch_next(&it, &data, &len));
	/* Every truncation, a byte too many, a count that disagrees. */
	for (size_t cut = 0; cut < n; cut++)
		CHECK_INT(ipc_batch_open(&it, b, cut), 0);
	CHECK_INT(ipc_batch_open(&it, b, n + 1), 0);
	wire_put32(b, 2);
	CHECK_INT(ipc_batch_open(&it, b, n), 0);
	wire_put32(b, 4);
	CHECK_INT(ipc_batch_open(&it, b, n), 0);
	CHECK(!ipc_batch_next(&it, &data, &len)); /* a refused batch yields nothing */
	/* A record length past the end, up to UINT32_MAX. */
	n = batch_put(b, 1, (uint32_t[]){ 5 }, 1);
	wire_put32(b + IPC_FUZZ_BATCH_HDR, 6);
	CHECK_INT(ipc_batch_open(&it, b, n), 0);
	wire_put32(b + IPC_FUZZ_BATCH_HDR, UINT32_MAX);
	CHECK_INT(ipc_batch_open(&it, b, n), 0);
	/* Count 0, the most, one past it. */
	CHECK_INT(ipc_batch_open(&it, b, batch_put(b, 0, zeros, 0)), 0);
	CHECK_INT(ipc_batch_open(&it, b, batch_put(b, IPC_FUZZ_BATCH_MAX, zeros, IPC_FUZZ_BATCH_MAX)),
		  IPC_FUZZ_BATCH_MAX);
	CHECK_INT(ipc_batch_open(&it, b, batch_put(b, IPC_FUZZ_BATCH_MAX + 1, zeros, IPC_FUZZ_BATCH_MAX + 1)), 0);
	/* The summary. */
	ipc_batch_summary_put(sum, 3, IPC_FUZZ_BATCH_NEW);
	CHECK(ipc_batch_summary_get(sum, sizeof(sum), 3, &ran, &flags) == 0 && ran == 3 &&
	      flags == IPC_FUZZ_BATCH_NEW);
	CHECK(ipc_batch_summary_get(sum, sizeof(sum), 2, &ran, &flags) < 0); /* more run than sent */
	CHECK(ipc_batch_summary_get(sum, sizeof(sum) - 1, 3, &ran, &flags) < 0);
	CHECK(ipc_batch_summary_get(sum, 0, 3, &ran, &flags) < 0);
	ipc_batch_summary_put(sum, 0, 0);
	CHECK(ipc_batch_summary_get(sum, sizeof(sum), 3, &ran, &flags) < 0);
	ipc_batch_summary_put(sum, 1, 2);
	CHECK(ipc_batch_summary_get(sum, sizeof(sum), 3, &ran, &flags) < 0); /* unknown flag */
	ipc_batch_summary_put(sum, 1, 0);
	CHECK(ipc_batch_summary_get(sum, sizeof(sum), 1, &ran, &flags) == 0 && ran == 1 && flags == 0);
}

int main(void)
{
	test_fuzz_batch();
	test_header();
	test_bounds_and_state();
	test_texts();
	test_config();
	return check_done("test_ipc");
}
