/* Hostile test plugin (issue 19, finding 2): answers its own request on
 * the IPC socket (a hand-made W_OK with its request id), then keeps
 * running. The supervisor thinks it idle, so no per-request wall or CPU
 * limit applies any more; it must notice the CPU an idle worker spends
 * and kill it. Input "forge": forge the answer, then spin; "wait": sleep
 * 3 s and answer (keeps `caisson run` alive meanwhile); else echo. */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "caisson_plugin.h"
#include "ipc_proto.h"
#include "wire.h"

/* The request id is the first field of the runtime's caisson_out: a
 * hostile plugin can read it as well as this one does. */
static void forge_ok(caisson_out *out)
{
	uint8_t hdr[IPC_HDR_LEN] = { 0 };
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	wire_put32(hdr, IPC_MAGIC);
	hdr[4] = (uint8_t)IPC_W_OK;
	hdr[5] = (uint8_t)(IPC_W_OK >> 8);
	wire_put64(hdr + 8, *(const uint64_t *)(const void *)out);
	sendmsg(3, &mh, 0);
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	if (len >= 5 && !memcmp(in, "forge", 5)) {
		volatile unsigned long n = 0;
		forge_ok(out);
		for (;;)
			n++;
	}
	if (len >= 4 && !memcmp(in, "wait", 4)) {
		struct timespec t = { 3, 0 };
		while (nanosleep(&t, &t) != 0)
			;
	}
	return caisson_out_write(out, in, len) == 0 ? 0 : 1;
}
