/* libFuzzer target: the plugin ELF reader on arbitrary bytes. It must never
 * read out of bounds, and on success its strings must be terminated. */
#include <stdlib.h>
#include <string.h>

#include "elf/elfinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info info;
	char err[128];
	/* elf_parse wants an 8-aligned buffer, as mmap gives it; malloc
	 * returns 16-aligned memory poisoned from byte size on. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (elf_parse(buf, size, &info, err, sizeof(err)) == 0) {
		if (info.nneeded > ELF_MAX_NEEDED)
			abort();
		for (unsigned i = 0; i < info.nneeded; i++)
			if (!memchr(info.needed[i], '\0', ELF_NAME_MAX))
				abort();
		if (!memchr(info.runpath, '\0', sizeof(info.runpath)) ||
		    !memchr(info.interp, '\0', sizeof(info.interp)))
			abort();
	} else if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0') {
		abort();
	}
	free(buf);
	return 0;
}
