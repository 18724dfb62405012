/* Pure encoder and decoder for the caisson protocol; see ipc_codec.h.
 * Runs in the supervisor (on bytes from hostile workers), the zygote and the
 * worker. The table in ipc_proto.h is the only source of limits. */
#include "ipc_codec.h"

#include <string.h>

#include "ipc_args.h"
#include "ipc_cov.h"
#include "wire.h"

struct ipc_row {
	const char *name;
	enum ipc_dir dir;
	uint32_t min, max;
	unsigned nfds;
	unsigned states;
};

#define IPC_ROW(name_, id, dir_, lo, hi, nfd, st) \
	[id] = { .name = #name_, .dir = dir_, .min = lo, .max = hi, .nfds = nfd, .states = st },
static const struct ipc_row ipc_rows[] = { IPC_MESSAGES(IPC_ROW) };
#undef IPC_ROW
#define IPC_NROWS (sizeof(ipc_rows) / sizeof(ipc_rows[0]))

static const char *const ipc_step_names[] = {
#define IPC_STEP_NAME(id, text) [IPC_##id] = text,
	IPC_STEPS(IPC_STEP_NAME)
#undef IPC_STEP_NAME
};

static const struct ipc_row *ipc_row(unsigned type)
{
	if (type >= IPC_NROWS || !ipc_rows[type].name)
		return NULL;
	return &ipc_rows[type];
}

const char *ipc_type_name(unsigned type)
{
	const struct ipc_row *r = ipc_row(type);
	return r ? r->name : "unknown";
}

const char *ipc_step_name(unsigned step)
{
	return step < IPC_STEP_COUNT ? ipc_step_names[step] : "unknown step";
}

const char *ipc_strerror(int err)
{
	switch (err) {
	case IPC_OK: return "ok";
	case IPC_E_SHORT: return "message shorter than a header";
	case IPC_E_MAGIC: return "bad magic or protocol version";
	case IPC_E_TYPE: return "unknown message type";
	case IPC_E_DIR: return "message type not allowed in this direction";
	case IPC_E_FLAGS: return "reserved header bits set";
	case IPC_E_LENGTH: return "header length disagrees with message size";
	case IPC_E_BOUNDS: return "payload size out of bounds for its type";
	case IPC_E_FDS: return "wrong number of file descriptors for its type";
	case IPC_E_STATE: return "message not allowed in the current state";
	case IPC_E_ID: return "request id does not match the request in flight";
	case IPC_E_FIELD: return "payload field out of range";
	}
	return "unknown error";
}

size_t ipc_encode_hdr(uint8_t hdr[IPC_HDR_LEN], enum ipc_type t, uint64_t id, uint32_t len)
{
	return ipc_encode_hdr_flags(hdr, t, 0, id, len);
}

size_t ipc_encode_hdr_flags(uint8_t hdr[IPC_HDR_LEN], enum ipc_type t, uint16_t flags, uint64_t id, uint32_t len)
{
	wire_put32(hdr, IPC_MAGIC);
	wire_put16(hdr + 4, (uint16_t)t);
	wire_put16(hdr + 6, flags);
	wire_put64(hdr + 8, id);
	wire_put32(hdr + 16, len);
	wire_put32(hdr + 20, 0);
	return IPC_HDR_LEN;
}

size_t ipc_text_put(uint8_t *dst, const char *s)
{
	size_t n = strnlen(s, IPC_TEXT_MAX);
	memcpy(dst, s, n);
	return n;
}

/* Worker-supplied text reaches logs and terminals: keep printable ASCII. */
static void ipc_text_get(struct ipc_text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->s[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	t->s[n] = '\0';
}

bool ipc_rec_next(struct ipc_rec_it *it, uint64_t *id, const uint8_t **data, uint32_t *len)
{
	uint32_t n;

	if (it->left < IPC_REC_HDR)
		return false;
	n = wire_get32(it->p + 8);
	if (n > it->left - IPC_REC_HDR)
		return false;
	*id = wire_get64(it->p);
	*len = n;
	*data = it->p + IPC_REC_HDR;
	it->p += IPC_REC_HDR + n;
	it->left -= IPC_REC_HDR + n;
	return true;
}

void ipc_rec_args(const uint8_t **data, uint32_t *len, const uint8_t **args, uint32_t *alen)
{
	size_t a = ipc_args_span(*data, *len);

	*args = *data;
	*alen = (uint32_t)a;
	*data += a;
	*len -= (uint32_t)a;
}

void ipc_rec_put(uint8_t hdr[IPC_REC_HDR], uint64_t id, uint32_t len)
{
	wire_put64(hdr, id);
	wire_put32(hdr + 8, len);
}

uint32_t ipc_batch_open(struct ipc_batch_it *it, const uint8_t *p, size_t len)
{
	struct ipc_batch_it scan;
	const uint8_t *data;
	uint32_t n, got = 0;

	memset(it, 0, sizeof(*it));
	if (len < IPC_FUZZ_BATCH_HDR)
		return 0;
	n = wire_get32(p);
	if (n == 0 || n > IPC_FUZZ_BATCH_MAX)
		return 0;
	scan = (struct ipc_batch_it){ p + IPC_FUZZ_BATCH_HDR, len - IPC_FUZZ_BATCH_HDR, n };
	while (ipc_batch_next(&scan, &data, &got))
		;
	if (scan.n || scan.left)
		return 0;
	*it = (struct ipc_batch_it){ p + IPC_FUZZ_BATCH_HDR, len - IPC_FUZZ_BATCH_HDR, n };
	return n;
}

bool ipc_batch_next(struct ipc_batch_it *it, const uint8_t **data, uint32_t *len)
{
	uint32_t n;

	if (!it->n || it->left < IPC_FUZZ_BATCH_REC)
		return false;
	n = wire_get32(it->p);
	if (n > it->left - IPC_FUZZ_BATCH_REC)
		return false;
	*data = it->p + IPC_FUZZ_BATCH_REC;
	*len = n;
	it->p += IPC_FUZZ_BATCH_REC + n;
	it->left -= IPC_FUZZ_BATCH_REC + n;
	it->n--;
	return true;
}

void ipc_batch_summary_put(uint8_t p[IPC_FUZZ_BATCH_SUMMARY], uint32_t ran, uint32_t flags)
{
	wire_put32(p, ran);
	wire_put32(p + 4, flags);
}

int ipc_batch_summary_get(const uint8_t *p, size_t len, uint32_t count, uint32_t *ran, uint32_t *flags)
{
	if (len != IPC_FUZZ_BATCH_SUMMARY)
		return -1;
	*ran = wire_get32(p);
	*flags = wire_get32(p + 4);
	return *ran >= 1 && *ran <= count && !(*flags & ~IPC_FUZZ_BATCH_NEW) ? 0 : -1;
}

static int ipc_decode_fields(struct ipc_msg *m)
{
	const uint8_t *p = m->payload;

	switch (m->type) {
	case IPC_Z_SPAWN:
		m->u.spawn.slot = wire_get32(p);
		return wire_get32(p + 4) == 0 ? IPC_OK : IPC_E_FIELD;
	case IPC_Z_SPAWN_SHM:
	case IPC_Z_SPAWN_FUZZ:
		m->u.spawn.slot = wire_get32(p);
		m->u.spawn.in_size = wire_get64(p + 8);
		m->u.spawn.out_size = wire_get64(p + 16);
		if (m->type == IPC_Z_SPAWN_FUZZ) {
			m->u.spawn.cov_size = wire_get64(p + 24);
			if (m->u.spawn.cov_size < IPC_COV_MIN || m->u.spawn.cov_size > IPC_COV_MAX)
				return IPC_E_FIELD;
		}
		return wire_get32(p + 4) == 0 && m->u.spawn.in_size > 0 && m->u.spawn.in_size <= IPC_SHM_MAX &&
				       m->u.spawn.out_size > 0 && m->u.spawn.out_size <= IPC_SHM_MAX
			       ? IPC_OK : IPC_E_FIELD;
	case IPC_Z_SPAWNED:
		m->u.spawned.pid = wire_get32(p);
		m->u.spawned.host_uid = wire_get32(p + 4);
		return m->u.spawned.pid > 0 && m->u.spawned.pid <= 0x3fffffff ? IPC_OK : IPC_E_FIELD;
	case IPC_Z_SPAWN_FAILED:
	case IPC_Z_LOCK_FAILED:
	case IPC_Z_ROOT_CLEARED:
	case IPC_W_INIT_FAILED:
		m->u.fail.step = wire_get32(p);
		m->u.fail.err = (int32_t)wire_get32(p + 4);
		ipc_text_get(&m->u.fail.text, p + 8, m->len - 8);
		if (m->u.fail.step >= IPC_STEP_COUNT)
			return IPC_E_FIELD;
		if (m->type == IPC_W_INIT_FAILED && m->u.fail.step < IPC_STEP_LOAD_DEP)
			return IPC_E_FIELD;
		return IPC_OK;
	case IPC_Z_EXITED:
		m->u.exited.pid = wire_get32(p);
		m->u.exited.status = (int32_t)wire_get32(p + 4);
		m->u.exited.maxrss_kb = wire_get64(p + 8);
		m->u.exited.utime_us = wire_get64(p + 16);
		m->u.exited.stime_us = wire_get64(p + 24);
		return m->u.exited.pid > 0 && m->u.exited.pid <= 0x3fffffff ? IPC_OK : IPC_E_FIELD;
	case IPC_W_REQUEST_SHM:
	case IPC_W_OUTPUT_SHM:
	case IPC_W_OK_SHM:
		/* Against the region's size: the receiver's check. */
		m->u.bulk.size = wire_get64(p);
		return m->u.bulk.size > 0 && m->u.bulk.size <= IPC_SHM_MAX ? IPC_OK : IPC_E_FIELD;
	case IPC_W_DONE:
		m->u.done.rc = (int32_t)wire_get32(p);
		ipc_text_get(&m->u.done.text, p + 4, m->len - 4);
		return IPC_OK;
	case IPC_W_REQUESTS: {
		struct ipc_rec_it it = { p, m->len };
		const uint8_t *data;
		uint64_t id;
		uint32_t n;

		while (ipc_rec_next(&it, &id, &data, &n))
			if ((m->flags & IPC_F_ARGS) && !ipc_args_span(data, n))
				return IPC_E_FIELD;
		return it.left == 0 ? IPC_OK : IPC_E_FIELD;
	}
	case IPC_Z_CONFIG:
	case IPC_Z_LOCKED:
	case IPC_Z_CLEAR_ROOT:
	case IPC_W_READY:
	case IPC_W_REQUEST:
	case IPC_W_OUTPUT:
	case IPC_W_OK:
		return IPC_OK;
	}
	return IPC_E_TYPE;
}

int ipc_decode(const uint8_t *buf, size_t len, const int *fds, unsigned nfds,
	       const struct ipc_expect *ex, struct ipc_msg *out)
{
	const struct ipc_row *row;
	uint32_t plen;
	uint16_t flags;
	size_t alen = 0;

	memset(out, 0, sizeof(*out));
	if (len < IPC_HDR_LEN)
		return IPC_E_SHORT;
	if (wire_get32(buf) != IPC_MAGIC)
		return IPC_E_MAGIC;
	row = ipc_row(wire_get16(buf + 4));
	if (!row)
		return IPC_E_TYPE;
	if (row->dir != ex->dir)
		return IPC_E_DIR;
	flags = wire_get16(buf + 6);
	if ((flags & ~IPC_FLAGS_ALLOWED(wire_get16(buf + 4))) || wire_get32(buf + 20) != 0)
		return IPC_E_FLAGS;
	plen = wire_get32(buf + 16);
	if ((size_t)plen != len - IPC_HDR_LEN)
		return IPC_E_LENGTH;
	/* A single request's arguments come first; the table's bounds are
	 * those of what follows them. */
	if ((flags & IPC_F_ARGS) && wire_get16(buf + 4) != IPC_W_REQUESTS &&
	    !(alen = ipc_args_span(buf + IPC_HDR_LEN, plen)))
		return IPC_E_FIELD;
	if (plen - alen < row->min || plen - alen > row->max)
		return IPC_E_BOUNDS;
	if (nfds != row->nfds || nfds > IPC_MAX_FDS)
		return IPC_E_FDS;
	if (!(row->states & ex->state))
		return IPC_E_STATE;
	out->type = (enum ipc_type)wire_get16(buf + 4);
	out->id = wire_get64(buf + 8);
	if (ex->match_id && out->id != ex->id)
		return IPC_E_ID;
	out->flags = flags;
	if (alen) {
		out->args = buf + IPC_HDR_LEN;
		out->args_len = (uint32_t)alen;
	}
	out->len = plen - (uint32_t)alen;
	out->payload = buf + IPC_HDR_LEN + alen;
	out->nfds = nfds;
	for (unsigned i = 0; i < nfds; i++)
		out->fds[i] = fds[i];
	return ipc_decode_fields(out);
}
