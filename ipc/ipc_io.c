/* SOCK_SEQPACKET framing with SCM_RIGHTS; see ipc_io.h. Runs in every
 * caisson process. The receive side treats the peer as hostile: control
 * data is parsed by length, and anything unexpected closes what arrived. */
#include "ipc_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc_codec.h"

void ipc_close_fds(int *fds, unsigned nfds)
{
	for (unsigned i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int ipc_sendv(int sock, enum ipc_type t, uint64_t id, const struct iovec *iov,
	      int iovcnt, const int *fds, unsigned nfds)
{
	return ipc_sendv_flags(sock, t, 0, id, iov, iovcnt, fds, nfds);
}

int ipc_sendv_flags(int sock, enum ipc_type t, uint16_t flags, uint64_t id, const struct iovec *iov,
		    int iovcnt, const int *fds, unsigned nfds)
{
	uint8_t hdr[IPC_HDR_LEN];
	struct iovec v[8];
	union {
		char buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
		struct cmsghdr align;
	} cm;
	struct msghdr mh = { .msg_iov = v, .msg_iovlen = 1 };
	size_t len = 0;
	ssize_t n;

	if (iovcnt < 0 || iovcnt > 7 || nfds > IPC_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < iovcnt; i++) {
		v[1 + i] = iov[i];
		len += iov[i].iov_len;
	}
	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	v[0].iov_base = hdr;
	v[0].iov_len = ipc_encode_hdr_flags(hdr, t, flags, id, (uint32_t)len);
	mh.msg_iovlen = (size_t)iovcnt + 1;
	if (nfds) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len + IPC_HDR_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* Message k of a W_REQUESTS send: its first request, payload length and
 * whether it carries arguments (IPC_F_ARGS: every record a block). */
struct ipc_rq_msg {
	unsigned first;
	size_t plen;
	unsigned nrec;
	bool args;
};

/* Splits n requests into messages, in order: a new one whenever the next
 * request would not fit, counting the empty blocks that a message's first
 * request with arguments adds to the records before it. */
static int ipc_rq_plan(const struct iovec *data, const struct iovec *args, unsigned n, struct ipc_rq_msg *mm,
		       unsigned *nmsg)
{
	*nmsg = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t a = args ? args[i].iov_len : 0;
		struct ipc_rq_msg *m = *nmsg ? &mm[*nmsg - 1] : NULL;
		bool flag = m && (m->args || a);
		size_t grow = m && a && !m->args ? m->nrec * IPC_ARGS_HDR : 0;
		size_t add = IPC_REC_HDR + data[i].iov_len + (flag && !a ? IPC_ARGS_HDR : a);

		if (!m || m->plen + grow + add > IPC_INLINE_MAX) {
			add = IPC_REC_HDR + data[i].iov_len + a;
			if (add > IPC_INLINE_MAX)
				return -1;
			mm[(*nmsg)++] = (struct ipc_rq_msg){ .first = i, .plen = add, .nrec = 1, .args = a != 0 };
			continue;
		}
		m->plen += grow + add;
		m->nrec++;
		m->args = flag;
	}
	return 0;
}

int ipc_send_requests(int sock, const uint64_t *ids, const struct iovec *data, const struct iovec *args,
		      unsigned n)
{
	static const uint8_t empty[IPC_ARGS_HDR]; /* the empty block: B = 0 */
	uint8_t hdr[IPC_BATCH_MAX][IPC_HDR_LEN], rec[IPC_BATCH_MAX][IPC_REC_HDR];
	struct iovec v[4 * IPC_BATCH_MAX];
	struct mmsghdr mm[IPC_BATCH_MAX];
	struct ipc_rq_msg plan[IPC_BATCH_MAX + 1];
	unsigned nmsg, nv = 0;
	int sent;

	if (n == 0 || n > IPC_BATCH_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (ipc_rq_plan(data, args, n, plan, &nmsg) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	plan[nmsg].first = n;
	for (unsigned k = 0; k < nmsg; k++) {
		mm[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &v[nv] } };
		ipc_encode_hdr_flags(hdr[k], IPC_W_REQUESTS, plan[k].args ? IPC_F_ARGS : 0, 0, (uint32_t)plan[k].plen);
		v[nv++] = (struct iovec){ hdr[k], IPC_HDR_LEN };
		for (unsigned i = plan[k].first; i < plan[k + 1].first; i++) {
			struct iovec a = args && args[i].iov_len ? args[i] : (struct iovec){ (void *)empty, IPC_ARGS_HDR };

			ipc_rec_put(rec[i], ids[i], (uint32_t)(data[i].iov_len + (plan[k].args ? a.iov_len : 0)));
			v[nv++] = (struct iovec){ rec[i], IPC_REC_HDR };
			if (plan[k].args)
				v[nv++] = a;
			if (data[i].iov_len)
				v[nv++] = data[i];
		}
		mm[k].msg_hdr.msg_iovlen = (size_t)(&v[nv] - mm[k].msg_hdr.msg_iov);
	}
	do
		sent = sendmmsg(sock, mm, nmsg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -1;
	return (int)plan[sent].first;
}

int ipc_send(int sock, enum ipc_type t, uint64_t id, const void *payload,
	     uint32_t len, const int *fds, unsigned nfds)
{
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
	return ipc_sendv(sock, t, id, &iov, len ? 1 : 0, fds, nfds);
}

/* Collects SCM_RIGHTS descriptors; any other control message is refused. */
static int ipc_take_fds(struct msghdr *mh, int *fds, unsigned *nfds)
{
	int bad = 0;

	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;
		int *p = (int *)CMSG_DATA(c);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, p + i, sizeof(fd));
			if (*nfds < IPC_MAX_FDS)
				fds[(*nfds)++] = fd;
			else {
				close(fd);
				bad = 1;
			}
		}
	}
	return bad ? -1 : 0;
}

/* EMFILE or ENFILE when this process can open no descriptor now, else
 * EPROTO. */
static int ipc_fds_exhausted(int sock)
{
	int fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);

	if (fd >= 0) {
		close(fd);
		return EPROTO;
	}
	return errno == EMFILE || errno == ENFILE ? errno : EPROTO;
}

int ipc_recv(int sock, uint8_t *buf, size_t cap, size_t *len, int *fds,
	     unsigned *nfds, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (IPC_MAX_FDS + 1))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	ssize_t n;
	int bad;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	bad = ipc_take_fds(&mh, fds, nfds);
	if (bad || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		/* The kernel also truncates the control data when it cannot
		 * install the descriptors: then say so (EMFILE, ENFILE), asked
		 * before those it did install are closed. */
		int e = (mh.msg_flags & MSG_TRUNC) ? EMSGSIZE : (mh.msg_flags & MSG_CTRUNC) ? ipc_fds_exhausted(sock) : EPROTO;

		ipc_close_fds(fds, *nfds);
		*nfds = 0;
		*len = (size_t)n;
		errno = e;
		return -1;
	}
	if (n == 0 && *nfds == 0) {
		/* A zero-length SEQPACKET read is end of stream: headers are never empty. */
		return 0;
	}
	*len = (size_t)n;
	return 1;
}
