/* BRANCH-ONLY STUB (branch `verify`): stands in for vf_write_json and
 * vf_write_oscal (supervisor/verify_json.c, verify_oscal.c), which are
 * written on another branch, so that cmd_verify links here. Delete this
 * file at merge. Runs in the supervisor. */
#include <errno.h>

#include "verify.h"

int vf_write_json(const struct vf_report *r, FILE *f)
{
	errno = ENOSYS;
	return -1;
}

int vf_write_oscal(const struct vf_report *r, FILE *f)
{
	errno = ENOSYS;
	return -1;
}
