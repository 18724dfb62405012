/* The plugin ELF reader and dependency resolver: real fixtures built by
 * CMake (argv[1] is the build directory), every truncation of a real
 * object, and the error messages a plugin author sees. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "elf/elf_trust.h"
#include "elf/elfinfo.h"
#include "elf/zygote_sonames.h" /* generated at build time */

static char build[1024];

static const char *bpath(const char *rel)
{
	static char p[4][1200];
	static unsigned k;
	char *s = p[k++ % 4];

	snprintf(s, sizeof(p[0]), "%s/%s", build, rel);
	return s;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(1);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* The list the supervisor uses, made when the zygote was built
 * (zygote_sonames.h), is the zygote's closure as resolved now. */
static void check_built_sonames(const struct elf_deps *loaded)
{
	static const char *const built[] = { ZYGOTE_SONAMES NULL };
	size_t n = 0;

	for (; built[n]; n++) {
		bool found = false;
		for (size_t i = 0; i < loaded->n; i++)
			found |= !strcmp(loaded->sonames[i], built[n]);
		CHECK(found);
	}
	CHECK_INT((int)n, (int)loaded->n);
}

static bool has_soname(const struct elf_deps *d, const char *prefix, const char **path)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strncmp(d->sonames[i], prefix, strlen(prefix))) {
			if (path)
				*path = d->paths[i];
			return true;
		}
	return false;
}

static bool has_needed(const struct elf_info *info, const char *name)
{
	for (unsigned i = 0; i < info->nneeded; i++)
		if (!strcmp(info->needed[i], name))
			return true;
	return false;
}

static void test_parse(void)
{
	struct elf_info info;
	char err[256];
	size_t len;
	uint8_t *buf = slurp(bpath("samples/echo.so"), &len);

	/* echo.so calls nothing: no DT_NEEDED, no init. */
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), 0);
	CHECK(info.is_dyn);
	CHECK(info.has_handle);
	CHECK(!info.has_init);
	CHECK_INT(info.nneeded, 0);
	CHECK_STR(info.runpath, "");
	free(buf);

	buf = slurp(bpath("tests/elf/libelf_fix_zlib.so"), &len);
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), 0);
	CHECK(info.has_handle);
	CHECK(info.has_init);
	CHECK(has_needed(&info, "libz.so.1"));
	free(buf);

	buf = slurp(bpath("tests/elf/libelf_fix_origin.so"), &len);
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), 0);
	CHECK(has_needed(&info, "libelf_fix_dep.so"));
	CHECK_STR(info.runpath, "$ORIGIN/sub");
	free(buf);
}

/* Every prefix of a real object either parses or fails with a message;
 * under ASan this proves no read leaves the buffer. */
static void test_truncations(void)
{
	struct elf_info info;
	char err[256];
	size_t len;
	uint8_t *buf = slurp(bpath("tests/elf/libelf_fix_origin.so"), &len);
	unsigned failed = 0;

	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1); /* 16-aligned, poisoned from byte n on */
		memcpy(cut, buf, n);
		err[0] = '\0';
		if (elf_parse(cut, n, &info, err, sizeof(err)) < 0) {
			failed++;
			CHECK(err[0] != '\0');
		}
		free(cut);
	}
	CHECK(failed > 0);
	/* Under 64 bytes there is no header at all. */
	CHECK_INT(elf_parse(buf, 63, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "not an ELF file");
	free(buf);
}

static void test_bad_headers(void)
{
	struct elf_info info;
	char err[256];
	size_t len;
	uint8_t *buf = slurp(bpath("samples/echo.so"), &len);

	buf[4] = 1; /* ELFCLASS32 */
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "not a 64-bit little-endian x86-64 ELF object");
	buf[4] = 2;
	buf[16] = 1; /* ET_REL */
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "not a shared object (ELF type is neither DYN nor EXEC)");
	buf[16] = 3;
	buf[56] = 0; /* e_phnum low byte: no program headers */
	buf[57] = 0;
	CHECK_INT(elf_parse(buf, len, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "bad program header table");
	CHECK_INT(elf_parse(buf + 1, len - 1, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "misaligned buffer");
	free(buf);
}

static void test_resolve(void)
{
	struct elf_deps d, loaded;
	char err[512];
	const char *p = NULL;
	const char *const skip_libc[] = { "libc.so.6", NULL };

	/* A zlib plugin: libz is found on the system path; libc is skipped
	 * because the worker image already has it. */
	CHECK_INT(elf_resolve_deps(bpath("tests/elf/libelf_fix_zlib.so"), skip_libc, NULL, &d, err, sizeof(err)), 0);
	CHECK(has_soname(&d, "libz.so", &p));
	CHECK(p && access(p, R_OK) == 0);
	CHECK(!has_soname(&d, "libc.so", NULL));
	elf_deps_free(&d);

	/* DT_RUNPATH with $ORIGIN, expanded to the object's real directory. */
	p = NULL;
	CHECK_INT(elf_resolve_deps(bpath("tests/elf/libelf_fix_origin.so"), skip_libc, NULL, &d, err, sizeof(err)), 0);
	CHECK(has_soname(&d, "libelf_fix_dep.so", &p));
	CHECK(p && !strcmp(p + strlen(p) - strlen("/tests/elf/sub/libelf_fix_dep.so"),
			   "/tests/elf/sub/libelf_fix_dep.so") && p[0] == '/');
	elf_deps_free(&d);

	/* The same dependency without a runpath is not found, and
	 * LD_LIBRARY_PATH is never consulted. */
	setenv("LD_LIBRARY_PATH", bpath("tests/elf/sub"), 1);
	CHECK_INT(elf_resolve_deps(bpath("tests/elf/libelf_fix_missing.so"), skip_libc, NULL, &d, err, sizeof(err)), -1);
	{
		char want[PATH_MAX + 100];
		char real[PATH_MAX];
		CHECK(realpath(bpath("tests/elf/libelf_fix_missing.so"), real) != NULL);
		snprintf(want, sizeof(want), "libelf_fix_dep.so (needed by %s): not found", real);
		CHECK_STR(err, want);
	}
	unsetenv("LD_LIBRARY_PATH");

	/* The errors a plugin author sees for the wrong file. */
	CHECK_INT(elf_resolve_deps(bpath("samples/noexport.so"), NULL, NULL, &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "does not export caisson_plugin_handle") != NULL);
	CHECK_INT(elf_resolve_deps(bpath("CMakeCache.txt"), NULL, NULL, &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "not an ELF file") != NULL);
	CHECK_INT(elf_resolve_deps(bpath("no-such-plugin.so"), NULL, NULL, &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
	CHECK_INT(elf_resolve_deps(bpath("tests/elf"), NULL, NULL, &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* What a started zygote has loaded: libc and the interpreter. */
	CHECK_INT(elf_loaded_sonames(bpath("caisson-zygote"), &loaded, err, sizeof(err)), 0);
	CHECK(has_soname(&loaded, "libc.so.6", NULL));
	CHECK(has_soname(&loaded, "ld-linux-x86-64.so.2", NULL));
	CHECK(loaded.sonames[loaded.n] == NULL);
	check_built_sonames(&loaded);
	elf_deps_free(&loaded);
}

/* Which directories a plugin's RUNPATH may name (issue 19, finding 5):
 * trusted ones by real path, or inside the plugin's; a symlink out of the
 * plugin's directory is refused. */
static void test_trust(void)
{
	const char *const others[] = { "/usr/lib", "/nonexistent-caisson-dir" };
	const char *const badlib[] = { "/nonexistent-caisson-lib", NULL };
	struct elf_trust t;
	struct elf_info obj;
	char tmpl[] = "/tmp/caisson-trust.XXXXXX", dir[PATH_MAX], real[PATH_MAX], path[PATH_MAX], plug[PATH_MAX];
	char err[512];

	CHECK(elf_trust_inside("/a/b", "/a/b") && elf_trust_inside("/a/b/c", "/a/b") && elf_trust_inside("/x", "/"));
	CHECK(!elf_trust_inside("/a/bc", "/a/b") && !elf_trust_inside("/a", "/a/b") && !elf_trust_inside("/a", ""));
	CHECK_INT(elf_trust_expand("$ORIGIN/../x", 12, "/p", dir), 7);
	CHECK_STR(dir, "/p/../x");
	CHECK_INT(elf_trust_expand("${ORIGIN}:/z", 9, "/p", dir), 2);
	CHECK_STR(dir, "/p");
	CHECK_INT(elf_trust_expand("lib", 3, "/p", dir), 0);
	CHECK_INT(elf_trust_expand("$ORIGINX", 8, "/p", dir), 0);
	CHECK_INT(elf_trust_init(&t, badlib, others, 2, NULL, err, sizeof(err)), -1);
	CHECK_STR(err, "[plugin] library_path '/nonexistent-caisson-lib': No such file or directory");

	/* A plugin in tmp/p, a library inside it, one beside it, a symlink out. */
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(plug, sizeof(plug), "%s/p/plugin.so", tmpl);
	snprintf(path, sizeof(path), "%s/p", tmpl);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/p/sub", tmpl);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/side", tmpl);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/p/sub/out.so", tmpl);
	CHECK_INT(symlink("/etc/hostname", path), 0);
	snprintf(path, sizeof(path), "%s/p/sub/in.so", tmpl);
	CHECK_INT(symlink("../plugin.so", path), 0);
	CHECK_INT(close(open(plug, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
	CHECK_INT(elf_trust_init(&t, NULL, others, 2, plug, err, sizeof(err)), 0);
	CHECK(elf_trust_checked(&t, plug) && !elf_trust_checked(&t, "/usr/lib/libz.so.1"));
	snprintf(dir, sizeof(dir), "%s/p/sub/../sub", tmpl);
	CHECK(elf_trust_entry(&t, dir, real));
	CHECK(elf_trust_entry(&t, "/usr/lib", real));
	CHECK(!elf_trust_entry(&t, "/etc", real));
	snprintf(dir, sizeof(dir), "%s/p/..", tmpl);
	CHECK(!elf_trust_entry(&t, dir, real));

	memset(&obj, 0, sizeof(obj));
	snprintf(obj.runpath, sizeof(obj.runpath), "$ORIGIN/sub:/nonexistent-caisson-dir:/usr/lib");
	snprintf(dir, sizeof(dir), "%s/p", tmpl);
	CHECK_INT(elf_trust_check_runpath(&t, plug, &obj, dir, err, sizeof(err)), 0);
	snprintf(obj.runpath, sizeof(obj.runpath), "$ORIGIN/sub:$ORIGIN/../side");
	obj.rpath = true;
	CHECK_INT(elf_trust_check_runpath(&t, plug, &obj, dir, err, sizeof(err)), -1);
	CHECK(!strncmp(err, plug, strlen(plug)));
	CHECK_STR(err + strlen(plug), ": DT_RPATH entry '$ORIGIN/../side' is not a system library directory, a "
				      "[plugin] library_path of the profile or inside the plugin's directory; refused");

	snprintf(path, sizeof(path), "%s/p/sub/out.so", tmpl);
	CHECK_INT(elf_trust_canonical(&t, "out.so", plug, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "leads out of the plugin's directory to /etc/hostname; refused") != NULL);
	snprintf(path, sizeof(path), "%s/p/sub/in.so", tmpl);
	CHECK_INT(elf_trust_canonical(&t, "in.so", plug, path, err, sizeof(err)), 0);
	CHECK(realpath(plug, real) && !strcmp(path, real));
	elf_trust_free(&t);
	for (const char *f = "p/sub/out.so\0p/sub/in.so\0p/plugin.so\0"; *f; f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", tmpl, f);
		unlink(path);
	}
	for (const char *f = "p/sub\0p\0side\0\0"; *f; f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", tmpl, f);
		rmdir(path);
	}
	rmdir(tmpl);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_elf BUILD_DIR\n");
		return 2;
	}
	snprintf(build, sizeof(build), "%s", argv[1]);
	test_parse();
	test_truncations();
	test_bad_headers();
	test_resolve();
	test_trust();
	return check_done("test_elf");
}
