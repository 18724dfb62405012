/* What `caisson run` reads and writes around the pool: inputs read with a
 * bound (a too-large regular file is measured, never read), the answers'
 * file names under -o DIR (an extension from --ext or the profile;
 * duplicates refused before anything runs), the output directory checked
 * (or created) before any work, and the guard that keeps binary answers off a terminal.
 * Runs in the caisson program as the invoking user. Functions that print
 * their own one-line error say so. */
#ifndef CAISSON_RUN_IO_H
#define CAISSON_RUN_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum run_io_read { RUN_IO_OK, RUN_IO_TOO_LARGE, RUN_IO_ERROR };

/* Reads input NAME ("-": stdin) whole into *buf when it holds at most max
 * bytes. RUN_IO_TOO_LARGE: *size is its real size when that is known (a
 * regular file: measured, not read), else 0 (a stream: more than max bytes
 * came). RUN_IO_ERROR: errno says why. */
enum run_io_read run_io_read(const char *name, size_t max, uint8_t **buf, size_t *len, uint64_t *size);
/* The INPUT_TOO_LARGE detail: "N bytes > limit M", or "at least M+1 bytes
 * > limit M" when size is 0 (unknown). */
void run_io_too_large(char *detail, size_t len, uint64_t size, size_t max);

struct run_out {
	const char *cmd; /* "run" or "exec": names the command in messages */
	const char *dir; /* -o DIR; NULL: stdout */
	const char *ext; /* the answers' extension under DIR; NULL: the input's */
	bool tty_guard;  /* stdout is a terminal and -o - did not ask for it */
};

/* Makes sure DIR is a directory we may write in: creates it (its last
 * component only) when it does not exist, and says so on stderr. Prints
 * the error naming DIR; -1. */
int run_io_open_dir(const struct run_out *ro, const char *dir);
/* Refuses two inputs whose answers would be written to the same file under
 * ro->dir, naming both. Prints the error; -1. */
int run_io_check_names(const struct run_out *ro, char *const *inputs, int n);
/* Whether an answer may go to a terminal as it is: valid UTF-8 with no
 * control character but tab, newline and carriage return. */
bool run_io_is_text(const uint8_t *p, size_t n);
/* Writes one answer (input: as named on the command line, "-" for stdin;
 * name: how messages name it). 0; -1 with errno; 1 when it was kept off
 * the terminal (binary; the line saying so is printed). */
int run_io_emit(const struct run_out *ro, const char *input, const char *name, const uint8_t *out, size_t len);

#endif
