/* man_tables: prints the tables the man pages must document, straight from
 * the code that enforces them, for tests/man_check.sh. Runs at test time as
 * the invoking user; reads only static data.
 *   key SECTION NAME RANGE    every profile key (RANGE "-" when it has none)
 *   group NAME MEMBER...      every syscall group and its direct members */
#include <stdio.h>

#include "policy/profile_keys.h"
#include "policy/sysgroups.h"

int main(void)
{
	const struct sysgroups_group *g;
	size_t ng;

	for (size_t i = 0; i < profile_nkeys; i++)
		printf("key %s %s %s\n", profile_keys[i].section, profile_keys[i].name,
		       profile_keys[i].range ? profile_keys[i].range : "-");
	g = sysgroups_groups(&ng);
	for (size_t i = 0; i < ng; i++)
		printf("group %s %s\n", g[i].name, g[i].members);
	return fflush(stdout) == 0 ? 0 : 1;
}
