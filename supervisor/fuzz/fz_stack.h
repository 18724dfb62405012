/* The stack of a finding, read from the worker's log tail: a sanitizer's
 * report (ASan, UBSan: "#N 0xPC in FUNC ..." or "#N 0xPC (MODULE+0xOFF)")
 * or the worker runtime's own fault stack (worker/wk_stack.c, the second
 * form), its first stack only; the sanitizer's one-line verdict; and the
 * stack hash that folds duplicates. Pure, bounded; the log is hostile
 * text. Runs in the supervisor. */
#ifndef CAISSON_FZ_STACK_H
#define CAISSON_FZ_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_STACK_MAX 32u
/* Frames hashed: the top three of the target's own (below any sanitizer
 * runtime frame, and past the libc frames a fault or an abort starts in),
 * as ClusterFuzz's crash state does: one frame folds different bugs in a
 * shared helper (a memcpy wrapper) together, the whole stack splits one
 * bug into as many findings as there are paths to it. */
#define FZ_STACK_HASHED 3u
#define FZ_STACK_HASH_HEX 17u /* 16 hex digits of SHA-1 and a NUL */

struct fz_frame {
	uint64_t pc, off;  /* off: within module, when has_module */
	bool has_module;
	bool runtime;      /* a sanitizer runtime's or libc's frame, not hashed */
	char module[256];  /* as the worker printed it */
	char func[128];    /* as the report named it, or filled by fz_symbolize */
	char where[256];   /* file:line:column, by fz_symbolize; "" if unknown */
};

struct fz_stack {
	size_t n;
	struct fz_frame f[FZ_STACK_MAX];
	char verdict[160]; /* "AddressSanitizer: heap-buffer-overflow", or "" */
	char hash[FZ_STACK_HASH_HEX]; /* "" when no frame could be hashed */
	size_t hashed;     /* how many frames went into it */
};

/* Reads the first stack and the verdict out of len bytes of log (not
 * NUL-terminated), then hashes it. Always fills *st (n 0, hash "" when
 * the log holds no stack). */
void fz_stack_parse(const char *log, size_t len, struct fz_stack *st);
/* The frame as one line: "#I 0xPC in FUNC WHERE (MODULE+0xOFF)", the parts
 * it has. */
void fz_stack_frame_line(const struct fz_stack *st, size_t i, char *out, size_t len);

#endif
