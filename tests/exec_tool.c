/* A small dynamic program for the caisson exec tests (exec_test.sh), for
 * the ends no stock tool reaches without more than a test profile should
 * allow: its first stdin line says what to do. "segv": dereference NULL;
 * "abort": abort(); "exec": execve /usr/bin/true (a second exec);
 * anything else: echo stdin to stdout. Runs inside an exec worker, as its
 * tool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[256];
	size_t n;

	if (!fgets(line, sizeof(line), stdin))
		return 0;
	if (!strcmp(line, "segv\n")) {
		int *volatile null = NULL;

		return *null;
	}
	if (!strcmp(line, "abort\n")) {
		fputs("exec_tool: aborting\n", stderr);
		abort();
	}
	if (!strcmp(line, "exec\n")) {
		char *const argv[] = { "true", NULL }, *const envp[] = { NULL };

		execve("/usr/bin/true", argv, envp);
		return 1;
	}
	fputs(line, stdout);
	while ((n = fread(line, 1, sizeof(line), stdin)) > 0)
		fwrite(line, 1, n, stdout);
	return 0;
}
