/* ELF test fixture: a plugin that needs a library beyond libc. Built once
 * against zlib (FIX_ZLIB) and once against fix_dep (FIX_DEP), so the
 * DT_NEEDED entry is real: the handler calls into the library. */
#include <stddef.h>
#include <stdint.h>

#include "caisson_plugin.h"

#if defined(FIX_ZLIB)
#include <zlib.h>
#define FIX_LIB_CALL() ((void)zlibVersion())
#elif defined(FIX_DEP)
int fix_dep_value(void);
#define FIX_LIB_CALL() ((void)fix_dep_value())
#else
#error "define FIX_ZLIB or FIX_DEP"
#endif

int caisson_plugin_init(const char *const *args)
{
	(void)args;
	return 0;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	FIX_LIB_CALL();
	return caisson_out_write(out, in, len);
}
