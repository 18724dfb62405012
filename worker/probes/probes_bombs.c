/* Probes of the probe plugin: bombs (processes, memory, descriptors,
 * output, CPU) and leaks (environment, descriptors). Runs inside a sealed
 * worker. Every bomb stops by itself at a bound (a count, or twice the
 * limit the supervisor passed), so even an escaped one cannot run away;
 * the pool's limits and cgroup bound it too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define BOMB_PROCS 64
#define BOMB_FDS 4096
#define MiB (1024ull * 1024)

extern char **environ;

static long fork_raw(void) { return syscall(SYS_fork); }
static long clone_raw(void) { return syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, NULL, NULL, 0UL); }

#if defined(__x86_64__)
/* vfork shares our stack with the child until it exits, so the child may
 * not return through any C frame: the call and the child's exit are one
 * asm block that touches no memory. */
static long vfork_raw(void)
{
	long rc = SYS_vfork;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %[exit], %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "+a"(rc)
			 : [exit] "i"(SYS_exit)
			 : "rcx", "r11", "rdi", "memory");
	return rc;
}
#endif

static void spawn_many(const struct pctx *c, long (*fn)(void), const char *what)
{
	int made = 0;

	while (made < BOMB_PROCS) {
		long rc = fn();

		if (rc == 0)
			syscall(SYS_exit, 0);
		if (rc < 0)
			break;
		made++;
	}
	if (made == 0)
		probe_say(c, "blocked %s", probe_errname(errno));
	else
		probe_say(c, "escaped %s created %d processes%s", what, made, made < BOMB_PROCS ? " before failing" : "");
}

void probe_fork_bomb(const struct pctx *c) { spawn_many(c, fork_raw, "fork()"); }
void probe_clone_bomb(const struct pctx *c) { spawn_many(c, clone_raw, "clone(SIGCHLD)"); }
#if defined(__x86_64__)
void probe_vfork_bomb(const struct pctx *c) { spawn_many(c, vfork_raw, "vfork()"); }
#else
void probe_vfork_bomb(const struct pctx *c) { probe_say(c, "unsupported x86_64 only"); }
#endif

/* Allocates and touches 16 MiB at a time up to twice the memory limit.
 * Stopped by the cgroup (MEMORY_LIMIT) or refused by RLIMIT_AS (blocked);
 * touching more than the limit is the escape. */
void probe_memory_bomb(const struct pctx *c)
{
	const size_t chunk = 16 * MiB;
	unsigned long long touched = 0, bound = c->mem * 2 + 64 * MiB;

	if (!c->mem) {
		probe_say(c, "unsupported no memory limit given");
		return;
	}
	while (touched < bound) {
		volatile char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		for (size_t off = 0; off < chunk; off += 4096)
			p[off] = 1;
		touched += chunk;
	}
	if (touched > c->mem)
		probe_say(c, "escaped touched %llu MiB, over the %llu MiB limit", touched / MiB, c->mem / MiB);
	else
		probe_say(c, "blocked %s after %llu MiB (limit %llu MiB)", probe_errname(errno), touched / MiB,
			  c->mem / MiB);
}

void probe_fd_bomb(const struct pctx *c)
{
	int made = 0;

	while (made < BOMB_FDS && syscall(SYS_dup, 2) >= 0)
		made++;
	if (made < BOMB_FDS)
		probe_say(c, "blocked %s after %d descriptors", probe_errname(errno), made);
	else
		probe_say(c, "escaped %d descriptors without EMFILE", made);
}

/* Writes up to twice the output limit; the supervisor must cut it off
 * (OUTPUT_LIMIT). If it did not, the last line says so. */
void probe_output_bomb(const struct pctx *c)
{
	static char block[65536];
	unsigned long long sent = 0, bound = c->outb * 2 + 65536;

	if (!c->outb) {
		probe_say(c, "unsupported no output limit given");
		return;
	}
	memset(block, 'A', sizeof(block));
	while (sent < bound && caisson_out_write(c->out, block, sizeof(block)) == 0)
		sent += sizeof(block);
	if (sent >= bound)
		probe_say(c, "\nescaped wrote %llu bytes past a %llu-byte limit", sent, c->outb);
}

static unsigned long long cpu_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* Spins for twice the CPU limit; the supervisor or RLIMIT_CPU must stop it. */
void probe_cpu_spin(const struct pctx *c)
{
	unsigned long long start = cpu_ms(), used = 0;

	if (!c->cpu) {
		probe_say(c, "unsupported no CPU limit given");
		return;
	}
	while (used < c->cpu * 2 + 100)
		used = cpu_ms() - start;
	probe_say(c, "escaped spun %llu ms of CPU past a %llu ms limit", used, c->cpu);
}

void probe_env_leak(const struct pctx *c)
{
	size_t n = 0;

	while (environ && environ[n])
		n++;
	if (n == 0)
		probe_say(c, "blocked none: environment empty");
	else
		probe_say(c, "escaped %zu variables, first %.60s", n, environ[0]);
}

/* mmap answers EBADF for a closed fd and something else (ENODEV, EACCES or
 * a mapping) for an open one, and needs no syscall the baseline forbids. */
void probe_fd_leak(const struct pctx *c)
{
	char extra[256] = "";
	size_t used = 0;
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED && errno == EBADF)
			continue;
		if (p != MAP_FAILED)
			munmap(p, 4096);
		if (fd == 2 || fd == 3)
			continue;
		n++;
		if (used < sizeof(extra) - 12)
			used += (size_t)snprintf(extra + used, sizeof(extra) - used, " %d", fd);
	}
	if (n == 0)
		probe_say(c, "blocked none: only fds 2 (log) and 3 (IPC) are open");
	else
		probe_say(c, "escaped %d extra open fds:%s", n, extra);
}
