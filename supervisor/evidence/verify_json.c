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
	json_kstr(j, "format", "caisson-verify");
	json_kint(j, "format_version", VF_JSON_FORMAT_VERSION);
	json_kobj(j, "profile");
	json_kfield(j, "path", r->profile_path);
	json_kfield(j, "name", r->profile_name);
	json_key(j, "sha256");
	json_hex(j, r->profile_sha256, sizeof(r->profile_sha256));
	json_obj_end(j);
	json_key(j, "bpf_sha256");
	json_hex(j, r->bpf_sha256, sizeof(r->bpf_sha256));
	json_kfield(j, "caisson_version", r->caisson_version);
	json_kfield(j, "kernel", r->kernel);
	json_kfield(j, "host", r->host);
	json_kfield(j, "started", r->started);
	json_kfield(j, "finished", r->finished);
	json_kbool(j, "passed", vf_report_passed(r));
}

static void vj_counts(struct json *j, const struct vf_report *r)
{
	struct vfmt_counts c;

	vfmt_count(r, &c);
	json_kobj(j, "counts");
	json_kuint(j, "attestation", r->nattest);
	json_kuint(j, "attestation_ok", c.attest_ok);
	json_kuint(j, "attestation_unverified", c.attest_unverified);
	json_kuint(j, "probes", r->nprobes);
	json_kuint(j, "contained", c.verdicts[VF_CONTAINED]);
	json_kuint(j, "escaped", c.verdicts[VF_ESCAPED]);
	json_kuint(j, "unsupported", c.verdicts[VF_UNSUPPORTED]);
	json_kuint(j, "error", c.verdicts[VF_ERROR]);
	json_kuint(j, "exceptions", r->nexceptions);
	json_kuint(j, "evidence", r->nblobs);
	json_obj_end(j);
}

static void vj_attest(struct json *j, const struct vf_report *r, const struct vf_attest *a)
{
	json_obj_begin(j);
	json_kfield(j, "item", a->item);
	json_kfield(j, "expected", a->expected);
	json_kfield(j, "observed", a->observed);
	json_kfield(j, "source", a->source);
	json_kbool(j, "ok", a->ok);
	json_kbool(j, "verified", a->verified);
	json_kstr(j, "result", vfmt_attest_result(a));
	json_key(j, "evidence");
	if (vfmt_evidence(r, a))
		json_int(j, a->evidence);
	else
		json_null(j);
	json_obj_end(j);
}

static void vj_probe(struct json *j, const struct vf_probe *p)
{
	json_obj_begin(j);
	json_kfield(j, "name", p->name);
	json_kfield(j, "category", p->category);
	json_kfield(j, "attempt", p->attempt);
	json_kstr(j, "verdict", vfmt_verdict_name(p->verdict));
	json_kfield(j, "how", p->how);
	if (p->layer[0])
		json_kfield(j, "contained_by", p->layer);
	else {
		json_key(j, "contained_by");
		json_null(j);
	}
	json_kfield(j, "status", p->status);
	json_kuint(j, "duration_us", p->duration_us);
	json_obj_end(j);
}

static void vj_exception(struct json *j, const struct vf_exception *e)
{
	json_obj_begin(j);
	json_kfield(j, "relaxes", e->relaxes);
	json_kfield(j, "reason", e->reason);
	json_kfield(j, "approver", e->approver);
	json_kfield(j, "expires", e->expires);
	json_kint(j, "days_left", e->days_left);
	json_obj_end(j);
}

static void vj_blob(struct json *j, size_t index, const struct vf_blob *b)
{
	json_obj_begin(j);
	json_kuint(j, "index", index);
	json_kfield(j, "title", b->title);
	json_kfield(j, "media_type", b->media_type);
	json_kuint(j, "length", b->len);
	json_key(j, "sha256");
	json_hex(j, b->sha256, sizeof(b->sha256));
	json_key(j, "base64");
	json_base64(j, b->data, b->data ? b->len : 0);
	json_obj_end(j);
}

int vf_write_json(const struct vf_report *r, FILE *f)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_obj_begin(&j);
	vj_header(&j, r);
	vj_counts(&j, r);
	json_karr(&j, "attestation");
	for (i = 0; i < r->nattest; i++)
		vj_attest(&j, r, &r->attest[i]);
	json_arr_end(&j);
	json_karr(&j, "probes");
	for (i = 0; i < r->nprobes; i++)
		vj_probe(&j, &r->probes[i]);
	json_arr_end(&j);
	json_karr(&j, "exceptions");
	for (i = 0; i < r->nexceptions; i++)
		vj_exception(&j, &r->exceptions[i]);
	json_arr_end(&j);
	json_karr(&j, "evidence");
	for (i = 0; i < r->nblobs; i++)
		vj_blob(&j, i, &r->blobs[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	return json_finish(&j);
}
