/* Parsing caisson serve's configuration (srv_config.h) the way profiles are
 * parsed (policy/profile_load.c): inih gets whole lines only (a longer line
 * is an error, never split), every key comes from one table, unknown and
 * duplicate keys and sections are refused at FILE:LINE, and the result is
 * used only if the whole file parses. Runs in the supervisor, before any
 * socket or worker exists. */
#include "srv_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srv_config_int.h"

static int srv_handler(void *user, const char *section, const char *name, const char *value)
{
	struct srv_parse *ps = user;
	bool pool = ps->cur >= 0;
	size_t i;

	(void)section; /* the reader tracked it from the header line */
	if (ps->cur == -2)
		return srv_fail(ps, "key '%s' outside any section", name);
	for (i = 0; i < srv_nkeys; i++)
		if (srv_keys[i].pool == pool && !strcmp(srv_keys[i].name, name))
			break;
	if (i == srv_nkeys)
		return srv_fail(ps, "unknown key '%s' in [%s]", name, pool ? "pool" : "server");
	if (ps->seen[ps->cur + 1][i])
		return srv_fail(ps, "duplicate key '%s' (first set on line %u)", name, ps->seen[ps->cur + 1][i]);
	ps->seen[ps->cur + 1][i] = ps->line;
	return srv_keys[i].set(ps, value);
}

static bool srv_name_ok(const char *s, size_t len)
{
	if (len < 1 || len > SRV_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* "[server]", "[pool NAME]" or "[pool.NAME]": opens that section. */
static void srv_section(struct srv_parse *ps, const char *s, size_t len)
{
	struct srv_pool_cfg *p;

	if (len == 6 && !memcmp(s, "server", 6)) {
		if (ps->server_seen)
			srv_fail(ps, "second [server] section");
		ps->server_seen = true;
		ps->cur = -1;
		return;
	}
	if (len < 5 || memcmp(s, "pool", 4) || (s[4] != ' ' && s[4] != '.')) {
		srv_fail(ps, "unknown section [%.*s] (expected [server] or [pool NAME])", (int)len, s);
		return;
	}
	s += 5;
	len -= 5;
	if (!srv_name_ok(s, len)) {
		srv_fail(ps, "pool name '%.*s' must be 1 to %d characters from [a-z0-9_-]", (int)len, s, SRV_NAME_MAX);
		return;
	}
	for (size_t i = 0; i < ps->c->npools; i++)
		if (strlen(ps->c->pools[i].name) == len && !memcmp(ps->c->pools[i].name, s, len)) {
			srv_fail(ps, "pool '%.*s' declared twice (first on line %u)", (int)len, s, ps->c->pools[i].line);
			return;
		}
	if (ps->c->npools == SRV_POOLS_MAX) {
		srv_fail(ps, "more than %d pools", SRV_POOLS_MAX);
		return;
	}
	p = &ps->c->pools[ps->c->npools];
	memcpy(p->name, s, len);
	p->line = ps->line;
	ps->cur = (int)ps->c->npools++;
}

/* What inih would misread: indented lines (continuations) and section
 * headers, checked here since inih skips sections without keys. */
static void srv_check_line(struct srv_parse *ps, const char *line, size_t len)
{
	size_t i = 0;
	const char *close;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] == ';' || line[i] == '#')
		return;
	if (i) {
		srv_fail(ps, "indented line (continuation lines are not supported)");
		return;
	}
	if (line[0] != '[')
		return;
	close = memchr(line, ']', len);
	if (!close) {
		srv_fail(ps, "unterminated section header");
		return;
	}
	for (const char *c = close + 1; c < line + len && *c != ';' && *c != '#'; c++)
		if (!isspace((unsigned char)*c)) {
			srv_fail(ps, "text after section header");
			return;
		}
	srv_section(ps, line + 1, (size_t)(close - line - 1));
}

/* inih's reader: one whole line per call, or NULL to end the parse. */
static char *srv_reader(char *str, int num, void *stream)
{
	struct srv_parse *ps = stream;
	size_t rest = ps->len - ps->pos, len, take;
	const char *line, *nl;

	if (ps->err_line || !rest)
		return NULL;
	line = ps->data + ps->pos;
	nl = memchr(line, '\n', rest);
	len = nl ? (size_t)(nl - line) : rest;
	take = nl ? len + 1 : len;
	ps->line++;
	ps->pos += take;
	if (num < 3)
		srv_fail(ps, "the INI parser's line buffer (%d bytes) is unusable", num);
	else if (memchr(line, '\0', len))
		srv_fail(ps, "NUL byte");
	else if (len > (size_t)num - 2)
		srv_fail(ps, "line is %zu bytes long, more than the parser's %d", len, num - 2);
	else
		srv_check_line(ps, line, len);
	if (ps->err_line)
		return NULL;
	memcpy(str, line, take);
	str[take] = '\0';
	return str;
}

/* After the parse: what must be there is. */
static void srv_check_complete(struct srv_parse *ps)
{
	if (!ps->c->socket[0]) {
		srv_fail(ps, "[server] socket is required");
		return;
	}
	if (!ps->c->npools) {
		srv_fail(ps, "no [pool NAME] section: nothing to serve");
		return;
	}
	for (size_t i = 0; i < ps->c->npools; i++) {
		struct srv_pool_cfg *p = &ps->c->pools[i];

		ps->line = p->line;
		if (!p->profile[0] || !p->plugin[0]) {
			srv_fail(ps, "pool '%s' needs both profile and plugin", p->name);
			return;
		}
	}
}

static void srv_dir_of(struct srv_parse *ps, const char *name)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		snprintf(ps->dir, sizeof(ps->dir), ".");
	else if (slash == name)
		snprintf(ps->dir, sizeof(ps->dir), "/");
	else
		snprintf(ps->dir, sizeof(ps->dir), "%.*s", (int)(slash - name), name);
}

int srv_config_parse(const char *name, const char *data, size_t len, struct srv_config *out, char *err,
		     size_t errlen)
{
	struct srv_parse *ps = calloc(1, sizeof(*ps));
	int rc;

	if (!ps) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	*ps = (struct srv_parse){ .file = name, .data = data, .len = len, .c = out, .cur = -2, .err = err,
				  .errlen = errlen };
	out->socket_mode = 0660;
	out->max_body = 16u << 20;
	out->max_clients = 64;
	out->client_timeout_s = 30;
	srv_dir_of(ps, name);
	if (len > SRV_CONFIG_FILE_MAX) {
		srv_fail(ps, "file is larger than %u bytes", SRV_CONFIG_FILE_MAX);
	} else {
		if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
			ps->pos = 3;
		rc = ini_parse_stream(srv_reader, ps, srv_handler, ps);
		if (rc > 0 && (!ps->err_line || (uint32_t)rc < ps->err_line)) {
			ps->err_line = 0;
			ps->line = (uint32_t)rc;
			srv_fail(ps, "syntax error: expected '[section]' or 'key = value'");
		} else if (rc < 0 && !ps->err_line) {
			srv_fail(ps, "the INI parser failed (%d)", rc);
		} else if (!ps->err_line) {
			srv_check_complete(ps);
		}
	}
	rc = ps->err_line ? -1 : 0;
	free(ps);
	return rc;
}

int srv_config_load(const char *path, struct srv_config *out, char *err, size_t errlen)
{
	size_t cap = SRV_CONFIG_FILE_MAX + 1, n = 0;
	char *buf = NULL;
	struct stat st;
	ssize_t r;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (!(buf = malloc(cap))) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (n < cap && (r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	rc = srv_config_parse(path, buf, n, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
