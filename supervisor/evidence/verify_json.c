/* `caisson verify --format json`: one vf_report as a plain JSON document.
 * Runs in the supervisor after the workers are gone; writes only to the
 * caller's stream. Every string is escaped by json.c, so the document stays
 * valid whatever bytes a worker put in a field. The shape (docs/verify-json.md):
 *
 *   { "format": "caisson-verify", "format_version": 1,
 *     "profile": { "path", "name", "sha256" }, "bpf_sha256",
 *     "caisson_version", "kernel", "host", "started", "finished",
 *     "passed": bool,
 *     "counts": { "attestation", "attestation_ok", "attestation_unverified",
 *                 "probes", "contained",
 *                 "escaped", "unsupported", "error", "exceptions", "evidence" },
 *     "attestation": [ { "item", "expected", "observed", "source", "ok",
 *                        "verified", "result": "match", "mismatch" or
 *                        "unverified", "evidence": index or null } ],
 *     "probes": [ { "name", "category", "attempt", "verdict", "how", "contained_by",
 *                   "status", "duration_us" } ],
 *     "exceptions": [ { "relaxes", "reason", "approver", "expires",
 *                       "days_left" } ],
 *     "evidence": [ { "index", "title", "media_type", "length", "sha256",
 *                     "base64" } ] }
 *
 * Digests are lower-case hex; verdict is "contained", "escaped",
 * "unsupported" or "error"; contained_by names the layer that stopped a
 * contained probe (verify_layer.c), null for any other verdict. */
#include <string.h>

#include "json.h"
#include "verify.h"
#include "verify_fmt.h"

#define VF_JSON_FORMAT_VERSION 1

static void vj_header(struct json *j, const struct vf_report *r)
{
	jw_kstr(j, "format", "caisson-verify");
	jw_kint(j, "format_version", VF_JSON_FORMAT_VERSION);
	jw_kobj(j, "profile");
	jw_kfield(j, "path", r->profile_path);
	jw_kfield(j, "name", r->profile_name);
	jw_key(j, "sha256");
	jw_hex(j, r->profile_sha256, sizeof(r->profile_sha256));
	jw_obj_end(j);
	jw_key(j, "bpf_sha256");
	jw_hex(j, r->bpf_sha256, sizeof(r->bpf_sha256));
	jw_kfield(j, "caisson_version", r->caisson_version);
	jw_kfield(j, "kernel", r->kernel);
	jw_kfield(j, "host", r->host);
	jw_kfield(j, "started", r->started);
	jw_kfield(j, "finished", r->finished);
	jw_kbool(j, "passed", vf_report_passed(r));
}

static void vj_counts(struct json *j, const struct vf_report *r)
{
	struct vfmt_counts c;

	vfmt_count(r, &c);
	jw_kobj(j, "counts");
	jw_kuint(j, "attestation", r->nattest);
	jw_kuint(j, "attestation_ok", c.attest_ok);
	jw_kuint(j, "attestation_unverified", c.attest_unverified);
	jw_kuint(j, "probes", r->nprobes);
	jw_kuint(j, "contained", c.verdicts[VF_CONTAINED]);
	jw_kuint(j, "escaped", c.verdicts[VF_ESCAPED]);
	jw_kuint(j, "unsupported", c.verdicts[VF_UNSUPPORTED]);
	jw_kuint(j, "error", c.verdicts[VF_ERROR]);
	jw_kuint(j, "exceptions", r->nexceptions);
	jw_kuint(j, "evidence", r->nblobs);
	jw_obj_end(j);
}

static void vj_attest(struct json *j, const struct vf_report *r, const struct vf_attest *a)
{
	jw_obj_begin(j);
	jw_kfield(j, "item", a->item);
	jw_kfield(j, "expected", a->expected);
	jw_kfield(j, "observed", a->observed);
	jw_kfield(j, "source", a->source);
	jw_kbool(j, "ok", a->ok);
	jw_kbool(j, "verified", a->verified);
	jw_kstr(j, "result", vfmt_attest_result(a));
	jw_key(j, "evidence");
	if (vfmt_evidence(r, a))
		jw_int(j, a->evidence);
	else
		jw_null(j);
	jw_obj_end(j);
}

static void vj_probe(struct json *j, const struct vf_probe *p)
{
	jw_obj_begin(j);
	jw_kfield(j, "name", p->name);
	jw_kfield(j, "category", p->category);
	jw_kfield(j, "attempt", p->attempt);
	jw_kstr(j, "verdict", vfmt_verdict_name(p->verdict));
	jw_kfield(j, "how", p->how);
	if (p->layer[0])
		jw_kfield(j, "contained_by", p->layer);
	else {
		jw_key(j, "contained_by");
		jw_null(j);
	}
	jw_kfield(j, "status", p->status);
	jw_kuint(j, "duration_us", p->duration_us);
	jw_obj_end(j);
}

static void vj_exception(struct json *j, const struct vf_exception *e)
{
	jw_obj_begin(j);
	jw_kfield(j, "relaxes", e->relaxes);
	jw_kfield(j, "reason", e->reason);
	jw_kfield(j, "approver", e->approver);
	jw_kfield(j, "expires", e->expires);
	jw_kint(j, "days_left", e->days_left);
	jw_obj_end(j);
}

static void vj_blob(struct json *j, size_t index, const struct vf_blob *b)
{
	jw_obj_begin(j);
	jw_kuint(j, "index", index);
	jw_kfield(j, "title", b->title);
	jw_kfield(j, "media_type", b->media_type);
	jw_kuint(j, "length", b->len);
	jw_key(j, "sha256");
	jw_hex(j, b->sha256, sizeof(b->sha256));
	jw_key(j, "base64");
	jw_base64(j, b->data, b->data ? b->len : 0);
	jw_obj_end(j);
}

int vf_write_json(const struct vf_report *r, FILE *f)
{
	struct json j;
	size_t i;

	jw_init(&j, f);
	jw_obj_begin(&j);
	vj_header(&j, r);
	vj_counts(&j, r);
	jw_karr(&j, "attestation");
	for (i = 0; i < r->nattest; i++)
		vj_attest(&j, r, &r->attest[i]);
	jw_arr_end(&j);
	jw_karr(&j, "probes");
	for (i = 0; i < r->nprobes; i++)
		vj_probe(&j, &r->probes[i]);
	jw_arr_end(&j);
	jw_karr(&j, "exceptions");
	for (i = 0; i < r->nexceptions; i++)
		vj_exception(&j, &r->exceptions[i]);
	jw_arr_end(&j);
	jw_karr(&j, "evidence");
	for (i = 0; i < r->nblobs; i++)
		vj_blob(&j, i, &r->blobs[i]);
	jw_arr_end(&j);
	jw_obj_end(&j);
	return jw_finish(&j);
}
