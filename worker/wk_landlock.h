/* The Landlock rights caisson handles, by kernel ABI version: pure data
 * shared by the worker (wk_landlock.c, which builds the ruleset) and the
 * supervisor (which says which rights are enforced, in `caisson profile
 * show` and `caisson verify`). The kernel headers on a build host may lag
 * the running kernel, so the few constants and the attribute layout are
 * spelled here, as the kernel ABI fixes them. */
#ifndef CAISSON_WK_LANDLOCK_H
#define CAISSON_WK_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

#define WK_LANDLOCK_ABI_MAX 6u /* ABI 7 adds logging flags, no right */

/* struct landlock_ruleset_attr as of ABI 6; shorter for older ABIs. */
struct wk_landlock_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

/* Bit i of each mask is named by the i-th entry of its names list. */
static const char *const wk_landlock_fs_names[] = {
	"execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_char", "make_dir",
	"make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev",
};
static const char *const wk_landlock_net_names[] = { "bind_tcp", "connect_tcp" };
static const char *const wk_landlock_scope_names[] = { "abstract_unix_socket", "signal" };

#define WK_LL_FS_EXECUTE (1ull << 0)
#define WK_LL_FS_READ_FILE (1ull << 2)
#define WK_LL_FS_READ_DIR (1ull << 3)
/* Beneath the scratch tmpfs, besides reading: write_file, remove_dir,
 * remove_file, make_dir, make_reg, refer (a rename between its
 * directories), truncate. Never execute, make_char, make_sock, make_fifo,
 * make_block, make_sym or ioctl_dev. */
#define WK_LL_FS_SCRATCH ((1ull << 1) | (1ull << 4) | (1ull << 5) | (1ull << 7) | (1ull << 8) | (1ull << 13) | (1ull << 14))

/* Every filesystem right the ABI knows: all handled, so all denied but
 * what a rule grants. */
static inline uint64_t wk_landlock_fs(uint32_t abi)
{
	return abi < 1 ? 0 : abi < 2 ? (1ull << 13) - 1 : abi < 3 ? (1ull << 14) - 1
			   : abi < 5 ? (1ull << 15) - 1 : (1ull << 16) - 1;
}

/* TCP bind and connect (ABI 4): handled with no rule, so both denied. */
static inline uint64_t wk_landlock_net(uint32_t abi)
{
	return abi < 4 ? 0 : 3;
}

/* Abstract UNIX sockets and signals scoped to the worker's own domain. */
static inline uint64_t wk_landlock_scoped(uint32_t abi)
{
	return abi < 6 ? 0 : 3;
}

/* Bytes of wk_landlock_attr the ABI understands. */
static inline size_t wk_landlock_attr_size(uint32_t abi)
{
	return abi < 4 ? offsetof(struct wk_landlock_attr, handled_access_net)
		       : abi < 6 ? offsetof(struct wk_landlock_attr, scoped) : sizeof(struct wk_landlock_attr);
}

#endif
