/* Pure encoder and decoder for caisson messages (no syscalls, no globals).
 * Every length, type, direction, state, id and fd-count check lives in
 * ipc_decode(); handlers only ever see the typed struct ipc_msg.
 * Error convention: ipc_decode returns IPC_OK (0) or a positive enum ipc_err. */
#ifndef CAISSON_IPC_CODEC_H
#define CAISSON_IPC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_proto.h"

enum ipc_err {
	IPC_OK = 0,
	IPC_E_SHORT,  /* fewer bytes than a header */
	IPC_E_MAGIC,  /* wrong magic or protocol version */
	IPC_E_TYPE,   /* unknown message type */
	IPC_E_DIR,    /* type not sent in this direction */
	IPC_E_FLAGS,  /* reserved header bits set */
	IPC_E_LENGTH, /* header length disagrees with bytes received */
	IPC_E_BOUNDS, /* payload shorter or longer than the table allows */
	IPC_E_FDS,    /* wrong number of descriptors for this type */
	IPC_E_STATE,  /* legal type, illegal in the receiver's state */
	IPC_E_ID,     /* request id does not match the request in flight */
	IPC_E_FIELD,  /* a payload field is out of range */
};

struct ipc_text {
	char s[IPC_TEXT_MAX + 1]; /* printable ASCII only, NUL-terminated */
};

struct ipc_msg {
	enum ipc_type type;
	uint16_t flags; /* IPC_F_* (ipc_proto.h), only those its type allows */
	uint64_t id;
	uint32_t len;
	const uint8_t *payload; /* into the caller's buffer; len bytes */
	/* IPC_F_ARGS on W_REQUEST or W_REQUEST_SHM: the arguments block that
	 * preceded the payload (ipc_args.h), checked, args_len bytes; payload
	 * and len are what follows it. On W_REQUESTS each record begins with
	 * its own block instead (checked too: see ipc_rec_args). */
	const uint8_t *args;
	uint32_t args_len;
	int fds[IPC_MAX_FDS];   /* owned by the caller, exactly the table's count */
	unsigned nfds;
	union {
		struct { uint32_t slot; uint64_t in_size, out_size, cov_size; } spawn; /* sizes: Z_SPAWN_SHM, _FUZZ */
		struct { uint32_t pid; uint32_t host_uid; } spawned;
		struct { uint32_t step; int32_t err; struct ipc_text text; } fail;
		struct { uint32_t pid; int32_t status; uint64_t maxrss_kb, utime_us, stime_us; } exited;
		struct { uint64_t size; } bulk;                     /* W_REQUEST_SHM, W_OUTPUT_SHM, W_OK_SHM */
		struct { int32_t rc; struct ipc_text text; } done;
	} u;
};

/* What the receiver expects: its direction, its state, and (when match_id)
 * the id of the request in flight. */
struct ipc_expect {
	enum ipc_dir dir;
	unsigned state;
	bool match_id;
	uint64_t id;
};

int ipc_decode(const uint8_t *buf, size_t len, const int *fds, unsigned nfds,
	       const struct ipc_expect *ex, struct ipc_msg *out);
const char *ipc_strerror(int err);
const char *ipc_type_name(unsigned type);
const char *ipc_step_name(unsigned step);

/* The records of a W_REQUESTS payload, in order. ipc_rec_next yields the
 * next one (false at the end, or at a record that does not fit what is
 * left: the decoder refuses a payload unless they tile it exactly). */
struct ipc_rec_it {
	const uint8_t *p;
	size_t left;
};
bool ipc_rec_next(struct ipc_rec_it *it, uint64_t *id, const uint8_t **data, uint32_t *len);
/* A record of a W_REQUESTS with IPC_F_ARGS (which ipc_decode checked):
 * moves its leading arguments block out of *data and *len into *args and
 * *alen. */
void ipc_rec_args(const uint8_t **data, uint32_t *len, const uint8_t **args, uint32_t *alen);
/* Writes a record's header (IPC_REC_HDR bytes). */
void ipc_rec_put(uint8_t hdr[IPC_REC_HDR], uint64_t id, uint32_t len);

/* A fuzz batch (IPC_FUZZ_BATCH in ipc_proto.h). ipc_batch_open checks the
 * whole request first (count 1..IPC_FUZZ_BATCH_MAX, records tiling it exactly)
 * and returns the count, or 0 for a malformed one; ipc_batch_next then
 * yields the inputs in order. */
struct ipc_batch_it {
	const uint8_t *p;
	size_t left;
	uint32_t n; /* records not yet yielded */
};
uint32_t ipc_batch_open(struct ipc_batch_it *it, const uint8_t *p, size_t len);
bool ipc_batch_next(struct ipc_batch_it *it, const uint8_t **data, uint32_t *len);
/* The summary a worker answers a batch of count inputs with: put writes
 * it; get returns 0, or -1 unless it is exactly IPC_FUZZ_BATCH_SUMMARY bytes
 * with 1 <= ran <= count and no unknown flag. */
void ipc_batch_summary_put(uint8_t p[IPC_FUZZ_BATCH_SUMMARY], uint32_t ran, uint32_t flags);
int ipc_batch_summary_get(const uint8_t *p, size_t len, uint32_t count, uint32_t *ran, uint32_t *flags);

/* Writes the header for a message of type t; returns IPC_HDR_LEN. */
size_t ipc_encode_hdr(uint8_t hdr[IPC_HDR_LEN], enum ipc_type t, uint64_t id, uint32_t len);
/* The same with header flags (IPC_F_ARGS). */
size_t ipc_encode_hdr_flags(uint8_t hdr[IPC_HDR_LEN], enum ipc_type t, uint16_t flags, uint64_t id, uint32_t len);
/* Copies s into dst as a wire text (at most IPC_TEXT_MAX bytes); returns its length. */
size_t ipc_text_put(uint8_t *dst, const char *s);

#endif
