/* caisson_bench output: the table on stdout and the same rows as JSON
 * (machine-comparable across commits: ids, units and keys never change). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "bench.h"

/* The best peer: lowest p50, or highest when more is better; NULL if none. */
static const struct bench_peer *best_peer(const struct bench_row *r)
{
	const struct bench_peer *best = NULL;

	for (int i = 0; i < r->npeers; i++) {
		const struct bench_peer *p = &r->peers[i];

		if (isnan(p->p50))
			continue;
		if (!best || (r->higher_better ? p->p50 > best->p50 : p->p50 < best->p50))
			best = p;
	}
	return best;
}

static double ratio(double a, double b)
{
	return isnan(a) || isnan(b) || b == 0 ? NAN : a / b;
}

static void num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

static void print_row(const struct bench_row *r)
{
	const struct bench_peer *best = best_peer(r);
	char p50[24], p99[24], fl[24], rf[24], rp[24], peers[512] = "";
	size_t off = 0;

	num(p50, sizeof(p50), r->p50);
	num(p99, sizeof(p99), r->p99);
	num(fl, sizeof(fl), r->floor_p50);
	num(rf, sizeof(rf), ratio(r->p50, r->floor_p50));
	num(rp, sizeof(rp), best ? ratio(r->p50, best->p50) : NAN);
	for (int i = 0; i < r->npeers && off < sizeof(peers); i++) {
		char v[24];

		num(v, sizeof(v), r->peers[i].p50);
		off += (size_t)snprintf(peers + off, sizeof(peers) - off, "%s%s=%s", i ? " " : "", r->peers[i].name,
					isnan(r->peers[i].p50) ? "unavailable" : v);
	}
	printf("%-10s %-48.48s %-8s %9s %9s %9s %7s %7s  %-8s %s | %s\n", r->id, r->name, r->unit, p50, p99, fl,
	       rf, rp, r->met ? "met" : "NOT MET", r->target, off ? peers : "-");
}

void bench_report_table(const struct bench_ctx *c)
{
	printf("\n%-10s %-48s %-8s %9s %9s %9s %7s %7s  %-8s %s | %s\n", "#", "figure", "unit", "p50", "p99",
	       "floor", "xfloor", "xpeer", "result", "target", "peers p50");
	for (int i = 0; i < c->nrows; i++)
		print_row(&c->rows[i]);
	printf("\nfloors, notes and peer command lines:\n");
	for (int i = 0; i < c->nrows; i++) {
		const struct bench_row *r = &c->rows[i];

		printf("  %s floor: %s\n", r->id, r->floor_name[0] ? r->floor_name : "-");
		if (r->note[0])
			printf("  %s note: %s\n", r->id, r->note);
		for (int k = 0; k < r->npeers; k++) {
			const struct bench_peer *p = &r->peers[k];

			printf("  %s peer %s: %s%s%s\n", r->id, p->name, p->cmd[0] ? p->cmd : "(no command: measured inside caisson_bench)",
			       p->unavailable[0] ? "  -- unavailable: " : "", p->unavailable);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static void json_row(FILE *f, const struct bench_row *r)
{
	const struct bench_peer *best = best_peer(r);

	fputs("    {\"id\": ", f);
	json_str(f, r->id);
	fputs(", \"name\": ", f);
	json_str(f, r->name);
	fputs(", \"unit\": ", f);
	json_str(f, r->unit);
	fprintf(f, ", \"higher_is_better\": %s,\n     \"caisson\": {\"p50\": ", r->higher_better ? "true" : "false");
	json_num(f, r->p50);
	fputs(", \"p99\": ", f);
	json_num(f, r->p99);
	fputs("},\n     \"floor\": {\"name\": ", f);
	json_str(f, r->floor_name);
	fputs(", \"p50\": ", f);
	json_num(f, r->floor_p50);
	fputs("},\n     \"peers\": {", f);
	for (int i = 0; i < r->npeers; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, r->peers[i].name);
		fputs(": {\"p50\": ", f);
		json_num(f, r->peers[i].p50);
		fputs(", \"cmd\": ", f);
		json_str(f, r->peers[i].cmd);
		fputs(", \"unavailable\": ", f);
		json_str(f, r->peers[i].unavailable);
		fputs("}", f);
	}
	fputs("},\n     \"ratio_to_floor\": ", f);
	json_num(f, ratio(r->p50, r->floor_p50));
	fputs(", \"ratio_to_best_peer\": ", f);
	json_num(f, best ? ratio(r->p50, best->p50) : NAN);
	fputs(", \"target\": ", f);
	json_str(f, r->target);
	fprintf(f, ", \"met\": %s, \"iterations\": %d, \"note\": ", r->met ? "true" : "false", r->iterations);
	json_str(f, r->note);
	fputs("}", f);
}

/* HEAD of the source tree, or "unknown". */
static void git_commit(const char *src, char *out, size_t len)
{
	char cmd[600];
	FILE *p;

	snprintf(out, len, "unknown");
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD 2>/dev/null", src);
	p = popen(cmd, "re");
	if (!p)
		return;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = '\0';
	else
		snprintf(out, len, "unknown");
	pclose(p);
}

int bench_report_json(const struct bench_ctx *c, const char *path)
{
	FILE *f = fopen(path, "we");
	char commit[64], date[32];
	struct utsname u;
	time_t now = time(NULL);

	if (!f)
		return -1;
	git_commit(c->src, commit, sizeof(commit));
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fputs("{\"commit\": ", f);
	json_str(f, commit);
	fputs(", \"kernel\": ", f);
	json_str(f, u.release);
	fputs(", \"date\": ", f);
	json_str(f, date);
	fprintf(f, ", \"quick\": %s,\n  \"figures\": [\n", c->quick ? "true" : "false");
	for (int i = 0; i < c->nrows; i++) {
		json_row(f, &c->rows[i]);
		fputs(i + 1 < c->nrows ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return fclose(f) == 0 ? 0 : -1;
}
