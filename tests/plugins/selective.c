/* Test plugin: misbehaves as its input says, so one `caisson run` can mix
 * hostile and good inputs and show that each ends with its own status and
 * the next input still succeeds, and so that the pool tests can inject
 * every fault a worker can commit. Input is a command word; anything else
 * is echoed back. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "caisson_plugin.h"
#include "ipc_proto.h"
#include "wire.h"

/* A hand-made message on the IPC fd, as a hostile plugin would send it.
 * The request id is the first field of the runtime's caisson_out (a test
 * plugin may know that; a real one gains nothing from it). */
static int raw_send(caisson_out *out, uint16_t type, uint64_t id_delta, const void *payload, uint32_t len,
		    int fd)
{
	uint8_t hdr[IPC_HDR_LEN] = { 0 };
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)payload, len } };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	wire_put32(hdr, IPC_MAGIC);
	hdr[4] = (uint8_t)type;
	hdr[5] = (uint8_t)(type >> 8);
	wire_put64(hdr + 8, *(const uint64_t *)(const void *)out + id_delta);
	wire_put32(hdr + 16, len);
	if (fd >= 0) {
		struct cmsghdr *c;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(3, &mh, 0) < 0 ? 1 : 0;
}

static int is(const uint8_t *in, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(in, word, n) == 0;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (is(in, len, "segv"))
		*(volatile int *)0 = 1;
	if (is(in, len, "open"))
		return open("/etc/passwd", O_RDONLY) >= 0 ? 0 : 1;
	if (is(in, len, "socket"))
		return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1;
	if (is(in, len, "spin"))
		for (volatile unsigned long i = 0;; i++)
			;
	if (is(in, len, "garbage")) {
		static const char junk[64] = "not a caisson message";
		return write(3, junk, sizeof(junk)) > 0 ? 0 : 1;
	}
	if (is(in, len, "exit"))
		_exit(3);
	if (is(in, len, "abort"))
		abort();
	if (is(in, len, "fail")) {
		caisson_out_error(out, "refused: input says fail");
		return 2;
	}
	if (is(in, len, "flood")) {
		static uint8_t chunk[65536];
		for (;;)
			caisson_out_write(out, chunk, sizeof(chunk));
	}
	if (is(in, len, "hang"))
		for (;;)
			sleep(3600); /* no CPU: the wall time ends it */
	if (is(in, len, "twice")) {
		static const uint8_t rc0[4];
		return raw_send(out, IPC_W_DONE, 0, rc0, 4, -1); /* then the runtime's DONE */
	}
	if (is(in, len, "wrongid"))
		return raw_send(out, IPC_W_OUTPUT, 1, "x", 1, -1);
	if (is(in, len, "fds"))
		return raw_send(out, IPC_W_OUTPUT, 0, "x", 1, 2);
	if (is(in, len, "close"))
		return close(3);
	if (is(in, len, "shmlie") || is(in, len, "oklie")) {
		uint8_t size[8];
		wire_put64(size, 1u << 30); /* far past the 1M+1 output region */
		return raw_send(out, is(in, len, "oklie") ? IPC_W_OK_SHM : IPC_W_OUTPUT_SHM, 0, size, 8, -1);
	}
	if (is(in, len, "inwrite")) {
		/* A large input is read in place from the input region,
		 * mapped from a read-only descriptor: it cannot be made
		 * writable. */
		void *page = (void *)((uintptr_t)in & ~(uintptr_t)4095);
		if (mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0)
			return caisson_out_write(out, "writable", 8) == 0 ? 0 : 1;
		return caisson_out_write(out, errno == EACCES ? "refused" : "other", 7) == 0 ? 0 : 1;
	}
	if (is(in, len, "alloc"))
		for (;;) {
			char *p = malloc(1 << 20);
			if (!p)
				*(volatile char *)0 = 0;
			memset(p, 1, 1 << 20);
		}
	return caisson_out_write(out, in, len) == 0 ? 0 : 1;
}
