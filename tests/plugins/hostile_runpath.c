/* Hostile test plugin (issue 19, finding 5): its DT_RUNPATH names a host
 * directory of its choosing, and the supervisor, resolving its libraries,
 * used to open what it found there (as root: any root-only file) and hand
 * it to the worker. tests/hostile_test.sh builds it against a "secret"
 * library (this file with -DSECRET_LIB) kept 0600 in a 0700 directory
 * named only by the plugin's RUNPATH, and checks the supervisor refuses
 * the entry; then the same with the directory added by the profile's
 * [plugin] library_path (loads), and with $ORIGIN-relative entries inside
 * and outside the plugin's own directory. Built by the test with the
 * system compiler: no caisson header, the ABI is declared here. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef SECRET_LIB
const char *secret(void)
{
	return "the secret library's contents";
}
#else
typedef struct caisson_out caisson_out;
int caisson_out_write(caisson_out *out, const void *data, size_t len);
const char *secret(void);

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	const char *s = secret();

	(void)in;
	(void)len;
	return caisson_out_write(out, s, strlen(s)) == 0 ? 0 : 1;
}
#endif
