/* The request's per-request arguments in the worker, and the plugin ABI's
 * accessor caisson_arg() (exported to plugins, exports.list). Runs in the
 * locked worker; the block was checked by ipc_decode, and is decoded again
 * here into NUL-terminated copies that live until the next request. */
#include <string.h>

#include "caisson_plugin.h"
#include "ipc_args.h"
#include "wk.h"

_Static_assert(IPC_ARGS_MAX == sizeof(((struct wk_req_args *)0)->kv) / sizeof(((struct wk_req_args *)0)->kv[0]),
	       "struct wk_req_args holds IPC_ARGS_MAX pairs");

static struct ipc_args wk_args_store;
static struct wk_req_args wk_args_cur;

int wk_args_begin(const uint8_t *block, size_t len)
{
	wk_args_end();
	if (!len)
		return 0;
	if (ipc_args_decode(block, len, &wk_args_store) < 0)
		return -1;
	for (uint32_t i = 0; i < wk_args_store.n; i++) {
		wk_args_cur.kv[i].key = wk_args_store.kv[i].key;
		wk_args_cur.kv[i].val = wk_args_store.kv[i].val;
	}
	wk_args_cur.n = wk_args_store.n;
	return 0;
}

void wk_args_end(void)
{
	memset(&wk_args_cur, 0, sizeof(wk_args_cur));
}

const struct wk_req_args *wk_args(void)
{
	return &wk_args_cur;
}

const char *caisson_arg(const char *key)
{
	if (!key)
		return NULL;
	for (uint32_t i = 0; i < wk_args_cur.n; i++)
		if (strcmp(wk_args_cur.kv[i].key, key) == 0)
			return wk_args_cur.kv[i].val;
	return NULL;
}
