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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srv_ids.h"
#include "policy/units.h"

struct srv_parse;
typedef int (*srv_setter)(struct srv_parse *ps, const char *v);

struct srv_key {
	bool pool; /* a [pool NAME] key, else [server] */
	const char *name;
	srv_setter set;
};

struct srv_parse {
	const char *file, *data;
	size_t len, pos;
	uint32_t line, err_line;
	struct srv_config *c;
	int cur;            /* -2 none yet, -1 [server], else the pool index */
	bool server_seen;
	uint32_t seen[SRV_POOLS_MAX + 1][16]; /* [0] server, [i+1] pool i */
	char dir[PATH_MAX]; /* the config's directory, for relative paths */
	char *err;
	size_t errlen;
};

static int srv_fail(struct srv_parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int srv_fail(struct srv_parse *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err_line)
		return 0;
	ps->err_line = ps->line ? ps->line : 1;
	n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->err_line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static struct srv_pool_cfg *srv_cur_pool(struct srv_parse *ps)
{
	return &ps->c->pools[ps->cur];
}

static int srv_uint(struct srv_parse *ps, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	enum units_err e = units_uint(v, out);

	if (e)
		return srv_fail(ps, "'%s': %s", v, units_strerror(e));
	if (*out < lo || *out > hi)
		return srv_fail(ps, "%llu is out of range [%llu, %llu]", (unsigned long long)*out,
				(unsigned long long)lo, (unsigned long long)hi);
	return 1;
}

static int srv_set_socket(struct srv_parse *ps, const char *v)
{
	if (v[0] != '/')
		return srv_fail(ps, "socket must be an absolute path, not '%s'", v);
	if (strlen(v) >= sizeof(ps->c->socket))
		return srv_fail(ps, "socket path is longer than %zu bytes", sizeof(ps->c->socket) - 1);
	strcpy(ps->c->socket, v);
	return 1;
}

static int srv_set_mode(struct srv_parse *ps, const char *v)
{
	char *end;
	unsigned long m;

	errno = 0;
	m = strtoul(v, &end, 8);
	if (!isdigit((unsigned char)v[0]) || *end || errno || m > 0777)
		return srv_fail(ps, "socket_mode wants octal permission bits (0600, 0660, ...), not '%s'", v);
	if (m & 0111)
		return srv_fail(ps, "socket_mode %04lo has execute bits; they mean nothing on a socket", m);
	ps->c->socket_mode = (mode_t)m;
	return 1;
}

static int srv_set_group(struct srv_parse *ps, const char *v)
{
	char why[128];

	if (srv_ids_gid(v, &ps->c->socket_gid, why, sizeof(why)) < 0)
		return srv_fail(ps, "socket_group: %s", why);
	ps->c->has_group = true;
	return 1;
}

static int srv_set_max_body(struct srv_parse *ps, const char *v)
{
	enum units_err e = units_size_bytes(v, &ps->c->max_body);

	if (e)
		return srv_fail(ps, "max_body '%s': %s", v, units_strerror(e));
	if (ps->c->max_body < 1 || ps->c->max_body > (1ull << 30))
		return srv_fail(ps, "max_body must be from 1 byte to 1G");
	return 1;
}

static int srv_set_max_clients(struct srv_parse *ps, const char *v)
{
	uint64_t n;

	if (!srv_uint(ps, v, 1, 4096, &n))
		return 0;
	ps->c->max_clients = (uint32_t)n;
	return 1;
}

static int srv_set_timeout(struct srv_parse *ps, const char *v)
{
	uint64_t us;
	enum units_err e = units_duration_us(v, &us);

	if (e)
		return srv_fail(ps, "client_timeout '%s': %s", v, units_strerror(e));
	if (us < 1000000 || us > 3600ull * 1000000 || us % 1000000)
		return srv_fail(ps, "client_timeout must be whole seconds from 1s to 1h");
	ps->c->client_timeout_s = (uint32_t)(us / 1000000);
	return 1;
}

/* Relative paths are relative to the configuration file's directory. */
static int srv_set_path(struct srv_parse *ps, const char *v, char *dst)
{
	int n = v[0] == '/' ? snprintf(dst, PATH_MAX, "%s", v) : snprintf(dst, PATH_MAX, "%s/%s", ps->dir, v);

	if (!v[0])
		return srv_fail(ps, "empty path");
	if (n < 0 || n >= PATH_MAX)
		return srv_fail(ps, "path is too long");
	return 1;
}

static int srv_set_profile(struct srv_parse *ps, const char *v)
{
	return srv_set_path(ps, v, srv_cur_pool(ps)->profile);
}

static int srv_set_plugin(struct srv_parse *ps, const char *v)
{
	return srv_set_path(ps, v, srv_cur_pool(ps)->plugin);
}

static int srv_set_workers(struct srv_parse *ps, const char *v)
{
	uint64_t n;

	if (!srv_uint(ps, v, 1, 1024, &n))
		return 0;
	srv_cur_pool(ps)->workers = (uint32_t)n;
	return 1;
}

static int srv_set_uids(struct srv_parse *ps, const char *v)
{
	struct srv_pool_cfg *p = srv_cur_pool(ps);
	char why[160];

	if (srv_ids_list(v, false, p->uids, SRV_IDS_MAX, &p->nuids, why, sizeof(why)) < 0)
		return srv_fail(ps, "allow_uids: %s", why);
	return 1;
}

static int srv_set_gids(struct srv_parse *ps, const char *v)
{
	struct srv_pool_cfg *p = srv_cur_pool(ps);
	char why[160];

	if (srv_ids_list(v, true, p->gids, SRV_IDS_MAX, &p->ngids, why, sizeof(why)) < 0)
		return srv_fail(ps, "allow_gids: %s", why);
	return 1;
}

static const struct srv_key srv_keys[] = {
	{ false, "socket", srv_set_socket },
	{ false, "socket_mode", srv_set_mode },
	{ false, "socket_group", srv_set_group },
	{ false, "max_body", srv_set_max_body },
	{ false, "max_clients", srv_set_max_clients },
	{ false, "client_timeout", srv_set_timeout },
	{ true, "profile", srv_set_profile },
	{ true, "plugin", srv_set_plugin },
	{ true, "workers", srv_set_workers },
	{ true, "allow_uids", srv_set_uids },
	{ true, "allow_gids", srv_set_gids },
};
#define SRV_NKEYS (sizeof(srv_keys) / sizeof(srv_keys[0]))

static int srv_handler(void *user, const char *section, const char *name, const char *value)
{
	struct srv_parse *ps = user;
	bool pool = ps->cur >= 0;
	size_t i;

	(void)section; /* the reader tracked it from the header line */
	if (ps->cur == -2)
		return srv_fail(ps, "key '%s' outside any section", name);
	for (i = 0; i < SRV_NKEYS; i++)
		if (srv_keys[i].pool == pool && !strcmp(srv_keys[i].name, name))
			break;
	if (i == SRV_NKEYS)
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
