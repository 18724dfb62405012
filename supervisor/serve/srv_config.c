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

/* inih's reader: one whole line per call, or NULL to end the parse; see
 * policy/ini_lines.h. Section names are checked here: inih never reports
 * a section without keys. */
static char *srv_reader(char *str, int num, void *stream)
{
	struct srv_parse *ps = stream;
	const char *sec;
	size_t seclen;
	char why[128];
	int rc;

	if (ps->err_line)
		return NULL;
	rc = ini_lines_next(&ps->lines, num, &sec, &seclen, why, sizeof(why));
	ps->line = ps->lines.line;
	if (rc < 0)
		srv_fail(ps, "%s", why);
	if (rc > 0 && sec)
		srv_section(ps, sec, seclen);
	return rc > 0 && !ps->err_line ? ini_lines_give(&ps->lines, str) : NULL;
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
	*ps = (struct srv_parse){ .file = name, .c = out, .cur = -2, .err = err, .errlen = errlen };
	ini_lines_init(&ps->lines, data, len);
	out->socket_mode = 0660;
	out->max_body = 16u << 20;
	out->max_clients = 64;
	out->client_timeout_s = 30;
	srv_dir_of(ps, name);
	if (len > SRV_CONFIG_FILE_MAX) {
		srv_fail(ps, "file is larger than %u bytes", SRV_CONFIG_FILE_MAX);
	} else {
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
