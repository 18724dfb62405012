/* Landlock, as the supervisor sees it (broker/landlock.c) and as the worker
 * builds its ruleset (worker/wk_landlock.h): the rights handled per ABI,
 * the attribute size each ABI understands, a profile that requires
 * Landlock refused on a kernel without it, and this machine's kernel
 * having it (the suite's hosts do: a missing Landlock fails loudly here). */
#include <stdio.h>
#include <string.h>

#include "broker/landlock.h"
#include "check.h"
#include "policy/profile.h"
#include "worker/wk_landlock.h"

static void test_rights(void)
{
	CHECK(wk_landlock_fs(0) == 0 && wk_landlock_net(0) == 0 && wk_landlock_scoped(0) == 0);
	CHECK(wk_landlock_fs(1) == 0x1fff);   /* execute .. make_sym */
	CHECK(wk_landlock_fs(2) == 0x3fff);   /* + refer */
	CHECK(wk_landlock_fs(3) == 0x7fff);   /* + truncate */
	CHECK(wk_landlock_fs(4) == 0x7fff && wk_landlock_net(4) == 3);
	CHECK(wk_landlock_fs(5) == 0xffff);   /* + ioctl_dev */
	CHECK(wk_landlock_scoped(5) == 0 && wk_landlock_scoped(6) == 3);
	CHECK(wk_landlock_fs(WK_LANDLOCK_ABI_MAX) == (1ull << (sizeof(wk_landlock_fs_names) / sizeof(char *))) - 1);
	CHECK_INT(wk_landlock_attr_size(1), 8);
	CHECK_INT(wk_landlock_attr_size(3), 8);
	CHECK_INT(wk_landlock_attr_size(4), 16);
	CHECK_INT(wk_landlock_attr_size(6), 24);
}

static void test_pick(void)
{
	struct profile p;
	char err[256] = "";
	uint32_t abi = 99;

	memset(&p, 0, sizeof(p));
	p.landlock = PROFILE_LANDLOCK_AUTO;
	CHECK_INT(landlock_pick(&p, 0, &abi, err, sizeof(err)), 0);
	CHECK_INT(abi, 0);
	CHECK_INT(landlock_pick(&p, 3, &abi, err, sizeof(err)), 0);
	CHECK_INT(abi, 3);
	CHECK_INT(landlock_pick(&p, 7, &abi, err, sizeof(err)), 0);
	CHECK_INT(abi, WK_LANDLOCK_ABI_MAX);
	p.landlock = PROFILE_LANDLOCK_REQUIRED;
	CHECK_INT(landlock_pick(&p, 0, &abi, err, sizeof(err)), -1);
	CHECK(strstr(err, "landlock = required, but this kernel has no Landlock") != NULL);
	CHECK_INT(landlock_pick(&p, 1, &abi, err, sizeof(err)), 0);
	CHECK_INT(abi, 1);
}

static void test_describe(void)
{
	char buf[1024];

	landlock_describe(0, buf, sizeof(buf));
	CHECK_STR(buf, "none (no Landlock on this kernel)");
	landlock_describe(1, buf, sizeof(buf));
	CHECK_STR(buf, "fs denied unless granted: execute write_file read_file read_dir remove_dir remove_file "
		       "make_char make_dir make_reg make_sock make_fifo make_block make_sym");
	landlock_describe(6, buf, sizeof(buf));
	CHECK(strstr(buf, " refer truncate ioctl_dev; net denied: bind_tcp connect_tcp; scoped to the worker: "
			  "abstract_unix_socket signal") != NULL);
	landlock_describe(6, buf, 40); /* truncated, still terminated */
	CHECK(strlen(buf) < 40);
}

int main(void)
{
	test_rights();
	test_pick();
	test_describe();
	CHECK(landlock_kernel_abi() >= 1);
	return check_done("test_landlock");
}
