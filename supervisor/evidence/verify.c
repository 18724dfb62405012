/* The verify report: building it (bounded appends), judging it, freeing it
 * and writing it as a text table. Runs in the supervisor. Every string
 * here was bounded and made printable where it was collected; the text
 * writer still prints fields with their array bounds. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/sha256.h"
#include "verify_int.h"

void vf_line(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (const char *p = src ? src : ""; *p && n + 1 < cap; p++) {
		unsigned char ch = (unsigned char)*p;
		bool blank = ch <= 0x20 || ch == 0x7f;

		if (blank && (n == 0 || dst[n - 1] == ' '))
			continue;
		dst[n++] = blank ? ' ' : ch > 0x7f ? '?' : (char)ch;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

int vf_add_attest(struct vf_run *v, const char *item, const char *expected, const char *observed,
		  const char *source, bool ok, int evidence)
{
	struct vf_report *r = v->r;
	struct vf_attest *a = realloc(r->attest, (r->nattest + 1) * sizeof(*r->attest));

	if (!a) {
		v->oom = true;
		return -1;
	}
	r->attest = a;
	a = &r->attest[r->nattest];
	memset(a, 0, sizeof(*a));
	vf_line(a->item, sizeof(a->item), item);
	vf_line(a->expected, sizeof(a->expected), expected);
	vf_line(a->observed, sizeof(a->observed), observed);
	vf_line(a->source, sizeof(a->source), source);
	a->ok = ok;
	a->verified = true;
	a->evidence = evidence;
	return (int)r->nattest++;
}

int vf_add_unverified(struct vf_run *v, const char *item, const char *expected, const char *why,
		      const char *source, int evidence)
{
	int i = vf_add_attest(v, item, expected, why, source, false, evidence);

	if (i >= 0)
		v->r->attest[i].verified = false;
	return i;
}

int vf_add_blob(struct vf_run *v, const char *title, const char *media_type, const void *data, size_t len)
{
	struct vf_report *r = v->r;
	struct vf_blob *b;
	uint8_t *copy = malloc(len ? len : 1);

	b = copy ? realloc(r->blobs, (r->nblobs + 1) * sizeof(*r->blobs)) : NULL;
	if (!b) {
		free(copy);
		v->oom = true;
		return -1;
	}
	r->blobs = b;
	if (len)
		memcpy(copy, data, len);
	b = &r->blobs[r->nblobs];
	memset(b, 0, sizeof(*b));
	vf_line(b->title, sizeof(b->title), title);
	vf_line(b->media_type, sizeof(b->media_type), media_type);
	b->data = copy;
	b->len = len;
	sha256(copy, len, b->sha256);
	return (int)r->nblobs++;
}

int vf_blob_file(struct vf_run *v, const char *path, const char *title, size_t max)
{
	uint8_t *buf = malloc(max);
	size_t len = 0;
	ssize_t n = 0;
	int fd, idx = -1, saved;

	if (!buf) {
		v->oom = true;
		errno = ENOMEM;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0) {
		while (len < max && ((n = read(fd, buf + len, max - len)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				len += (size_t)n;
		saved = errno;
		close(fd);
		errno = saved;
		if (n >= 0)
			idx = vf_add_blob(v, title, "text/plain", buf, len);
	}
	saved = errno;
	free(buf);
	errno = saved;
	return idx;
}

char *vf_blob_text(struct vf_run *v, int idx)
{
	char *s;

	if (idx < 0)
		return NULL;
	s = malloc(v->r->blobs[idx].len + 1);
	if (!s) {
		v->oom = true;
		return NULL;
	}
	memcpy(s, v->r->blobs[idx].data, v->r->blobs[idx].len);
	s[v->r->blobs[idx].len] = '\0';
	return s;
}

void vf_progress(const struct vf_run *v, const char *fmt, ...)
{
	va_list ap;

	if (!v->progress)
		return;
	va_start(ap, fmt);
	fputs("caisson verify: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool vf_report_passed(const struct vf_report *r)
{
	if (r->nattest == 0 || r->nprobes == 0)
		return false;
	for (size_t i = 0; i < r->nattest; i++)
		if (!r->attest[i].ok || !r->attest[i].verified)
			return false;
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].verdict != VF_CONTAINED)
			return false;
	return true;
}

void vf_report_free(struct vf_report *r)
{
	for (size_t i = 0; i < r->nblobs; i++)
		free(r->blobs[i].data);
	free(r->blobs);
	free(r->attest);
	free(r->probes);
	free(r->exceptions);
	memset(r, 0, sizeof(*r));
}

static const char *vf_verdict_name(enum vf_verdict v)
{
	switch (v) {
	case VF_CONTAINED: return "CONTAINED";
	case VF_ESCAPED: return "ESCAPED";
	case VF_UNSUPPORTED: return "UNSUPPORTED";
	case VF_ERROR: return "ERROR";
	}
	return "ERROR";
}

static const char *vf_attest_mark(const struct vf_attest *a)
{
	return !a->verified ? "UNVERIFIED" : a->ok ? "OK" : "MISMATCH";
}

static void vf_text_header(const struct vf_report *r, FILE *f)
{
	char ph[2 * SHA256_LEN + 1], bh[2 * SHA256_LEN + 1];

	sha256_hex(r->profile_sha256, ph);
	sha256_hex(r->bpf_sha256, bh);
	fprintf(f, "caisson verify %.32s: profile %.64s (%.1024s)\n", r->caisson_version, r->profile_name,
		r->profile_path);
	fprintf(f, "  profile sha256  %s\n  bpf sha256      %s\n", ph, bh);
	fprintf(f, "  host %.64s, kernel %.160s\n  started %.32s, finished %.32s\n\n", r->host, r->kernel,
		r->started, r->finished);
}

static void vf_text_attest(const struct vf_report *r, FILE *f)
{
	fprintf(f, "attestation (read from outside a live worker)\n");
	fprintf(f, "  %-22s %-10s %-44s %s\n", "item", "result", "expected", "observed [evidence]");
	for (size_t i = 0; i < r->nattest; i++) {
		const struct vf_attest *a = &r->attest[i];
		fprintf(f, "  %-22.64s %-10s %-44.160s %.160s", a->item, vf_attest_mark(a), a->expected, a->observed);
		if (a->evidence >= 0)
			fprintf(f, " [%d]", a->evidence);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void vf_text_probes(const struct vf_report *r, FILE *f)
{
	fprintf(f, "containment probes (each in a fresh worker)\n");
	fprintf(f, "  %-12s %-28s %-11s %-13s %s\n", "category", "probe", "verdict", "contained by", "how");
	for (size_t i = 0; i < r->nprobes; i++) {
		const struct vf_probe *p = &r->probes[i];
		fprintf(f, "  %-12.32s %-28.48s %-11s %-13.24s %.256s\n", p->category, p->name,
			vf_verdict_name(p->verdict), p->layer[0] ? p->layer : "-", p->how);
	}
	fputc('\n', f);
}

static void vf_text_exceptions(const struct vf_report *r, FILE *f)
{
	fprintf(f, "approved exceptions: %zu\n", r->nexceptions);
	for (size_t i = 0; i < r->nexceptions; i++) {
		const struct vf_exception *e = &r->exceptions[i];
		fprintf(f, "  %.128s, until %.10s (%d days left), approved by %.128s: %.256s\n", e->relaxes, e->expires,
			e->days_left, e->approver, e->reason);
	}
	fputc('\n', f);
}

/* The raw evidence: what each attestation item was read from, by digest. */
static void vf_text_blobs(const struct vf_report *r, FILE *f)
{
	char hex[2 * SHA256_LEN + 1];

	fprintf(f, "evidence: what each [N] above was read from\n");
	for (size_t i = 0; i < r->nblobs; i++) {
		sha256_hex(r->blobs[i].sha256, hex);
		fprintf(f, "  [%zu] %.96s: %zu bytes, sha256 %s\n", i, r->blobs[i].title, r->blobs[i].len, hex);
	}
	fputc('\n', f);
}

/* "verdict: PASS - ..." or "verdict: FAIL - ..." naming what failed. */
static void vf_text_verdict(const struct vf_report *r, FILE *f)
{
	size_t aok = 0, unver = 0, count[VF_ERROR + 1] = { 0 };

	for (size_t i = 0; i < r->nattest; i++) {
		aok += r->attest[i].ok && r->attest[i].verified;
		unver += !r->attest[i].verified;
	}
	for (size_t i = 0; i < r->nprobes; i++)
		count[r->probes[i].verdict]++;
	fprintf(f, "verdict: %s - %zu/%zu attestation items match", vf_report_passed(r) ? "PASS" : "FAIL", aok,
		r->nattest);
	if (unver)
		fprintf(f, " (%zu unverified)", unver);
	fprintf(f, ", %zu/%zu probes contained", count[VF_CONTAINED], r->nprobes);
	for (int v = VF_ESCAPED; v <= VF_ERROR; v++) {
		const char *sep = " (";

		if (!count[v])
			continue;
		fprintf(f, "; %zu %s", count[v], v == VF_ESCAPED ? "escaped" : v == VF_UNSUPPORTED ? "unsupported" : "errors");
		for (size_t i = 0; i < r->nprobes; i++)
			if (r->probes[i].verdict == (enum vf_verdict)v) {
				fprintf(f, "%s%.48s", sep, r->probes[i].name);
				sep = ", ";
			}
		fputc(')', f);
	}
	for (size_t i = 0; i < r->nattest; i++)
		if (!r->attest[i].ok && r->attest[i].verified)
			fprintf(f, "; mismatch %.64s", r->attest[i].item);
	fputc('\n', f);
}

int vf_write_text(const struct vf_report *r, FILE *f)
{
	vf_text_header(r, f);
	vf_text_attest(r, f);
	vf_text_probes(r, f);
	vf_text_exceptions(r, f);
	vf_text_blobs(r, f);
	vf_text_verdict(r, f);
	if (fflush(f) == EOF || ferror(f))
		return -1;
	return 0;
}
