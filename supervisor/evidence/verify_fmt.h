/* Helpers shared by the machine-readable writers of a vf_report
 * (verify_json.c, verify_oscal.c): verdict names, counts, and the bounds
 * check on an attestation item's evidence index. Supervisor, pure. */
#ifndef CAISSON_VERIFY_FMT_H
#define CAISSON_VERIFY_FMT_H

#include "verify.h"

struct vfmt_counts {
	size_t attest_ok;              /* verified and matching */
	size_t attest_unverified;
	size_t verdicts[VF_ERROR + 1]; /* probes per verdict */
};

/* "contained", "escaped", "unsupported", "error"; a value outside the enum
 * is reported as "error" (not contained), never as contained. */
const char *vfmt_verdict_name(enum vf_verdict v);
/* An attestation item's outcome: "match", "mismatch" or "unverified". */
const char *vfmt_attest_result(const struct vf_attest *a);
enum vf_verdict vfmt_verdict(enum vf_verdict v);
void vfmt_count(const struct vf_report *r, struct vfmt_counts *c);
/* The blob an item's evidence names, NULL when none or out of range. */
const struct vf_blob *vfmt_evidence(const struct vf_report *r, const struct vf_attest *a);

#endif
