/* Helpers shared by the JSON and OSCAL writers (verify_fmt.h). Runs in the
 * supervisor; pure. */
#include "verify_fmt.h"

#include <string.h>

enum vf_verdict vfmt_verdict(enum vf_verdict v)
{
	switch (v) {
	case VF_CONTAINED:
	case VF_ESCAPED:
	case VF_UNSUPPORTED:
		return v;
	default:
		return VF_ERROR;
	}
}

const char *vfmt_verdict_name(enum vf_verdict v)
{
	static const char *const names[] = {
		[VF_CONTAINED] = "contained",
		[VF_ESCAPED] = "escaped",
		[VF_UNSUPPORTED] = "unsupported",
		[VF_ERROR] = "error",
	};

	return names[vfmt_verdict(v)];
}

const char *vfmt_attest_result(const struct vf_attest *a)
{
	return !a->verified ? "unverified" : a->ok ? "match" : "mismatch";
}

void vfmt_count(const struct vf_report *r, struct vfmt_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < r->nattest; i++) {
		c->attest_ok += r->attest[i].ok && r->attest[i].verified;
		c->attest_unverified += !r->attest[i].verified;
	}
	for (i = 0; i < r->nprobes; i++)
		c->verdicts[vfmt_verdict(r->probes[i].verdict)]++;
}

const struct vf_blob *vfmt_evidence(const struct vf_report *r, const struct vf_attest *a)
{
	if (a->evidence < 0 || (size_t)a->evidence >= r->nblobs)
		return NULL;
	return &r->blobs[a->evidence];
}
