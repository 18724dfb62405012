/* Test plugin for [filesystem] data and scratch: each request is one
 * command, run at request time (after READY, the seal and the clearing of
 * the binds), answered in one line or with a file's bytes:
 *   read PATH     the file's bytes (PLUGIN_ERROR "read PATH: ERRNO" else)
 *   write PATH    open(PATH, O_WRONLY): "ok" or the errno's name
 *   create PATH   open(PATH, O_CREAT|O_EXCL|O_WRONLY): "ok" or the errno's name
 *   scratch N     writes N bytes to /tmp/rt, reads them back, compares,
 *                 removes the file: "ok N" or what failed
 *   fill          writes /tmp/fill in 64 KiB chunks until a write fails:
 *                 "ERRNO after BYTES", then removes it
 *   exec          writes /tmp/x (a shell script), execve()s it: the errno
 *   mmapx         maps /tmp/x PROT_READ|PROT_EXEC: the errno
 *   list DIR      the names in DIR, sorted as getdents gives them, one line
 * Runs inside a locked worker; the profile decides which calls it may make. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caisson_plugin.h"

#define CHUNK (64 * 1024)

static char buf[CHUNK], back[CHUNK];

static int say(caisson_out *out, const char *s)
{
	return caisson_out_write(out, s, strlen(s)) < 0;
}

static int say_errno(caisson_out *out, int err)
{
	const char *n = strerrorname_np(err);

	return say(out, n ? n : "unknown errno");
}

static int do_read(const char *path, caisson_out *out)
{
	char msg[300];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		goto fail;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (caisson_out_write(out, buf, (size_t)n) < 0)
			break;
	close(fd);
	if (n == 0)
		return 0;
fail:
	snprintf(msg, sizeof(msg), "read %.200s: %s", path, strerrorname_np(errno));
	caisson_out_error(out, msg);
	return 1;
}

static int do_open(const char *path, int flags, caisson_out *out)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return say_errno(out, errno);
	close(fd);
	return say(out, "ok");
}

static int do_scratch(unsigned long want, caisson_out *out)
{
	char msg[64];
	unsigned long done = 0;
	int fd = open("/tmp/rt", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return say(out, "open failed: ") || say_errno(out, errno);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 3);
	while (done < want) {
		size_t n = want - done < sizeof(buf) ? want - done : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			return say(out, "write failed: ") || say_errno(out, errno);
		done += n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		return say(out, "lseek failed");
	for (done = 0; done < want;) {
		size_t n = want - done < sizeof(back) ? want - done : sizeof(back);
		if (read(fd, back, n) != (ssize_t)n || memcmp(back, buf, n) != 0)
			return say(out, "read back differs");
		done += n;
	}
	close(fd);
	if (unlink("/tmp/rt") < 0)
		return say(out, "unlink failed: ") || say_errno(out, errno);
	snprintf(msg, sizeof(msg), "ok %lu", want);
	return say(out, msg);
}

static int do_fill(caisson_out *out)
{
	char msg[96];
	unsigned long long total = 0;
	ssize_t n;
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return say(out, "open failed: ") || say_errno(out, errno);
	memset(buf, 'f', sizeof(buf));
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += (unsigned long long)n;
	snprintf(msg, sizeof(msg), "%s after %llu", n < 0 ? strerrorname_np(errno) : "EOF", total);
	close(fd);
	unlink("/tmp/fill");
	return say(out, msg);
}

static int make_script(void)
{
	static const char script[] = "#!/bin/sh\necho escaped\n";
	int fd = open("/tmp/x", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);

	if (fd < 0)
		return -1;
	if (write(fd, script, sizeof(script) - 1) != (ssize_t)sizeof(script) - 1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int do_exec(caisson_out *out)
{
	char *const argv[] = { "/tmp/x", NULL }, *const envp[] = { NULL };

	if (make_script() < 0)
		return say(out, "write /tmp/x failed: ") || say_errno(out, errno);
	syscall(SYS_execve, "/tmp/x", argv, envp);
	return say_errno(out, errno);
}

static int do_mmapx(caisson_out *out)
{
	void *p;
	int fd, err;

	if (make_script() < 0 || (fd = open("/tmp/x", O_RDONLY | O_CLOEXEC)) < 0)
		return say(out, "open /tmp/x failed: ") || say_errno(out, errno);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	err = errno;
	close(fd);
	if (p != MAP_FAILED) {
		munmap(p, 4096);
		return say(out, "mapped executable");
	}
	return say_errno(out, err);
}

static int do_list(const char *path, caisson_out *out)
{
	char names[4096] __attribute__((aligned(8)));
	long n;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), first = 1;

	if (fd < 0)
		return say_errno(out, errno);
	while ((n = syscall(SYS_getdents64, fd, names, sizeof(names))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(names + off);
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				if (!first)
					say(out, " ");
				say(out, e->d_name);
				first = 0;
			}
			off += e->d_reclen;
		}
	close(fd);
	return 0;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	char cmd[1100], *arg;

	if (len >= sizeof(cmd) || memchr(in, 0, len)) {
		caisson_out_error(out, "bad command");
		return 1;
	}
	memcpy(cmd, in, len);
	cmd[len] = '\0';
	cmd[strcspn(cmd, "\n")] = '\0';
	arg = strchr(cmd, ' ');
	if (arg)
		*arg++ = '\0';
	else
		arg = cmd + strlen(cmd);
	if (strcmp(cmd, "read") == 0)
		return do_read(arg, out);
	if (strcmp(cmd, "write") == 0)
		return do_open(arg, O_WRONLY, out);
	if (strcmp(cmd, "create") == 0)
		return do_open(arg, O_WRONLY | O_CREAT | O_EXCL, out);
	if (strcmp(cmd, "scratch") == 0)
		return do_scratch(strtoul(arg, NULL, 10), out);
	if (strcmp(cmd, "fill") == 0)
		return do_fill(out);
	if (strcmp(cmd, "exec") == 0)
		return do_exec(out);
	if (strcmp(cmd, "mmapx") == 0)
		return do_mmapx(out);
	if (strcmp(cmd, "list") == 0)
		return do_list(arg, out);
	caisson_out_error(out, "unknown command");
	return 1;
}
