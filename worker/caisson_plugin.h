/* caisson plugin ABI: the only header a plugin needs.
 * A plugin is a shared object built with `cc -shared -fPIC -I<this dir>`;
 * it links against nothing of caisson's. Its code (ELF constructors included)
 * only ever runs inside a fully locked worker. */
#ifndef CAISSON_PLUGIN_H
#define CAISSON_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct caisson_out caisson_out; /* opaque output sink */

/* Append bytes to the answer; 0 on success, -1 once the output limit is hit. */
int caisson_out_write(caisson_out *out, const void *data, size_t len);
/* Attach a short human-readable error message to a failing answer. */
void caisson_out_error(caisson_out *out, const char *message);
/* The value of the current request's argument key (declared in the
 * profile's [args] and checked against its type by the supervisor before
 * the request was sent), or NULL when the request has none of that name.
 * Valid only during caisson_plugin_handle: copy what you keep. Values are
 * at most 256 bytes, without NUL; a request carries at most 16. */
const char *caisson_arg(const char *key);

/* Exported by the plugin. init is optional: it runs once in the worker before
 * the run filter is sealed (load tables, fonts, locale); non-zero = SPAWN_FAILED. */
int caisson_plugin_init(const char *const *args);
/* One request. 0 = OK, non-zero = PLUGIN_ERROR. */
int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out);

#ifdef __cplusplus
}
#endif

#endif /* CAISSON_PLUGIN_H */
