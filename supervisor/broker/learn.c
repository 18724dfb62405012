/* The learning worker's recorder; see learn.h. Runs in the supervisor,
 * as the invoking user, on what a hostile worker hands the kernel: every
 * path is read with a bound (nf_read_string), every count is bounded
 * (learned.h), and nothing read decides more than what is written down. */
#include "learn.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "notify_serve.h"
#include "policy/sysfmt.h"
#include "policy/sysgroups.h"

#define LRN_X32_BIT 0x40000000u

int lrn_init(struct lrn *l, const struct profile *base)
{
	memset(l, 0, sizeof(*l));
	memcpy(l->base_run, base->run, sizeof(l->base_run));
	return learned_init(&l->rec);
}

void lrn_free(struct lrn *l)
{
	learned_free(&l->rec);
}

/* The directory a relative path is looked up from: the worker's working
 * directory or descriptor fd, as the kernel names it (/proc/PID/...);
 * 0, or -1 when it names no directory (a pipe, a socket, gone). */
static int lrn_dir_of(pid_t pid, int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(link, buf, len - 1);
	if (n <= 0 || buf[0] != '/')
		return -1;
	buf[n] = '\0';
	return 0;
}

/* path made absolute against dir and lexically clean (no ".", "..",
 * empty components): what the sample asked for, not what exists. */
static int lrn_clean(const char *dir, const char *path, char *out, size_t len)
{
	char joined[2 * LEARNED_PATH_MAX];
	char *save = NULL;
	size_t o = 0;

	if (snprintf(joined, sizeof(joined), "%s/%s", path[0] == '/' ? "" : dir, path) >= (int)sizeof(joined))
		return -1;
	for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(c);

		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		if (o + 1 + n + 1 > len)
			return -1;
		out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/* Records the path a lookup names (fstatat(fd, "", AT_EMPTY_PATH) names
 * none: it is an fstat). */
static void lrn_lookup(struct lrn *l, pid_t pid, enum learned_phase ph, const struct seccomp_data *sd)
{
	const struct learned_lookup *lk = learned_lookup_find(sd->nr);
	char path[LEARNED_PATH_MAX], dir[LEARNED_PATH_MAX], clean[LEARNED_PATH_MAX];
	int fd = lk && lk->dirfd_arg >= 0 ? (int)sd->args[lk->dirfd_arg] : AT_FDCWD;

	if (!lk)
		return;
	if (lk->fd_arg >= 0) {
		if (lrn_dir_of(pid, (int)sd->args[lk->fd_arg], path, sizeof(path)) < 0) {
			l->rec.lookups++;
			l->rec.unreadable++;
			return;
		}
	} else if (nf_read_string(pid, sd->args[lk->path_arg], path, sizeof(path)) < 0) {
		l->rec.lookups++;
		l->rec.unreadable++;
		return;
	}
	if (!path[0])
		return;
	if ((path[0] != '/' && lrn_dir_of(pid, fd, dir, sizeof(dir)) < 0) ||
	    lrn_clean(path[0] == '/' ? "" : dir, path, clean, sizeof(clean)) < 0) {
		l->rec.lookups++;
		l->rec.unreadable++;
		return;
	}
	learned_add_path(&l->rec, clean, sd->nr, ph);
}

/* The refused calls kept as examples (mmap, mprotect, fcntl, socket, prctl)
 * take no string: their text needs no read of the worker's memory. */
static ssize_t lrn_no_memory(void *ctx, unsigned long long addr, void *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)buf;
	(void)len;
	return -1;
}

/* Whether the argument rule sysgroups attaches to syscall nr wherever a
 * run set names it refuses these arguments: no profile could allow them. */
static bool lrn_rule_refuses(const struct seccomp_data *sd)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, sd->nr);
	enum sysgroups_rule rule = name ? sysgroups_rule(name) : SYSGROUPS_RULE_NONE;

	free(name);
	if (rule == SYSGROUPS_RULE_PROT_NOEXEC)
		return (sd->args[2] & PROT_EXEC) != 0;
	if (rule == SYSGROUPS_RULE_FCNTL_QUERY)
		return sd->args[1] != F_GETFD && sd->args[1] != F_GETFL;
	return false;
}

bool lrn_note(struct lrn *l, pid_t pid, bool loading, bool allowed, const struct seccomp_data *sd)
{
	enum learned_phase ph = loading ? LEARNED_INIT : LEARNED_RUN;
	char text[LEARNED_EXAMPLE_MAX];

	if (sd->arch != AUDIT_ARCH_X86_64 || ((unsigned)sd->nr & LRN_X32_BIT))
		return false;
	lrn_lookup(l, pid, ph, sd);
	if (allowed)
		return true;
	if (sd->nr < 0 || sd->nr >= PROFILE_MAX_NR) {
		l->rec.beyond++;
		return true;
	}
	/* An init-set call is never judged by arguments; after READY one in
	 * the base's run set came here because an argument rule refused it. */
	if (profile_set_has(l->base_run, sd->nr) || (!loading && lrn_rule_refuses(sd))) {
		sysfmt_format(sd, lrn_no_memory, NULL, text, sizeof(text));
		learned_add_ruled(&l->rec, sd->nr, text);
		return true;
	}
	(loading ? l->rec.init : l->rec.run)[sd->nr]++;
	return true;
}
