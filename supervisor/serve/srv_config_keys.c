/* caisson serve's configuration keys: one table, one setter per key, each
 * checking its value (paths, octal modes, sizes, ranges, user and group
 * names) and recording the first error at FILE:LINE. Runs in the
 * supervisor, on text an operator wrote; still bounded and checked. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_config_int.h"
#include "srv_ids.h"
#include "policy/units.h"

/* Control bytes quoted from the file become '?' (ini_vfail), as in
 * profile errors. */
int srv_fail(struct srv_parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_vfail(ps->file, ps->line, &ps->err_line, ps->err, ps->errlen, fmt, ap);
	va_end(ap);
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

	if (!srv_uint(ps, v, 1, SRV_CLIENTS_MAX, &n))
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

const struct srv_key srv_keys[] = {
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
const size_t srv_nkeys = sizeof(srv_keys) / sizeof(srv_keys[0]);
_Static_assert(sizeof(srv_keys) / sizeof(srv_keys[0]) <= SRV_KEYS_MAX, "SRV_KEYS_MAX");

