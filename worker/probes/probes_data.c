/* Probes of the probe plugin: the profile's [filesystem] data mounts and
 * scratch tmpfs, from inside a sealed worker. The supervisor names them in
 * the request (data=, dataw=, scratch=); without them each probe aims at
 * where they would be, and must find nothing there. Each first attempts
 * its one forbidden thing (with raw syscall(), so the filter sees the call
 * named); a preparation on scratch (creating a file) comes before it only
 * where scratch is declared, and is itself refused where it is not. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

#define PD_DATA_DEFAULT "/usr/share/caisson-probe-data"
#define PD_CHUNK (64 * 1024)

/* The declared data path (file or directory), and where to try writing. */
static const char *pd_data(const struct pctx *c)
{
	return c->data[0] ? c->data : PD_DATA_DEFAULT;
}

/* After the refused write, whether the data reads: the answer says so
 * (verify_probes.c turns it into the data-readable item). */
static void pd_read_note(const struct pctx *c, char *note, size_t len)
{
	char b[64];
	long fd = syscall(SYS_openat, AT_FDCWD, pd_data(c), O_RDONLY | O_CLOEXEC, 0);
	long n;

	if (fd < 0) {
		snprintf(note, len, "; data not readable: %s", probe_errname(errno));
		return;
	}
	n = syscall(SYS_read, (int)fd, b, sizeof(b));
	syscall(SYS_close, (int)fd);
	/* A directory opens (read_dir) but reads as EISDIR: it is there. */
	if (n < 0 && errno != EISDIR)
		snprintf(note, len, "; data not readable: %s", probe_errname(errno));
	else
		snprintf(note, len, "; data read %s", n < 0 ? "(a directory)" : "(a file)");
}

void probe_data_write(const struct pctx *c)
{
	const char *target = c->dataw[0] ? c->dataw : PD_DATA_DEFAULT;
	long fd = syscall(SYS_openat, AT_FDCWD, target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	char note[96] = "";
	int err = errno;

	if (fd >= 0) {
		probe_say(c, "escaped openat(\"%.100s\", O_WRONLY|O_CREAT) = %ld, write = %ld", target, fd,
			  (long)syscall(SYS_write, (int)fd, "x", 1));
		return;
	}
	if (c->data[0])
		pd_read_note(c, note, sizeof(note));
	probe_say(c, "blocked %s%s", probe_errname(err), note);
}

/* Lists the directory holding the data path: no more entries than the
 * supervisor expects there (dataents=: the next components of the declared
 * data paths, and tmp for scratch in "/"), or nothing may be listed. */
void probe_data_neighbours(const struct pctx *c)
{
	char dir[PROBE_PATH_MAX], buf[4096] __attribute__((aligned(8)));
	long fd, n;
	unsigned long long entries = 0;

	snprintf(dir, sizeof(dir), "%s", pd_data(c));
	*strrchr(dir, '/') = '\0';
	fd = syscall(SYS_openat, AT_FDCWD, dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0) {
		probe_result(c, fd, "openat(the data path's directory)");
		return;
	}
	while ((n = syscall(SYS_getdents64, (int)fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			const char *name = buf + off + 19; /* struct linux_dirent64: d_name */
			unsigned short reclen;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			entries += strcmp(name, ".") && strcmp(name, "..");
			off += reclen;
		}
	syscall(SYS_close, (int)fd);
	if (n < 0)
		probe_say(c, "blocked %s", probe_errname(errno));
	else if (entries > c->dataents)
		probe_say(c, "escaped %llu entries beside %.100s, %llu declared", entries, pd_data(c), c->dataents);
	else
		probe_say(c, "blocked none: only the declared paths are there");
}

/* A small file on scratch, for the exec probes; -1 (errno) without scratch. */
static long pd_scratch_file(const char *path)
{
	static const char script[] = "#!/bin/sh\nexit 0\n";
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);

	if (fd >= 0 && syscall(SYS_write, (int)fd, script, sizeof(script) - 1) != (long)sizeof(script) - 1) {
		syscall(SYS_close, (int)fd);
		return -1;
	}
	return fd;
}

void probe_scratch_exec(const struct pctx *c)
{
	char *const argv[] = { "/tmp/caisson-x", NULL }, *const envp[] = { NULL };
	long fd = pd_scratch_file("/tmp/caisson-x");

	if (fd < 0) {
		probe_result(c, fd, "openat(\"/tmp/caisson-x\", O_CREAT)");
		return;
	}
	syscall(SYS_close, (int)fd);
	probe_result(c, syscall(SYS_execve, "/tmp/caisson-x", argv, envp), "execve(\"/tmp/caisson-x\")");
}

void probe_scratch_mmap_exec(const struct pctx *c)
{
	long fd = pd_scratch_file("/tmp/caisson-m");
	long p;

	if (fd < 0) {
		probe_result(c, fd, "openat(\"/tmp/caisson-m\", O_CREAT)");
		return;
	}
	p = syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, (int)fd, 0);
	syscall(SYS_close, (int)fd);
	probe_result(c, p == (long)MAP_FAILED ? -1 : p, "mmap(a scratch file, PROT_READ|PROT_EXEC)");
}

/* Writes until the first failure, never more than a chunk past the cap. */
void probe_scratch_fill(const struct pctx *c)
{
	static char chunk[PD_CHUNK];
	unsigned long long total = 0, cap = c->scratch;
	long fd = syscall(SYS_openat, AT_FDCWD, "/tmp/caisson-fill", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), n;

	if (fd < 0) {
		probe_result(c, fd, "openat(\"/tmp/caisson-fill\", O_CREAT)");
		return;
	}
	memset(chunk, 'f', sizeof(chunk));
	while (total <= cap && (n = syscall(SYS_write, (int)fd, chunk, sizeof(chunk))) > 0)
		total += (unsigned long long)n;
	if (total > cap)
		probe_say(c, "escaped wrote %llu bytes, past the cap of %llu", total, cap);
	else
		probe_say(c, "blocked %s after %llu bytes (cap %llu)", probe_errname(errno), total, cap);
	syscall(SYS_close, (int)fd); /* the worker, and its scratch, end with the probe */
}
