/* Inputs, answer files and the terminal guard of `caisson run` (and exec); see
 * run_io.h. Runs in the caisson program as the invoking user; inputs and
 * answers are untrusted bytes (answers come from plugins). */
#include "run_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interrupt.h"

/* Reads at most max+1 bytes of fd, so an oversized stream is known without
 * reading it all. 0 or -1 (errno). */
static int run_io_slurp(int fd, size_t max, uint8_t **buf, size_t *len)
{
	size_t cap = 0;
	ssize_t n;

	do {
		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *p;
			if (ncap > max + 1)
				ncap = max + 1;
			p = realloc(*buf, ncap);
			if (!p)
				return -1;
			*buf = p;
			cap = ncap;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n > 0)
			*len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR && !intr_pending())) && *len <= max);
	return n < 0 ? -1 : 0;
}

enum run_io_read run_io_read(const char *name, size_t max, uint8_t **buf, size_t *len, uint64_t *size)
{
	int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : dup(0);
	enum run_io_read rc = RUN_IO_ERROR;
	struct stat st;

	*buf = NULL;
	*len = 0;
	*size = 0;
	if (fd < 0)
		return RUN_IO_ERROR;
	/* A regular file's size is known: a 500 MB file is reported as such,
	 * without reading it. One that grows while read is caught below. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		*size = (uint64_t)st.st_size;
		rc = RUN_IO_TOO_LARGE;
	} else if (run_io_slurp(fd, max, buf, len) == 0) {
		rc = *len > max ? RUN_IO_TOO_LARGE : RUN_IO_OK;
	}
	if (rc != RUN_IO_OK) {
		int e = errno;
		free(*buf);
		*buf = NULL;
		errno = e;
	}
	close(fd);
	return rc;
}

void run_io_too_large(char *detail, size_t len, uint64_t size, size_t max)
{
	if (size)
		snprintf(detail, len, "%llu bytes > limit %zu", (unsigned long long)size, max);
	else
		snprintf(detail, len, "at least %llu bytes > limit %zu", (unsigned long long)max + 1, max);
}

int run_io_open_dir(const struct run_out *ro, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			errno = ENOTDIR;
		else if (access(dir, W_OK | X_OK) == 0)
			return 0;
	} else if (errno == ENOENT) {
		/* Only the last component, as rsync does with its destination:
		 * a mistyped parent is still an error. */
		if (mkdir(dir, 0777) == 0) {
			fprintf(stderr, "caisson %s: created the output directory '%s'\n", ro->cmd, dir);
			return 0;
		}
		fprintf(stderr, "caisson %s: output directory '%s': cannot create it: %s\n", ro->cmd, dir, strerror(errno));
		return -1;
	}
	fprintf(stderr, "caisson %s: output directory '%s': %s\n", ro->cmd, dir, strerror(errno));
	return -1;
}

/* The answer's file name for input: its basename ("stdin" for "-"), with
 * the last extension replaced by ext when there is one. 0, or -1 when it
 * does not fit. */
static int run_io_name(const struct run_out *ro, const char *input, char *out, size_t len)
{
	const char *base = strcmp(input, "-") ? input : "stdin";
	size_t blen, stem;
	const char *dot;

	/* The last component, trailing slashes aside ("dir/x/" is "x"). */
	blen = strlen(base);
	while (blen > 1 && base[blen - 1] == '/')
		blen--;
	for (stem = blen; stem > 0 && base[stem - 1] != '/'; stem--)
		;
	base += stem;
	blen -= stem;
	stem = blen;
	dot = ro->ext ? memrchr(base, '.', blen) : NULL;
	if (dot && dot != base)
		stem = (size_t)(dot - base);
	if (ro->ext)
		return (size_t)snprintf(out, len, "%.*s.%s", (int)stem, base, ro->ext) < len ? 0 : -1;
	return (size_t)snprintf(out, len, "%.*s", (int)blen, base) < len ? 0 : -1;
}

struct run_io_named {
	char name[NAME_MAX + 1];
	const char *input;
};

static int run_io_cmp(const void *a, const void *b)
{
	return strcmp(((const struct run_io_named *)a)->name, ((const struct run_io_named *)b)->name);
}

int run_io_check_names(const struct run_out *ro, char *const *inputs, int n)
{
	struct run_io_named *v;
	int rc = 0;

	if (!ro->dir || n < 2)
		return 0;
	if (!(v = calloc((size_t)n, sizeof(*v)))) {
		fprintf(stderr, "caisson %s: out of memory\n", ro->cmd);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		v[i].input = inputs[i];
		if (run_io_name(ro, inputs[i], v[i].name, sizeof(v[i].name)) < 0) {
			fprintf(stderr, "caisson %s: %s: the answer's file name is too long\n", ro->cmd, inputs[i]);
			rc = -1;
		}
	}
	if (rc == 0)
		qsort(v, (size_t)n, sizeof(*v), run_io_cmp);
	for (int i = 1; i < n && rc == 0; i++)
		if (!strcmp(v[i - 1].name, v[i].name)) {
			fprintf(stderr, "caisson %s: %s and %s would both be written to %s/%s; nothing was run\n",
				ro->cmd, v[i - 1].input, v[i].input, ro->dir, v[i].name);
			rc = -1;
		}
	free(v);
	return rc;
}

/* Length of the UTF-8 sequence at p (at most n bytes) when it is valid and
 * not a control character (C0 but tab, newline, CR; DEL; C1), else 0. */
static size_t run_io_char(const uint8_t *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 :
		     p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;

	if (len == 1)
		return (p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\t' || p[0] == '\n' || p[0] == '\r';
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, beyond U+10FFFF, and C1 controls. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90) || (p[0] == 0xc2 && p[1] < 0xa0))
		return 0;
	return len;
}

bool run_io_is_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0, len; i < n; i += len)
		if (!(len = run_io_char(p + i, n - i)))
			return false;
	return true;
}

static int run_io_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int run_io_emit(const struct run_out *ro, const char *input, const char *name, const uint8_t *out, size_t len)
{
	char file[NAME_MAX + 1], path[PATH_MAX];
	int fd, rc;

	/* The whole answer is judged, not its first bytes: it comes from
	 * untrusted code, which could hide escape sequences (a terminal
	 * title, a clipboard write) behind a harmless beginning. */
	if (!ro->dir && ro->tty_guard && !run_io_is_text(out, len)) {
		fprintf(stderr, "caisson: %s: binary answer (%zu bytes) not written to the terminal; use -o - to "
			"write it to the terminal anyway, or -o DIR to save it\n", name, len);
		return 1;
	}
	if (!ro->dir)
		return run_io_write_all(1, out, len);
	if (run_io_name(ro, input, file, sizeof(file)) < 0 ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", ro->dir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rc = run_io_write_all(fd, out, len);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}
