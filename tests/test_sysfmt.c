/* Violation formatting: kernel-given syscall data to one readable line. */
#include <fcntl.h>
#include <linux/audit.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "check.h"
#include "policy/sysfmt.h"

static const char *mem;

static ssize_t fake_read(void *ctx, unsigned long long addr, void *buf, size_t len)
{
	size_t n = strlen(mem) + 1;

	if (addr != 0x1000)
		return -1;
	if (n > len)
		n = len;
	memcpy(buf, mem, n);
	return (ssize_t)n;
}

static const char *fmt(int nr, unsigned arch, unsigned long long a0, unsigned long long a1,
		       unsigned long long a2)
{
	static char out[400];
	struct seccomp_data sd = { .nr = nr, .arch = arch, .args = { a0, a1, a2 } };

	sysfmt_format(&sd, fake_read, NULL, out, sizeof(out));
	return out;
}

int main(void)
{
	char big[300];

	mem = "/etc/passwd";
	CHECK_STR(fmt(SYS_openat, AUDIT_ARCH_X86_64, (unsigned long long)AT_FDCWD, 0x1000, O_RDONLY),
		  "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY, 0x0)");
	CHECK_STR(fmt(SYS_openat, AUDIT_ARCH_X86_64, 5, 0x1000, O_WRONLY | O_CREAT | O_CLOEXEC),
		  "openat(5, \"/etc/passwd\", O_WRONLY|O_CREAT|O_CLOEXEC, 0x0)");
	/* Unreadable pointer: the raw address, never a guess. */
	CHECK_STR(fmt(SYS_open, AUDIT_ARCH_X86_64, 0x2000, O_RDONLY, 0), "open(0x2000, O_RDONLY, 0x0)");
	CHECK_STR(fmt(SYS_socket, AUDIT_ARCH_X86_64, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
		  "socket(AF_INET, SOCK_STREAM|0x80000, 0)");
	CHECK_STR(fmt(SYS_fork, AUDIT_ARCH_X86_64, 0, 0, 0), "fork()");
	CHECK_STR(fmt(3, AUDIT_ARCH_I386, 0, 0, 0), "ia32 syscall 3");
	CHECK_STR(fmt(0x40000000 | 2, AUDIT_ARCH_X86_64, 0, 0, 0), "x32 syscall 2");
	/* Hostile strings are escaped and bounded. */
	mem = "a\"b\\c\n\x01";
	CHECK_STR(fmt(SYS_execve, AUDIT_ARCH_X86_64, 0x1000, 0, 0), "execve(\"a\\\"b\\\\c\\x0a\\x01\", 0x0, 0x0)");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mem = big;
	CHECK_CONTAINS(fmt(SYS_open, AUDIT_ARCH_X86_64, 0x1000, 0, 0), "AAAA\"...");
	CHECK_CONTAINS(fmt(99999, AUDIT_ARCH_X86_64, 1, 2, 3), "(0x1, 0x2, 0x3, 0x0, 0x0, 0x0)");
	return check_done("test_sysfmt");
}
