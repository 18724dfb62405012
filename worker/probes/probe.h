/* Internals of the probe plugin (caisson-probes.so): the parsed request and
 * the answer helpers every probe uses. Runs inside a locked, sealed worker;
 * each probe attempts exactly one forbidden thing first, so the syscall the
 * supervisor names in a VIOLATION is the one the probe is about. */
#ifndef CAISSON_PROBE_H
#define CAISSON_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "caisson_plugin.h"
#include "probes.h"

#define PROBE_PATH_MAX 1024u

/* The request's parameters (see caisson_probes.c for the syntax). */
struct pctx {
	caisson_out *out;
	long sup, peer;          /* host pids: the supervisor, another live worker */
	unsigned long long mem;  /* memory limit, bytes */
	unsigned long long outb; /* output limit, bytes */
	unsigned long long cpu;  /* CPU limit, ms */
	unsigned long long port; /* the supervisor's TCP listener on 127.0.0.1 */
	long ses, ukr;           /* the invoking user's session and user keyrings (serials; 0: none) */
	char abs[64];            /* the supervisor's abstract UNIX socket name */
	/* [filesystem]: the first data path, where to try writing in it (the
	 * file, or a new name in the directory), how many entries its
	 * directory may hold (the declared ones), the scratch size (0: none). */
	char data[PROBE_PATH_MAX], dataw[PROBE_PATH_MAX];
	unsigned long long dataents, scratch;
	char self[PROBE_PATH_MAX];
};

/* Answers: one line, "blocked TOKEN[ detail]", "escaped WHAT", "unsupported WHY". */
void probe_say(const struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* rc < 0: "blocked ERRNO"; otherwise "escaped WHAT returned rc". */
void probe_result(const struct pctx *c, long rc, const char *what);
const char *probe_errname(int err);

#define PROBE_DECL(id, name, cat, kind, attempt) void probe_##id(const struct pctx *c);
PROBES(PROBE_DECL)
#undef PROBE_DECL

#endif
