/* Sending and receiving framed messages on SOCK_SEQPACKET sockets, with
 * SCM_RIGHTS descriptors. Used by the supervisor, the zygote and the worker.
 * Returns -1 with errno on failure; never prints, never exits. */
#ifndef CAISSON_IPC_IO_H
#define CAISSON_IPC_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ipc_proto.h"

/* Sends one message: header + the iovecs as payload, plus nfds descriptors. */
int ipc_sendv(int sock, enum ipc_type t, uint64_t id, const struct iovec *iov,
	      int iovcnt, const int *fds, unsigned nfds);
int ipc_send(int sock, enum ipc_type t, uint64_t id, const void *payload,
	     uint32_t len, const int *fds, unsigned nfds);
/* ipc_sendv with header flags (ipc_proto.h): with IPC_F_ARGS the first
 * iovec is the arguments block (ipc_args.h). */
int ipc_sendv_flags(int sock, enum ipc_type t, uint16_t flags, uint64_t id, const struct iovec *iov,
		    int iovcnt, const int *fds, unsigned nfds);

/* Sends n (1..IPC_BATCH_MAX) requests as W_REQUESTS records, as few
 * messages as fit IPC_INLINE_MAX, in one system call: request i has id
 * ids[i] and bytes data[i] (each at most IPC_INLINE_MAX - IPC_REC_HDR),
 * and, when args is not NULL, the arguments block args[i] (iov_len 0:
 * none). A message holding any request with arguments carries IPC_F_ARGS,
 * and each of its records a block (the empty one, IPC_ARGS_HDR bytes, for
 * a request without): a request with arguments must fit IPC_INLINE_MAX -
 * IPC_REC_HDR with its block, and the others then with an empty one.
 * Returns how many requests went (whole messages; fewer than n once the
 * socket is full), or -1 with errno when none did. */
#define IPC_BATCH_MAX 64u
int ipc_send_requests(int sock, const uint64_t *ids, const struct iovec *data, const struct iovec *args,
		      unsigned n);

/* Receives one message into buf (cap bytes). Returns 1 with *len and the
 * received descriptors (close-on-exec) on a message, 0 on end of stream, -1
 * with errno otherwise. A message larger than cap, truncated control data,
 * more than IPC_MAX_FDS descriptors or any control message other than
 * SCM_RIGHTS is EMSGSIZE/EPROTO, with every received descriptor closed;
 * control data the kernel truncated because this process is out of
 * descriptors is EMFILE/ENFILE, with *len the message's bytes (its header
 * says whose descriptors were lost). */
int ipc_recv(int sock, uint8_t *buf, size_t cap, size_t *len, int *fds,
	     unsigned *nfds, int flags);

void ipc_close_fds(int *fds, unsigned nfds);

#endif
