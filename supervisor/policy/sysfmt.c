/* Syscall formatting for violation reports; see sysfmt.h. Runs in the
 * supervisor on data from the kernel and, for strings, the hostile worker's
 * memory: every string is bounded and escaped. */
#include "sysfmt.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

enum akind { A_END, A_HEX, A_INT, A_FD, A_PATH, A_OFLAGS, A_AF, A_SOCKTYPE, A_CLONE };

struct sysfmt_row {
	long nr;
	enum akind args[6];
};

/* Syscalls worth decoding argument by argument; others print 6 hex words. */
static const struct sysfmt_row sysfmt_rows[] = {
	{ SYS_openat, { A_FD, A_PATH, A_OFLAGS, A_HEX } },
	{ SYS_open, { A_PATH, A_OFLAGS, A_HEX } },
	{ SYS_creat, { A_PATH, A_HEX } },
	{ SYS_execve, { A_PATH, A_HEX, A_HEX } },
	{ SYS_execveat, { A_FD, A_PATH, A_HEX, A_HEX, A_HEX } },
	{ SYS_socket, { A_AF, A_SOCKTYPE, A_INT } },
	{ SYS_socketpair, { A_AF, A_SOCKTYPE, A_INT, A_HEX } },
	{ SYS_connect, { A_FD, A_HEX, A_INT } },
	{ SYS_clone, { A_CLONE, A_HEX, A_HEX, A_HEX, A_HEX } },
	{ SYS_fork, { A_END } },
	{ SYS_vfork, { A_END } },
	{ SYS_kill, { A_INT, A_INT } },
	{ SYS_ptrace, { A_INT, A_INT, A_HEX, A_HEX } },
	{ SYS_unlink, { A_PATH } },
	{ SYS_mkdir, { A_PATH, A_HEX } },
	{ SYS_chdir, { A_PATH } },
	{ SYS_mount, { A_PATH, A_PATH, A_PATH, A_HEX, A_HEX } },
	{ SYS_mmap, { A_HEX, A_INT, A_HEX, A_HEX, A_FD, A_HEX } },
	{ SYS_mprotect, { A_HEX, A_INT, A_HEX } },
	{ SYS_ioctl, { A_FD, A_HEX, A_HEX } },
	{ SYS_prctl, { A_INT, A_HEX, A_HEX, A_HEX, A_HEX } },
};

struct sbuf {
	char *p;
	size_t len, off;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n < b->len - b->off ? (size_t)n : b->len - b->off - 1;
}

static void put_path(struct sbuf *b, unsigned long long addr, sysfmt_reader rd, void *ctx)
{
	char raw[128];
	ssize_t n = rd ? rd(ctx, addr, raw, sizeof(raw)) : -1;
	size_t len;

	if (n <= 0) {
		put(b, "0x%llx", addr);
		return;
	}
	len = strnlen(raw, (size_t)n);
	put(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '"' || c == '\\')
			put(b, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			put(b, "%c", c);
		else
			put(b, "\\x%02x", c);
	}
	put(b, len == (size_t)n ? "\"..." : "\"");
}

static void put_oflags(struct sbuf *b, unsigned long long v)
{
	static const struct { unsigned long long bit; const char *name; } f[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
	};
	const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	put(b, "%s", acc[v & O_ACCMODE]);
	v &= ~(unsigned long long)O_ACCMODE;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((v & f[i].bit) == f[i].bit) {
			put(b, "|%s", f[i].name);
			v &= ~f[i].bit;
		}
	if (v)
		put(b, "|0x%llx", v);
}

static void put_arg(struct sbuf *b, enum akind k, unsigned long long v, sysfmt_reader rd, void *ctx)
{
	static const char *const af[] = { [AF_UNIX] = "AF_UNIX", [AF_INET] = "AF_INET",
		[AF_INET6] = "AF_INET6", [AF_NETLINK] = "AF_NETLINK", [AF_PACKET] = "AF_PACKET" };
	static const char *const st[] = { [SOCK_STREAM] = "SOCK_STREAM", [SOCK_DGRAM] = "SOCK_DGRAM",
		[SOCK_RAW] = "SOCK_RAW", [SOCK_SEQPACKET] = "SOCK_SEQPACKET" };

	switch (k) {
	case A_INT: put(b, "%lld", (long long)v); break;
	case A_FD:
		if ((int)v == AT_FDCWD)
			put(b, "AT_FDCWD");
		else
			put(b, "%d", (int)v);
		break;
	case A_PATH: put_path(b, v, rd, ctx); break;
	case A_OFLAGS: put_oflags(b, v); break;
	case A_AF:
		if (v < sizeof(af) / sizeof(af[0]) && af[v])
			put(b, "%s", af[v]);
		else
			put(b, "%llu", v);
		break;
	case A_SOCKTYPE:
		if ((v & 0xf) < sizeof(st) / sizeof(st[0]) && st[v & 0xf])
			put(b, "%s", st[v & 0xf]);
		else
			put(b, "%llu", v & 0xf);
		if (v & ~0xfull)
			put(b, "|0x%llx", v & ~0xfull);
		break;
	case A_CLONE: put(b, "flags=0x%llx", v); break;
	case A_HEX:
	case A_END: put(b, "0x%llx", v); break;
	}
}

void sysfmt_format(const struct seccomp_data *sd, sysfmt_reader rd, void *ctx, char *out, size_t outlen)
{
	struct sbuf b = { out, outlen, 0 };
	const struct sysfmt_row *row = NULL;
	char *name = NULL;

	out[0] = '\0';
	if (sd->arch != AUDIT_ARCH_X86_64) {
		put(&b, "%s syscall %d", sd->arch == AUDIT_ARCH_I386 ? "ia32" : "foreign-arch", sd->nr);
		return;
	}
	if (sd->nr & __X32_SYSCALL_BIT) {
		put(&b, "x32 syscall %d", sd->nr & ~__X32_SYSCALL_BIT);
		return;
	}
	for (size_t i = 0; i < sizeof(sysfmt_rows) / sizeof(sysfmt_rows[0]); i++)
		if (sysfmt_rows[i].nr == sd->nr)
			row = &sysfmt_rows[i];
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, sd->nr);
	if (name)
		put(&b, "%s(", name);
	else
		put(&b, "syscall_%d(", sd->nr);
	free(name);
	for (int i = 0; i < 6; i++) {
		enum akind k = row ? row->args[i] : A_HEX;
		if (k == A_END)
			break;
		if (i)
			put(&b, ", ");
		put_arg(&b, k, sd->args[i], rd, ctx);
	}
	put(&b, ")");
}

const char *sysfmt_signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}
