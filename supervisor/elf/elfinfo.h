/* ELF inspection and shared-library resolution for plugins. The plugin is
 * hostile input: it is parsed as bytes, every offset and count bounded, and
 * never executed or dlopen'ed by the supervisor (no ldd). Runs in the
 * supervisor. elf_parse.c is pure (a byte buffer in, a struct out);
 * elf_resolve.c reads files and searches directories as ld.so would.
 * Errors: -1 with a one-line message in err. */
#ifndef CAISSON_ELFINFO_H
#define CAISSON_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_NEEDED 64
#define ELF_NAME_MAX 256
#define ELF_RUNPATH_MAX 1024
#define ELF_MAX_LIBS 128
#define ELF_FILE_MAX (512u << 20)

struct elf_info {
	char needed[ELF_MAX_NEEDED][ELF_NAME_MAX];
	unsigned nneeded;
	char runpath[ELF_RUNPATH_MAX]; /* DT_RUNPATH, else DT_RPATH; "" if none */
	bool rpath;                    /* runpath came from DT_RPATH */
	char interp[ELF_NAME_MAX];     /* PT_INTERP basename; "" if none */
	char interp_path[ELF_NAME_MAX]; /* PT_INTERP as written; "" if none */
	bool is_dyn;                   /* ET_DYN (shared object or PIE) */
	bool has_handle, has_init;     /* defines caisson_plugin_handle / _init */
	bool has_fuzz_target;          /* defines LLVMFuzzerTestOneInput (a libFuzzer harness) */
	bool asan;                     /* built with AddressSanitizer: __asan_init undefined */
};

/* Pure: validates an ELF64 little-endian object for this machine and reads
 * its dynamic section and exported symbols. */
int elf_parse(const uint8_t *buf, size_t len, struct elf_info *out, char *err, size_t errlen);

struct elf_deps {
	char **paths;   /* libraries to load, dependencies first (post-order) */
	char **sonames; /* the matching DT_NEEDED names; NULL-terminated */
	size_t n;
	/* The plugin or a library of it is built with AddressSanitizer; its
	 * runtime, when one of them names it (DT_NEEDED libasan.so.N or
	 * libclang_rt.asan-*.so: resolved here, not in paths, since it must
	 * be loaded first of all), else "". */
	bool asan;
	char asan_runtime[4096];
};

/* A soname of an ASan runtime (gcc's libasan, clang's shared runtime). */
bool elf_asan_runtime_name(const char *soname);

/* Checks that plugin exports caisson_plugin_handle (or is a libFuzzer
 * harness: LLVMFuzzerTestOneInput) and resolves every
 * library it needs, recursively, skipping the sonames in skip (already in
 * the worker image) and never honouring LD_LIBRARY_PATH. The operator, not
 * the plugin, decides where libraries come from: the directories in
 * libpath (the profile's [plugin] library_path, NULL-terminated, or NULL),
 * searched first, then the system's (ld.so.conf, the defaults). A
 * DT_RUNPATH/DT_RPATH entry of the plugin or of a library in its
 * directory must resolve (symlinks and .. followed) to one of those or to
 * a directory inside the plugin's own; any other is refused, naming it.
 * Every file is checked readable by the real uid (the invoking user's
 * rights, not a set-id supervisor's). Paths in out are canonical. */
int elf_resolve_deps(const char *plugin, const char *const *skip, const char *const *libpath,
		     struct elf_deps *out, char *err, size_t errlen);
/* The sonames a binary has loaded once started: its needed closure and its
 * interpreter. */
int elf_loaded_sonames(const char *binary, struct elf_deps *out, char *err, size_t errlen);
void elf_deps_free(struct elf_deps *d);

/* An executable for caisson exec: a regular file the invoking user (real
 * uid) may read and execute, neither set-user-ID nor set-group-ID, a
 * dynamically linked ELF with a PT_INTERP (a static binary is refused: its
 * loader is itself, so nothing would reach it as a served descriptor).
 * Resolves every library it needs (none skipped; searched as
 * elf_resolve_deps does, the binary's RUNPATH confined the same way) into
 * out, dependencies first, and its interpreter's canonical path into
 * interp (len bytes), checked readable like the rest. */
int elf_resolve_exec(const char *tool, const char *const *libpath, struct elf_deps *out, char *interp,
		     size_t len, char *err, size_t errlen);
/* A shared object a tool loads at run time by this path (dlopen): by its
 * canonical path only, readable by the invoking user, an ELF shared
 * object; its libraries resolved as elf_resolve_exec resolves a tool's,
 * then the module itself, last, in out. */
int elf_resolve_module(const char *module, const char *const *libpath, struct elf_deps *out, char *err,
		       size_t errlen);

#endif
