/* caisson fuzz's corpus directories and findings on disk; see fz_files.h.
 * Runs in the supervisor as the invoking user. */
#include "fz_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fz_sha1.h"

static int fz_write_file(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = -1;
	const void *parts[2] = { a, b };
	size_t lens[2] = { alen, blen };

	if (fd < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = parts[i];
		size_t left = lens[i];
		while (left) {
			ssize_t n = write(fd, p, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto out;
			p += n;
			left -= (size_t)n;
		}
	}
	rc = fsync(fd);
out:
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static int fz_read_file(int dfd, const char *name, size_t max_len, uint8_t **buf, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int regular = errno == 0 || S_ISREG(st.st_mode);
		close(fd);
		return regular ? -1 : 0;
	}
	if (!(*buf = malloc(max_len ? max_len : 1))) {
		close(fd);
		return -1;
	}
	while (*len < max_len && ((n = read(fd, *buf + *len, max_len - *len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			*len += (size_t)n;
	close(fd);
	return 1;
}

int fz_files_load_dir(const char *dir, size_t max_len, void (*fn)(void *arg, const uint8_t *data, size_t len),
		      void *arg, char *err, size_t errlen)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), dfd, rc = 0;

	if (n < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < n; i++) {
		uint8_t *buf;
		size_t len;
		int r = rc == 0 && dfd >= 0 && names[i]->d_name[0] != '.'
				? fz_read_file(dfd, names[i]->d_name, max_len, &buf, &len) : 0;
		if (r < 0) {
			snprintf(err, errlen, "%s/%s: %s", dir, names[i]->d_name, strerror(errno));
			rc = -1;
		} else if (r > 0) {
			fn(arg, buf, len);
			free(buf);
		}
		free(names[i]);
	}
	free(names);
	if (dfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = -1;
	} else {
		close(dfd);
	}
	return rc;
}

int fz_files_save_input(const char *dir, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	char hex[FZ_SHA1_HEX], path[FZ_PATH_MAX];

	fz_sha1_hex(data, len, hex);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, hex) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (access(path, F_OK) == 0)
		return 0;
	if (fz_write_file(path, data, len, NULL, 0) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The sidecar's text before the worker's log: status, detail, the
 * sanitizer's verdict and the stack with its hash when there is one. */
static char *fz_sidecar_head(const struct fz_finding *f, size_t len, const char *hex, size_t *n)
{
	const struct fz_stack *st = f->stack;
	size_t cap = 2048 + (st ? st->n * 700 : 0), o;
	char *h = malloc(cap);

	if (!h)
		return NULL;
	o = (size_t)snprintf(h, cap, "status: %s\ndetail: %s\n", f->status, f->detail);
	if (st && st->verdict[0])
		o += (size_t)snprintf(h + o, cap - o, "sanitizer: %s\n", st->verdict);
	if (st && st->hash[0])
		o += (size_t)snprintf(h + o, cap - o, "stack hash: %s (of the target's top %zu frame%s; "
				      "duplicates are folded by it)\n", st->hash, st->hashed, st->hashed == 1 ? "" : "s");
	if (st && st->n) {
		o += (size_t)snprintf(h + o, cap - o, "stack%s:\n", f->symbolized ? " (symbolized by the supervisor)" : "");
		for (size_t i = 0; i < st->n && o + 600 < cap; i++) {
			char line[680];
			fz_stack_frame_line(st, i, line, sizeof(line));
			o += (size_t)snprintf(h + o, cap - o, "    %s\n", line);
		}
	}
	if (o < cap)
		o += (size_t)snprintf(h + o, cap - o, "input: %zu bytes, sha1 %s\nworker log (tail):\n", len, hex);
	*n = o < cap ? o : cap - 1;
	return h;
}

int fz_files_save_finding(const char *prefix, const struct fz_finding *f, const uint8_t *data, size_t len,
			  char path[FZ_PATH_MAX], char *err, size_t errlen)
{
	char hex[FZ_SHA1_HEX], side[FZ_PATH_MAX + 8], *head;
	size_t hn = 0;
	int rc = -1;

	fz_sha1_hex(data, len, hex);
	if ((size_t)snprintf(path, FZ_PATH_MAX, "%s%s-%s", prefix, f->kind, hex) >= FZ_PATH_MAX) {
		snprintf(err, errlen, "%s: path too long", prefix);
		return -1;
	}
	snprintf(side, sizeof(side), "%s.txt", path);
	if (!(head = fz_sidecar_head(f, len, hex, &hn))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fz_write_file(path, data, len, NULL, 0) < 0 ||
	    fz_write_file(side, head, hn, f->log ? f->log : "", f->log ? f->log_len : 0) < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		rc = 0;
	free(head);
	return rc;
}

int fz_files_note_seen(const char *artifact, uint64_t count)
{
	char side[FZ_PATH_MAX + 8], line[96];
	int fd, n, rc;

	snprintf(side, sizeof(side), "%s.txt", artifact);
	if ((fd = open(side, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = snprintf(line, sizeof(line), "\nseen: %llu time%s in this run\n", (unsigned long long)count,
		     count == 1 ? "" : "s");
	rc = write(fd, line, (size_t)n) == n && fsync(fd) == 0 ? 0 : -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

int fz_files_read(const char *path, size_t max_len, uint8_t **data, size_t *len, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int r = fz_read_file(AT_FDCWD, path, max_len + 1, &buf, &n);

	if (r <= 0 || n > max_len) {
		if (r < 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, r == 0 ? "not a regular file" : "longer than -max_len");
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

int fz_files_save_minimized(const char *prefix, const uint8_t *orig, size_t olen, const uint8_t *data, size_t len,
			    char path[FZ_PATH_MAX], char *err, size_t errlen)
{
	char hex[FZ_SHA1_HEX];

	fz_sha1_hex(orig, olen, hex);
	if ((size_t)snprintf(path, FZ_PATH_MAX, "%sminimized-from-%s", prefix, hex) >= FZ_PATH_MAX) {
		snprintf(err, errlen, "%s: path too long", prefix);
		return -1;
	}
	if (fz_write_file(path, data, len, NULL, 0) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
