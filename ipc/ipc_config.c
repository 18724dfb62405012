/* Encode/decode of struct wk_config (see ipc_config.h). Pure; runs in the
 * supervisor (encode) and the zygote (decode). Strings travel as u16 length
 * + bytes, never NUL-terminated on the wire. */
#include "ipc_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "ipc_cov.h"
#include "wire.h"

struct cur {
	uint8_t *w;       /* encode */
	const uint8_t *r; /* decode */
	size_t len, off;
	bool bad;
};

static uint8_t *cur_room(struct cur *c, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return NULL;
	}
	c->off += n;
	return (c->w ? c->w : (uint8_t *)c->r) + c->off - n;
}

static void put32(struct cur *c, uint32_t v)
{
	uint8_t *p = cur_room(c, 4);
	if (p)
		wire_put32(p, v);
}

static void put64(struct cur *c, uint64_t v)
{
	uint8_t *p = cur_room(c, 8);
	if (p)
		wire_put64(p, v);
}

static void put_str(struct cur *c, const char *s)
{
	size_t n = strnlen(s, WK_PATH_MAX);
	uint8_t *p;

	if (n >= WK_PATH_MAX) {
		c->bad = true;
		return;
	}
	p = cur_room(c, 2 + n);
	if (p) {
		wire_put16(p, (uint16_t)n);
		memcpy(p + 2, s, n);
	}
}

static uint32_t get32(struct cur *c)
{
	const uint8_t *p = cur_room(c, 4);
	return p ? wire_get32(p) : 0;
}

static uint64_t get64(struct cur *c)
{
	const uint8_t *p = cur_room(c, 8);
	return p ? wire_get64(p) : 0;
}

static void get_str(struct cur *c, char out[WK_PATH_MAX])
{
	const uint8_t *p = cur_room(c, 2);
	size_t n = p ? wire_get16(p) : 0;

	out[0] = '\0';
	if (!p)
		return;
	if (n >= WK_PATH_MAX) {
		c->bad = true;
		return;
	}
	p = cur_room(c, n);
	if (!p)
		return;
	if (memchr(p, 0, n)) {
		c->bad = true;
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

/* An absolute path with no "." or ".." component and no empty component. */
static bool path_ok(const char *p)
{
	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (const char *s = p; *s;) {
		const char *e;
		size_t n;

		s++;
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s = e;
	}
	return true;
}

void wk_config_reset(struct wk_config *c)
{
	memset(c, 0, offsetof(struct wk_config, insns));
	c->plugin[0] = '\0';
	c->interp[0] = '\0';
	c->ndeps = c->nbinds = c->nargs = c->ncgroups = 0;
	c->ndata = 0;
	c->scratch_bytes = 0;
}

void wk_config_copy(struct wk_config *dst, const struct wk_config *src)
{
	uint32_t ninsns = src->ninsns < WK_MAX_INSNS ? src->ninsns : WK_MAX_INSNS;

	memcpy(dst, src, offsetof(struct wk_config, insns));
	memcpy(dst->insns, src->insns, ninsns * sizeof(src->insns[0]));
	memcpy(dst->plugin, src->plugin, sizeof(dst->plugin));
	memcpy(dst->interp, src->interp, sizeof(dst->interp));
	dst->ndeps = src->ndeps < WK_MAX_DEPS ? src->ndeps : WK_MAX_DEPS;
	dst->nbinds = src->nbinds < WK_MAX_BINDS ? src->nbinds : WK_MAX_BINDS;
	dst->nargs = src->nargs < WK_MAX_ARGS ? src->nargs : WK_MAX_ARGS;
	dst->ncgroups = src->ncgroups < WK_MAX_CGROUPS ? src->ncgroups : WK_MAX_CGROUPS;
	memcpy(dst->deps, src->deps, dst->ndeps * sizeof(dst->deps[0]));
	memcpy(dst->binds, src->binds, dst->nbinds * sizeof(dst->binds[0]));
	memcpy(dst->args, src->args, dst->nargs * sizeof(dst->args[0]));
	memcpy(dst->cgroups, src->cgroups, dst->ncgroups * sizeof(dst->cgroups[0]));
	dst->ndata = src->ndata < WK_MAX_BINDS ? src->ndata : WK_MAX_BINDS;
	dst->scratch_bytes = src->scratch_bytes;
	memcpy(dst->data, src->data, dst->ndata * sizeof(dst->data[0]));
}

ssize_t wk_config_encode(const struct wk_config *cfg, uint8_t *buf, size_t cap)
{
	struct cur c = { .w = buf, .len = cap };

	if (cfg->ninsns == 0 || cfg->ninsns > WK_MAX_INSNS || cfg->ndeps > WK_MAX_DEPS ||
	    cfg->nbinds > WK_MAX_BINDS || cfg->nargs > WK_MAX_ARGS || cfg->ncgroups > WK_MAX_CGROUPS ||
	    cfg->ndata > WK_MAX_BINDS) {
		errno = EINVAL;
		return -1;
	}
	put32(&c, cfg->uid_base);
	put32(&c, cfg->gid_base);
	put32(&c, cfg->max_slots);
	put64(&c, cfg->cpu_ms);
	put64(&c, cfg->memory_bytes);
	put64(&c, cfg->output_bytes);
	put64(&c, cfg->input_bytes);
	put32(&c, cfg->open_files);
	put64(&c, cfg->prefault_bytes);
	put64(&c, cfg->cov_bytes);
	put32(&c, cfg->no_regions);
	put32(&c, cfg->cgroup_flat);
	put32(&c, cfg->landlock_abi);
	put32(&c, cfg->exec);
	put32(&c, cfg->ninsns);
	for (uint32_t i = 0; i < cfg->ninsns; i++) {
		uint8_t *p = cur_room(&c, 8);
		if (!p)
			break;
		wire_put16(p, cfg->insns[i].code);
		p[2] = cfg->insns[i].jt;
		p[3] = cfg->insns[i].jf;
		wire_put32(p + 4, cfg->insns[i].k);
	}
	put_str(&c, cfg->plugin);
	put_str(&c, cfg->interp);
	put32(&c, cfg->ndeps);
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		put_str(&c, cfg->deps[i]);
	put32(&c, cfg->nbinds);
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		put_str(&c, cfg->binds[i]);
	put32(&c, cfg->nargs);
	for (uint32_t i = 0; i < cfg->nargs; i++)
		put_str(&c, cfg->args[i]);
	put32(&c, cfg->ncgroups);
	for (uint32_t i = 0; i < cfg->ncgroups && i < WK_MAX_CGROUPS; i++)
		put_str(&c, cfg->cgroups[i]);
	put64(&c, cfg->scratch_bytes);
	put32(&c, cfg->ndata);
	for (uint32_t i = 0; i < cfg->ndata; i++)
		put_str(&c, cfg->data[i]);
	if (c.bad) {
		errno = EMSGSIZE;
		return -1;
	}
	return (ssize_t)c.off;
}

static bool config_valid(const struct wk_config *cfg)
{
	if (!path_ok(cfg->plugin) || cfg->open_files < 4 || cfg->memory_bytes == 0 ||
	    cfg->cpu_ms == 0 || cfg->max_slots == 0 || cfg->prefault_bytes > WK_PREFAULT_MAX ||
	    cfg->landlock_abi > WK_LANDLOCK_ABI_LIMIT)
		return false;
	/* An exec worker names its interpreter; a plugin worker none. */
	if (cfg->exec > 1 || (cfg->exec ? !path_ok(cfg->interp) : cfg->interp[0] != '\0'))
		return false;
	if (cfg->cov_bytes && (cfg->cov_bytes < IPC_COV_MIN || cfg->cov_bytes > IPC_COV_MAX))
		return false;
	if (cfg->cgroup_flat > 1 || cfg->no_regions > 1 || (cfg->no_regions && (cfg->input_bytes > IPC_INLINE_MAX || cfg->cov_bytes)))
		return false;
	if (cfg->uid_base && (cfg->gid_base == 0 || (uint64_t)cfg->uid_base + cfg->max_slots > UINT32_MAX ||
			      (uint64_t)cfg->gid_base + cfg->max_slots > UINT32_MAX))
		return false;
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		if (!path_ok(cfg->deps[i]))
			return false;
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		if (!path_ok(cfg->binds[i]))
			return false;
	/* Data never under /tmp, where the scratch tmpfs goes. */
	for (uint32_t i = 0; i < cfg->ndata; i++)
		if (!path_ok(cfg->data[i]) ||
		    (strncmp(cfg->data[i], "/tmp", 4) == 0 && (cfg->data[i][4] == '\0' || cfg->data[i][4] == '/')))
			return false;
	if (cfg->scratch_bytes > cfg->memory_bytes)
		return false;
	for (uint32_t i = 0; i < cfg->ncgroups; i++)
		if (!path_ok(cfg->cgroups[i]) || strncmp(cfg->cgroups[i], "/sys/fs/cgroup/", 15) != 0)
			return false;
	return true;
}

int wk_config_decode(const uint8_t *buf, size_t len, struct wk_config *cfg)
{
	struct cur c = { .r = buf, .len = len };

	wk_config_reset(cfg);
	cfg->uid_base = get32(&c);
	cfg->gid_base = get32(&c);
	cfg->max_slots = get32(&c);
	cfg->cpu_ms = get64(&c);
	cfg->memory_bytes = get64(&c);
	cfg->output_bytes = get64(&c);
	cfg->input_bytes = get64(&c);
	cfg->open_files = get32(&c);
	cfg->prefault_bytes = get64(&c);
	cfg->cov_bytes = get64(&c);
	cfg->no_regions = get32(&c);
	cfg->cgroup_flat = get32(&c);
	cfg->landlock_abi = get32(&c);
	cfg->exec = get32(&c);
	cfg->ninsns = get32(&c);
	if (cfg->ninsns == 0 || cfg->ninsns > WK_MAX_INSNS)
		goto bad;
	for (uint32_t i = 0; i < cfg->ninsns; i++) {
		const uint8_t *p = cur_room(&c, 8);
		if (!p)
			goto bad;
		cfg->insns[i].code = wire_get16(p);
		cfg->insns[i].jt = p[2];
		cfg->insns[i].jf = p[3];
		cfg->insns[i].k = wire_get32(p + 4);
	}
	get_str(&c, cfg->plugin);
	get_str(&c, cfg->interp);
	cfg->ndeps = get32(&c);
	if (cfg->ndeps > WK_MAX_DEPS)
		goto bad;
	for (uint32_t i = 0; i < cfg->ndeps; i++)
		get_str(&c, cfg->deps[i]);
	cfg->nbinds = get32(&c);
	if (cfg->nbinds > WK_MAX_BINDS)
		goto bad;
	for (uint32_t i = 0; i < cfg->nbinds; i++)
		get_str(&c, cfg->binds[i]);
	cfg->nargs = get32(&c);
	if (cfg->nargs > WK_MAX_ARGS)
		goto bad;
	for (uint32_t i = 0; i < cfg->nargs; i++)
		get_str(&c, cfg->args[i]);
	cfg->ncgroups = get32(&c);
	if (cfg->ncgroups > WK_MAX_CGROUPS)
		goto bad;
	for (uint32_t i = 0; i < cfg->ncgroups; i++)
		get_str(&c, cfg->cgroups[i]);
	cfg->scratch_bytes = get64(&c);
	cfg->ndata = get32(&c);
	if (cfg->ndata > WK_MAX_BINDS)
		goto bad;
	for (uint32_t i = 0; i < cfg->ndata; i++)
		get_str(&c, cfg->data[i]);
	if (c.bad || c.off != len || !config_valid(cfg))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
