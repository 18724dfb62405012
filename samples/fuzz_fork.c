/* A libFuzzer harness that forks on every input: under caisson the
 * worker's filter refuses the clone and the input is a violation finding;
 * the host never sees a child. */
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pid_t pid;

	(void)data;
	(void)size;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}
