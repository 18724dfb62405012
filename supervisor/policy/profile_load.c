/* Loading a profile: the file is read (bounded), its text handed to inih a
 * whole line at a time, each key to its setter (profile_keys.c), and the
 * result to the lint (lint.c); accepted only if all of it succeeds. Runs in
 * the supervisor on profile text, which may come from a plugin's vendor:
 * nothing in it is trusted. Text reaches inih only a whole, checked line at
 * a time (ini_lines.h). */
#include "profile_load.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint.h"
#include "lint_data.h"
#include "profile_exc.h"
#include "profile_keys.h"
#include "profile_parse.h"

static bool profile_section_known(const char *name, size_t len)
{
	for (size_t i = 0; i < profile_nkeys; i++)
		if (strlen(profile_keys[i].section) == len && memcmp(profile_keys[i].section, name, len) == 0)
			return true;
	return false;
}

/* inih truncates section and key names to 49 bytes; every known name is
 * shorter, so a truncated name never matches a known one. */
static int profile_handler(void *user, const char *section, const char *name, const char *value)
{
	struct profile_parse *ps = user;
	size_t i;

	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].section, section) == 0 && strcmp(profile_keys[i].name, name) == 0)
			break;
	if (i == profile_nkeys)
		return *section ? profile_fail(ps, "unknown key '%s' in [%s]", name, section)
				: profile_fail(ps, "key '%s' outside any section", name);
	if (!profile_keys[i].repeat) {
		if (ps->seen[i])
			return profile_fail(ps, "duplicate key '%s' in [%s] (first set on line %u)", name,
					    section, ps->seen[i]);
		ps->seen[i] = ps->line;
	}
	return profile_keys[i].set(ps, &profile_keys[i], value);
}

/* inih's reader: one whole line per call, or NULL to end the parse (end of
 * data, or an error already recorded); see ini_lines.h. */
static char *profile_reader(char *str, int num, void *stream)
{
	struct profile_parse *ps = stream;
	const char *sec;
	size_t seclen;
	char why[128];
	int rc;

	if (ps->err_line)
		return NULL;
	rc = ini_lines_next(&ps->lines, num, &sec, &seclen, why, sizeof(why));
	ps->line = ps->lines.line;
	if (rc < 0)
		profile_fail(ps, "%s", why);
	if (rc > 0 && sec && !profile_section_known(sec, seclen))
		profile_fail(ps, "unknown section [%.*s]", (int)seclen, sec);
	else if (rc > 0 && sec)
		profile_exc_section(ps, sec, seclen);
	return rc > 0 && !ps->err_line ? ini_lines_give(&ps->lines, str) : NULL;
}

/* Line number of byte off in data (1-based). */
static uint32_t profile_line_at(const char *data, size_t off)
{
	uint32_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static void profile_parse_run(struct profile_parse *ps)
{
	int rc;

	rc = ini_parse_stream(profile_reader, ps, profile_handler, ps);
	if (rc > 0 && (!ps->err_line || (uint32_t)rc < ps->err_line)) {
		/* inih's own error on an earlier line: a line that is neither a
		 * comment, a section header nor "key = value". */
		ps->err_line = 0;
		ps->line = (uint32_t)rc;
		profile_fail(ps, "syntax error: expected '[section]' or 'key = value'");
	} else if (rc < 0 && !ps->err_line) {
		profile_fail(ps, "the INI parser failed (%d)", rc);
	} else if (!ps->err_line) {
		profile_exc_end(ps);
	}
}

int profile_parse_buffer(const char *name, const char *data, size_t len, struct profile *out,
			 char *err, size_t errlen)
{
	return profile_parse_buffer_on(name, data, len, profile_today(), out, err, errlen);
}

int profile_parse_buffer_on(const char *name, const char *data, size_t len, int32_t today,
			    struct profile *out, char *err, size_t errlen)
{
	uint32_t seen[PROFILE_KEYS_MAX] = { 0 };
	struct profile_parse ps = { .file = name, .seen = seen, .err = err, .errlen = errlen };
	int rc = -1;

	ini_lines_init(&ps.lines, data, len);
	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	ps.p = calloc(1, sizeof(*ps.p));
	if (!ps.p) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	profile_defaults(ps.p);
	if (len > PROFILE_FILE_MAX) {
		ps.line = profile_line_at(data, PROFILE_FILE_MAX);
		profile_fail(&ps, "file is larger than %u bytes", PROFILE_FILE_MAX);
		goto out;
	}
	profile_parse_run(&ps);
	if (ps.err_line || lint_profile(ps.p, name, today, err, errlen) < 0 ||
	    lint_data(ps.p, name, err, errlen) < 0)
		goto out;
	*out = *ps.p;
	memset(ps.p, 0, sizeof(*ps.p));
	rc = 0;
out:
	profile_free(ps.p);
	free(ps.p);
	return rc;
}

static int profile_read(const char *path, int fd, char *buf, size_t cap, size_t *n, char *err,
			size_t errlen)
{
	struct stat st;
	ssize_t r;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	for (*n = 0; *n < cap; *n += (size_t)r) {
		r = read(fd, buf + *n, cap - *n);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
	}
	return 0;
}

int profile_load(const char *path, struct profile *out, char *err, size_t errlen)
{
	return profile_load_on(path, profile_today(), out, err, errlen);
}

int profile_load_on(const char *path, int32_t today, struct profile *out, char *err, size_t errlen)
{
	/* One byte more than the limit, so a larger file is seen as such. */
	size_t cap = PROFILE_FILE_MAX + 1, n;
	char *buf = NULL;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	/* O_NONBLOCK: opening a FIFO must not hang before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (profile_read(path, fd, buf, cap, &n, err, errlen) < 0)
		goto out;
	rc = profile_parse_buffer_on(path, buf, n, today, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
