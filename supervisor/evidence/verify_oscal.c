/* `caisson verify --format oscal`: one vf_report as an OSCAL 1.0.6
 * assessment-results document for NIST SP 800-53 rev5 SC-39. Runs in the
 * supervisor after the workers are gone; writes only to the caller's stream.
 * One result: an observation per attestation item (EXAMINE) and per probe
 * (TEST), each approved exception as a risk, one finding for sc-39 relating
 * them all; raw evidence goes to back-matter resources (base64 with its
 * SHA-256) that observations point at by "#uuid". Every UUID referenced is
 * defined in the same document; tests/oscal_validate.sh checks both the
 * schema and that. Free text is escaped by json.c; values the schema types
 * as StringDatatype go through oscal_string. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "oscal.h"
#include "policy/sha256.h"
#include "verify.h"
#include "verify_fmt.h"

#define VO_OSCAL_VERSION "1.0.6"
#define VO_NS "urn:caisson:oscal"   /* namespace of caisson's own props */
#define VO_CONTROL "sc-39"
#define VO_STATEMENT "sc-39_smt"
#define VO_MAX_ITEMS (1u << 16)     /* per list; far above any real report */

/* UUIDs: a few fixed ones, then one per item of each list. */
enum { ID_DOC, ID_RESULT, ID_PLAN, ID_TOOL, ID_SUBJECT, ID_FINDING, ID_NFIXED };
enum vo_list { L_ATTEST, L_PROBE, L_BLOB, L_RISK, L_REMEDY, L_N };

struct vo {
	struct json j;
	const struct vf_report *r;
	char (*ids)[OSCAL_UUID_LEN];
	size_t first[L_N + 1]; /* index in ids of each list's first; [L_N]: total */
	char start[OSCAL_TIME_LEN], end[OSCAL_TIME_LEN], now[OSCAL_TIME_LEN];
	bool times_ok; /* start/end came from the report, not the clock */
};

static const char *vo_id(const struct vo *o, enum vo_list l, size_t i)
{
	return o->ids[o->first[l] + i];
}

/* A markup field (title, description, statement) holding report text:
 * formatted, then made inert (oscal_markup). */
__attribute__((format(printf, 3, 4)))
static void vo_kfmt(struct vo *o, const char *key, const char *fmt, ...)
{
	char buf[2048], md[2 * sizeof(buf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	oscal_markup(md, sizeof(md), buf);
	jw_kstr(&o->j, key, md);
}

static void vo_khref(struct vo *o, const char *key, const char *uuid)
{
	char href[OSCAL_UUID_LEN + 1];

	snprintf(href, sizeof(href), "#%s", uuid);
	jw_kstr(&o->j, key, href);
}

/* A caisson prop; value is sanitised to StringDatatype. */
static void vo_prop(struct vo *o, const char *name, const char *value, size_t valuesz)
{
	char v[512];

	oscal_string(v, sizeof(v), value, valuesz, "none");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "name", name);
	jw_kstr(&o->j, "ns", VO_NS);
	jw_kstr(&o->j, "value", v);
	jw_obj_end(&o->j);
}

#define vo_prop_str(o, name, s) vo_prop((o), (name), (s), strlen(s))
#define vo_prop_field(o, name, a) vo_prop((o), (name), (a), JSON_ARRAY_LEN(a))

/* "origins": the caisson tool component made the observation. */
static void vo_origins(struct vo *o)
{
	jw_karr(&o->j, "origins");
	jw_obj_begin(&o->j);
	jw_karr(&o->j, "actors");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "type", "tool");
	jw_kstr(&o->j, "actor-uuid", o->ids[ID_TOOL]);
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
}

static void vo_subjects(struct vo *o)
{
	jw_karr(&o->j, "subjects");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "subject-uuid", o->ids[ID_SUBJECT]);
	jw_kstr(&o->j, "type", "component");
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
}

/* What every observation shares, after its uuid, title and description. */
static void vo_observation_common(struct vo *o, const char *method)
{
	jw_karr(&o->j, "methods");
	jw_str(&o->j, method);
	jw_arr_end(&o->j);
	jw_karr(&o->j, "types");
	jw_str(&o->j, "control-objective");
	jw_arr_end(&o->j);
	vo_origins(o);
	vo_subjects(o);
	jw_kstr(&o->j, "collected", o->end);
}

static void vo_attest(struct vo *o, size_t i)
{
	const struct vf_attest *a = &o->r->attest[i];
	const struct vf_blob *b = vfmt_evidence(o->r, a);

	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", vo_id(o, L_ATTEST, i));
	vo_kfmt(o, "title", "Attestation: %.*s", (int)sizeof(a->item), a->item);
	vo_kfmt(o, "description", "%.*s: expected %.*s, %s %.*s (%.*s, outside the worker).",
		(int)sizeof(a->item), a->item, (int)sizeof(a->expected), a->expected,
		a->verified ? "observed" : "could not be verified in this run:",
		(int)sizeof(a->observed), a->observed, (int)sizeof(a->source), a->source);
	vo_observation_common(o, "EXAMINE");
	jw_karr(&o->j, "props");
	vo_prop_field(o, "attestation-item", a->item);
	vo_prop_str(o, "result", vfmt_attest_result(a));
	jw_arr_end(&o->j);
	if (b) {
		jw_karr(&o->j, "relevant-evidence");
		jw_obj_begin(&o->j);
		vo_khref(o, "href", vo_id(o, L_BLOB, (size_t)a->evidence));
		vo_kfmt(o, "description", "The raw bytes read: %.*s", (int)sizeof(b->title), b->title);
		jw_obj_end(&o->j);
		jw_arr_end(&o->j);
	}
	jw_obj_end(&o->j);
}

static void vo_probe(struct vo *o, size_t i)
{
	const struct vf_probe *p = &o->r->probes[i];
	const char *verdict = vfmt_verdict_name(p->verdict);

	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", vo_id(o, L_PROBE, i));
	vo_kfmt(o, "title", "Containment probe: %.*s", (int)sizeof(p->name), p->name);
	vo_kfmt(o, "description", "Inside a worker: %.*s. Verdict: %s%s%.*s (%.*s); worker status %.*s; %llu us.",
		(int)sizeof(p->attempt), p->attempt, verdict, p->layer[0] ? " by " : "", (int)sizeof(p->layer),
		p->layer, (int)sizeof(p->how), p->how, (int)sizeof(p->status), p->status,
		(unsigned long long)p->duration_us);
	vo_observation_common(o, "TEST");
	jw_karr(&o->j, "props");
	vo_prop_field(o, "probe", p->name);
	vo_prop_field(o, "probe-category", p->category);
	vo_prop_str(o, "verdict", verdict);
	if (p->layer[0])
		vo_prop_field(o, "contained-by", p->layer);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
}

static void vo_remediation(struct vo *o, size_t i, const char *deadline)
{
	jw_karr(&o->j, "remediations");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", vo_id(o, L_REMEDY, i));
	jw_kstr(&o->j, "lifecycle", "planned");
	jw_kstr(&o->j, "title", "Remove or renew the exception");
	vo_kfmt(o, "description", "Remove the [exception] from the profile, or have it approved again, "
		"before it expires (%s).", deadline ? deadline : "no valid expiry date recorded");
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
}

/* An approved exception: a deviation from SC-39 isolation, approved until
 * its expiry (inclusive, as the lint reads it); "open" once expired. */
static void vo_risk(struct vo *o, size_t i)
{
	const struct vf_exception *e = &o->r->exceptions[i];
	char deadline[OSCAL_TIME_LEN];
	bool dated = oscal_day_end(e->expires, sizeof(e->expires), deadline);

	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", vo_id(o, L_RISK, i));
	vo_kfmt(o, "title", "Approved exception: %.*s", (int)sizeof(e->relaxes), e->relaxes);
	vo_kfmt(o, "description", "The profile's [exception] allows %.*s. Reason: %.*s. "
		"Approved by %.*s; expires %.*s (%d days left).",
		(int)sizeof(e->relaxes), e->relaxes, (int)sizeof(e->reason), e->reason,
		(int)sizeof(e->approver), e->approver, (int)sizeof(e->expires), e->expires,
		e->days_left);
	vo_kfmt(o, "statement", "Workers of this profile run with %.*s allowed, outside the default "
		"process isolation, until the exception expires.", (int)sizeof(e->relaxes), e->relaxes);
	jw_karr(&o->j, "props");
	vo_prop_field(o, "approver", e->approver);
	vo_prop_field(o, "expires", e->expires);
	jw_arr_end(&o->j);
	jw_kstr(&o->j, "status", e->days_left >= 0 ? "deviation-approved" : "open");
	vo_origins(o);
	if (dated)
		jw_kstr(&o->j, "deadline", deadline);
	vo_remediation(o, i, dated ? deadline : NULL);
	jw_obj_end(&o->j);
}

/* {"<key>": uuid} for each item of a list, into the open array. */
static void vo_related(struct vo *o, const char *key, enum vo_list l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(&o->j);
		jw_kstr(&o->j, key, vo_id(o, l, i));
		jw_obj_end(&o->j);
	}
}

static void vo_finding(struct vo *o)
{
	const struct vf_report *r = o->r;
	bool passed = vf_report_passed(r);
	struct vfmt_counts c;

	vfmt_count(r, &c);
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", o->ids[ID_FINDING]);
	jw_kstr(&o->j, "title", "SC-39 Process Isolation");
	vo_kfmt(o, "description", "%zu of %zu attestation items match the profile (%zu unverified); "
		"%zu of %zu containment probes contained (%zu escaped, %zu unsupported, %zu errors); "
		"%zu approved exceptions.", c.attest_ok, r->nattest, c.attest_unverified,
		c.verdicts[VF_CONTAINED], r->nprobes, c.verdicts[VF_ESCAPED],
		c.verdicts[VF_UNSUPPORTED], c.verdicts[VF_ERROR], r->nexceptions);
	jw_kobj(&o->j, "target");
	jw_kstr(&o->j, "type", "statement-id");
	jw_kstr(&o->j, "target-id", VO_STATEMENT);
	jw_kobj(&o->j, "status");
	jw_kstr(&o->j, "state", passed ? "satisfied" : "not-satisfied");
	jw_kstr(&o->j, "reason", passed ? "pass" : "fail");
	jw_obj_end(&o->j);
	jw_obj_end(&o->j);
	vo_origins(o);
	if (r->nattest + r->nprobes > 0) {
		jw_karr(&o->j, "related-observations");
		vo_related(o, "observation-uuid", L_ATTEST, r->nattest);
		vo_related(o, "observation-uuid", L_PROBE, r->nprobes);
		jw_arr_end(&o->j);
	}
	if (r->nexceptions > 0) {
		jw_karr(&o->j, "related-risks");
		vo_related(o, "risk-uuid", L_RISK, r->nexceptions);
		jw_arr_end(&o->j);
	}
	jw_obj_end(&o->j);
}

static void vo_component(struct vo *o, const char *uuid, const char *title)
{
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", uuid);
	jw_kstr(&o->j, "type", "software");
	jw_kstr(&o->j, "title", title);
}

static void vo_component_end(struct vo *o)
{
	jw_kobj(&o->j, "status");
	jw_kstr(&o->j, "state", "operational");
	jw_obj_end(&o->j);
	jw_obj_end(&o->j);
}

/* The tool that assessed (caisson) and the subject (the profile's workers). */
static void vo_components(struct vo *o)
{
	const struct vf_report *r = o->r;
	char profile[2 * SHA256_LEN + 1], bpf[2 * SHA256_LEN + 1];

	sha256_hex(r->profile_sha256, profile);
	sha256_hex(r->bpf_sha256, bpf);
	jw_kobj(&o->j, "local-definitions");
	jw_karr(&o->j, "components");
	vo_component(o, o->ids[ID_TOOL], "caisson");
	vo_kfmt(o, "description", "caisson %.*s, the sandboxing supervisor, running `caisson verify`.",
		(int)sizeof(r->caisson_version), r->caisson_version);
	jw_karr(&o->j, "props");
	vo_prop_field(o, "caisson-version", r->caisson_version);
	jw_arr_end(&o->j);
	vo_component_end(o);
	vo_component(o, o->ids[ID_SUBJECT], "Sandboxed workers of the profile");
	vo_kfmt(o, "description", "Worker processes of the profile %.*s (%.*s, SHA-256 %s) on host %.*s, "
		"kernel %.*s; seccomp program as loaded SHA-256 %s.",
		(int)sizeof(r->profile_name), r->profile_name, (int)sizeof(r->profile_path),
		r->profile_path, profile, (int)sizeof(r->host), r->host, (int)sizeof(r->kernel),
		r->kernel, bpf);
	jw_karr(&o->j, "props");
	vo_prop_field(o, "profile-name", r->profile_name);
	vo_prop_str(o, "profile-sha256", profile);
	vo_prop_str(o, "bpf-sha256", bpf);
	vo_prop_field(o, "host", r->host);
	vo_prop_field(o, "kernel", r->kernel);
	jw_arr_end(&o->j);
	vo_component_end(o);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
}

static void vo_result(struct vo *o)
{
	const struct vf_report *r = o->r;
	size_t i;

	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", o->ids[ID_RESULT]);
	vo_kfmt(o, "title", "caisson verify of profile %.*s", (int)sizeof(r->profile_name),
		r->profile_name);
	jw_kstr(&o->j, "description", "The isolation state of live workers of the profile, read "
		  "from outside them (/proc, the loaded seccomp program), and containment probes "
		  "run inside them, as caisson verify performs them.");
	jw_kstr(&o->j, "start", o->start);
	jw_kstr(&o->j, "end", o->end);
	vo_components(o);
	jw_kobj(&o->j, "reviewed-controls");
	jw_karr(&o->j, "control-selections");
	jw_obj_begin(&o->j);
	jw_karr(&o->j, "include-controls");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "control-id", VO_CONTROL);
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
	if (r->nattest + r->nprobes > 0) {
		jw_karr(&o->j, "observations");
		for (i = 0; i < r->nattest; i++)
			vo_attest(o, i);
		for (i = 0; i < r->nprobes; i++)
			vo_probe(o, i);
		jw_arr_end(&o->j);
	}
	if (r->nexceptions > 0) {
		jw_karr(&o->j, "risks");
		for (i = 0; i < r->nexceptions; i++)
			vo_risk(o, i);
		jw_arr_end(&o->j);
	}
	jw_karr(&o->j, "findings");
	vo_finding(o);
	jw_arr_end(&o->j);
	if (!o->times_ok)
		jw_kstr(&o->j, "remarks", "The report's start and end times were not RFC 3339 UTC "
			  "date-times; the time this document was written stands in for both.");
	jw_obj_end(&o->j);
}

/* type/subtype of RFC 6838 restricted names (parameters not allowed), else
 * application/octet-stream: the collector names it, but it is not trusted. */
static const char *vo_media_type(const struct vf_blob *b)
{
	static const char name[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789!#$&^_.+-";
	const char *m = b->media_type;
	size_t n = strnlen(m, sizeof(b->media_type)), type;

	if (n == sizeof(b->media_type)) /* no NUL: strspn would run off the end */
		return "application/octet-stream";
	type = strspn(m, name);
	if (type > 0 && m[type] == '/' && type + 1 < n && type + 1 + strspn(m + type + 1, name) == n)
		return m;
	return "application/octet-stream";
}

static void vo_blob(struct vo *o, size_t i)
{
	const struct vf_blob *b = &o->r->blobs[i];
	const char *media = vo_media_type(b);
	char file[40], index[24];
	bool text = strncmp(media, "text/", 5) == 0;

	snprintf(file, sizeof(file), "evidence-%zu.%s", i, text ? "txt" : "bin");
	snprintf(index, sizeof(index), "%zu", i);
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", vo_id(o, L_BLOB, i));
	vo_kfmt(o, "title", "%.*s", (int)sizeof(b->title), b->title);
	vo_kfmt(o, "description", "Raw evidence as read, %zu bytes; the rlink names the file the "
		"base64 content decodes to.", b->len);
	jw_karr(&o->j, "props");
	vo_prop_str(o, "evidence-index", index);
	jw_arr_end(&o->j);
	jw_karr(&o->j, "rlinks");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "href", file);
	jw_kstr(&o->j, "media-type", media);
	jw_karr(&o->j, "hashes");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "algorithm", "SHA-256");
	jw_key(&o->j, "value");
	jw_hex(&o->j, b->sha256, sizeof(b->sha256));
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
	jw_arr_end(&o->j);
	/* OSCAL's Base64Datatype cannot be empty: an empty blob has its hash only. */
	if (b->data && b->len > 0) {
		jw_kobj(&o->j, "base64");
		jw_kstr(&o->j, "filename", file);
		jw_kstr(&o->j, "media-type", media);
		jw_key(&o->j, "value");
		jw_base64(&o->j, b->data, b->len);
		jw_obj_end(&o->j);
	}
	jw_obj_end(&o->j);
}

/* The plan import-ap points at: caisson verify's fixed procedure. */
static void vo_back_matter(struct vo *o)
{
	jw_kobj(&o->j, "back-matter");
	jw_karr(&o->j, "resources");
	jw_obj_begin(&o->j);
	jw_kstr(&o->j, "uuid", o->ids[ID_PLAN]);
	jw_kstr(&o->j, "title", "caisson verify assessment plan");
	jw_kstr(&o->j, "description", "caisson verify's built-in procedure for SC-39: spawn workers "
		  "of the profile; examine their namespaces, seccomp mode and filter digest, "
		  "capabilities, no_new_privs, uid mapping, rlimits and mount table from outside; "
		  "test containment with probes run inside them.");
	jw_obj_end(&o->j);
	for (size_t i = 0; i < o->r->nblobs; i++)
		vo_blob(o, i);
	jw_arr_end(&o->j);
	jw_obj_end(&o->j);
}

static void vo_document(struct vo *o)
{
	const struct vf_report *r = o->r;
	char version[sizeof(r->caisson_version) * 3 + 1];

	oscal_string(version, sizeof(version), r->caisson_version, sizeof(r->caisson_version),
		     "unknown");
	jw_obj_begin(&o->j);
	jw_kobj(&o->j, "assessment-results");
	jw_kstr(&o->j, "uuid", o->ids[ID_DOC]);
	jw_kobj(&o->j, "metadata");
	vo_kfmt(o, "title", "caisson verify: SC-39 process isolation evidence for profile %.*s",
		(int)sizeof(r->profile_name), r->profile_name);
	jw_kstr(&o->j, "last-modified", o->now);
	jw_kstr(&o->j, "version", version);
	jw_kstr(&o->j, "oscal-version", VO_OSCAL_VERSION);
	jw_obj_end(&o->j);
	jw_kobj(&o->j, "import-ap");
	vo_khref(o, "href", o->ids[ID_PLAN]);
	jw_obj_end(&o->j);
	jw_karr(&o->j, "results");
	vo_result(o);
	jw_arr_end(&o->j);
	vo_back_matter(o);
	jw_obj_end(&o->j);
	jw_obj_end(&o->j);
}

static void vo_times(struct vo *o)
{
	const struct vf_report *r = o->r;

	oscal_time_now(o->now);
	o->times_ok = oscal_time(r->started, sizeof(r->started), o->start) &&
		      oscal_time(r->finished, sizeof(r->finished), o->end);
	if (!o->times_ok) {
		memcpy(o->start, o->now, sizeof(o->now));
		memcpy(o->end, o->now, sizeof(o->now));
	}
}

int vf_write_oscal(const struct vf_report *r, FILE *f)
{
	const size_t len[L_N] = { r->nattest, r->nprobes, r->nblobs, r->nexceptions, r->nexceptions };
	struct vo o = { .r = r };
	int rc, saved;

	o.first[0] = ID_NFIXED;
	for (int l = 0; l < L_N; l++) {
		if (len[l] > VO_MAX_ITEMS) {
			errno = EOVERFLOW;
			return -1;
		}
		o.first[l + 1] = o.first[l] + len[l];
	}
	o.ids = calloc(o.first[L_N], sizeof(*o.ids));
	if (!o.ids)
		return -1;
	rc = oscal_uuids(o.ids, o.first[L_N]);
	if (rc == 0) {
		vo_times(&o);
		jw_init(&o.j, f);
		vo_document(&o);
		rc = jw_finish(&o.j);
	}
	saved = errno;
	free(o.ids);
	errno = saved;
	return rc;
}
