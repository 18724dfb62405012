/* The lint of [filesystem] data and scratch; see lint_data.h. Runs in the
 * supervisor when a profile loads, against the host as the invoking user
 * sees it (stat, realpath, access): a data path must be a canonical, readable
 * directory or regular file that exposes no secret and not the host
 * wholesale; scratch must fit in [limits] memory. The worker checks the
 * opened source again at mount time (wk_mount.c). */
#include "lint_data.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

/* Refused as a whole: the host's top-level trees. */
static const char *const ld_whole[] = { "/", "/etc", "/usr", "/var", "/opt", "/srv", "/mnt", "/media",
					"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/snap", NULL };

/* Refused at, beneath, and above (a data path holding one): the kernel's
 * and the host's state, users' homes, temporary trees, and known secrets. */
static const char *const ld_secret[] = {
	"/proc", "/sys", "/dev", "/home", "/root", "/run", "/var/run", "/tmp", "/var/tmp", "/var/lib",
	"/var/log", "/var/spool", "/var/mail", "/var/backups", "/var/cache/private", "/boot", "/lost+found", "/etc/shadow",
	"/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/passwd", "/etc/passwd-", "/etc/group",
	"/etc/group-", "/etc/ssh", "/etc/ssl/private", "/etc/sudoers", "/etc/sudoers.d", "/etc/security",
	"/etc/krb5.keytab", "/etc/credstore", "/etc/credstore.encrypted", "/etc/wireguard",
	"/etc/NetworkManager/system-connections", "/etc/letsencrypt", "/etc/pki/tls/private", NULL,
};

/* Whether path a is b or beneath it. */
static bool ld_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (strcmp(b, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static const char *ld_type(mode_t m)
{
	return S_ISSOCK(m) ? "a socket" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	     : S_ISBLK(m) ? "a block device" : S_ISLNK(m) ? "a symbolic link" : "not a directory or regular file";
}

/* The denylists: 0, or -1 with the reason in why. */
static int ld_place(const char *path, char *why, size_t len)
{
	for (size_t i = 0; ld_whole[i]; i++)
		if (strcmp(path, ld_whole[i]) == 0)
			return snprintf(why, len, "would expose the host's %s whole", path), -1;
	for (size_t i = 0; ld_secret[i]; i++) {
		if (ld_within(path, ld_secret[i]))
			return snprintf(why, len, "is %s%s, which holds the host's secrets or state",
					strcmp(path, ld_secret[i]) ? "beneath " : "", ld_secret[i]), -1;
		if (ld_within(ld_secret[i], path))
			return snprintf(why, len, "contains %s, which holds the host's secrets or state",
					ld_secret[i]), -1;
	}
	return 0;
}

/* What the path is on the host: it exists, is canonical (no symbolic link
 * on the way), and is a directory or regular file. */
static int ld_shape(const char *path, char *why, size_t len)
{
	char real[PATH_MAX];
	struct stat st;

	if (lstat(path, &st) < 0 || !realpath(path, real))
		return snprintf(why, len, "cannot be resolved (%s)", strerror(errno)), -1;
	if (strcmp(real, path) != 0)
		return snprintf(why, len, "is not canonical: it resolves to '%.200s' (name the real path; "
				"no symbolic links)", real), -1;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return snprintf(why, len, "is %s, not a directory or regular file", ld_type(st.st_mode)), -1;
	return 0;
}

/* The invoking user can read it (and search it, a directory). */
static int ld_readable(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return snprintf(why, len, "cannot be resolved (%s)", strerror(errno)), -1;
	if (access(path, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) < 0)
		return snprintf(why, len, "is not readable by this user (%s)", strerror(errno)), -1;
	return 0;
}

/* Two mounts one inside the other would hide or strand each other. */
static int ld_nests(const struct profile *p, size_t i, char *why, size_t len)
{
	for (size_t j = 0; j < p->ndata; j++)
		if (j != i && (ld_within(p->data[i], p->data[j]) || ld_within(p->data[j], p->data[i])))
			return snprintf(why, len, "overlaps data '%.200s' (line %u): data paths must not nest or repeat",
					p->data[j], p->data_line[j]), -1;
	for (size_t j = 0; j < p->nbinds; j++)
		if (ld_within(p->data[i], p->binds[j]) || ld_within(p->binds[j], p->data[i]))
			return snprintf(why, len, "overlaps bind_ro '%.200s': data and bind_ro paths must not nest",
					p->binds[j]), -1;
	return 0;
}

int lint_data(const struct profile *p, const char *file, char *err, size_t errlen)
{
	char why[400];

	for (size_t i = 0; i < p->ndata; i++)
		if (ld_shape(p->data[i], why, sizeof(why)) < 0 || ld_place(p->data[i], why, sizeof(why)) < 0 ||
		    ld_nests(p, i, why, sizeof(why)) < 0 || ld_readable(p->data[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: data: '%.200s' %s", file, p->data_line[i], p->data[i], why);
			return -1;
		}
	if (p->scratch_bytes > p->limits.memory_bytes) {
		snprintf(err, errlen, "%s:%u: scratch: %llu bytes is more than [limits] memory (%llu bytes); "
			 "its pages count against the worker's memory", file, p->scratch_line,
			 (unsigned long long)p->scratch_bytes, (unsigned long long)p->limits.memory_bytes);
		return -1;
	}
	return 0;
}
