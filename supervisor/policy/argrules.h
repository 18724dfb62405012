/* Argument rules a profile may put on a syscall it allows, where the
 * kernel can check them (seccomp sees registers, never memory): one
 * argument compared with a list of named values, or clone limited to
 * threads. Written "name(V1|V2...)", in [seccomp] allow (the run set) and
 * in an [exception]'s allow, which then approves no more than that. Pure
 * data and parsing, run in the supervisor on untrusted profile text.
 *   socket(AF_UNIX|AF_INET|...)      arg0, the address family
 *   socketpair(AF_UNIX)              arg0
 *   clone(threads)                   arg0 has CLONE_VM|FS|FILES|SIGHAND|THREAD
 *                                    and no CLONE_NEW* flag
 *   prctl(PR_SET_NAME|PR_GET_NAME|...) arg0, the option */
#ifndef CAISSON_ARGRULES_H
#define CAISSON_ARGRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGRULE_VALS_MAX 8u
#define ARGRULE_TEXT_MAX 255u /* "name(...)" as written, bytes */

enum argrule_kind {
	ARGRULE_VALUES = 1,    /* (arg & 0xffffffff) is one of vals: an int argument */
	ARGRULE_CLONE_THREADS, /* (arg & ARGRULE_CLONE_MASK) == ARGRULE_CLONE_THREAD */
};

/* clone(threads): what every thread glibc makes sets, and the flags that
 * would make a new process tree or namespace instead. */
#define ARGRULE_CLONE_THREAD 0x00010f00ull /* CLONE_VM|FS|FILES|SIGHAND|THREAD */
#define ARGRULE_CLONE_NEW 0x7e020000ull    /* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
#define ARGRULE_CLONE_MASK (ARGRULE_CLONE_THREAD | ARGRULE_CLONE_NEW)

struct argrule {
	int nr;         /* native syscall number */
	uint8_t arg;    /* which argument */
	uint8_t kind;   /* enum argrule_kind */
	uint32_t nvals; /* ARGRULE_VALUES: distinct values, in the order written */
	uint64_t vals[ARGRULE_VALS_MAX];
};

/* Parses tok ("name(V1|V2...)"); 0, or -1 with a one-line message in err. */
int argrule_parse(const char *tok, struct argrule *r, char *err, size_t errlen);
/* Whether rule a allows nothing rule b does not (same syscall). */
bool argrule_within(const struct argrule *a, const struct argrule *b);
/* What r allows, one line: "only when arg0 is AF_UNIX or AF_INET". */
void argrule_text(const struct argrule *r, char *buf, size_t len);

#endif
