/* The record of a learning run and the table of lookup syscalls; see
 * learned.h. Pure data structures, run in the supervisor; every count
 * and every table is bounded, whatever the sample does. */
#include "learned.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define LEARNED_SLOTS (2 * LEARNED_PATHS) /* a power of two; at most half full */

static const struct learned_lookup learned_table[] = {
	{ SYS_open, -1, 0, -1 },       { SYS_creat, -1, 0, -1 },      { SYS_openat, 0, 1, -1 },
	{ SYS_openat2, 0, 1, -1 },     { SYS_stat, -1, 0, -1 },       { SYS_lstat, -1, 0, -1 },
	{ SYS_newfstatat, 0, 1, -1 },  { SYS_statx, 0, 1, -1 },       { SYS_access, -1, 0, -1 },
	{ SYS_faccessat, 0, 1, -1 },   { SYS_faccessat2, 0, 1, -1 },  { SYS_readlink, -1, 0, -1 },
	{ SYS_readlinkat, 0, 1, -1 },  { SYS_getdents64, -1, -1, 0 }, { SYS_getdents, -1, -1, 0 },
};

const struct learned_lookup *learned_lookup_find(int nr)
{
	for (size_t i = 0; i < sizeof(learned_table) / sizeof(learned_table[0]); i++)
		if (learned_table[i].nr == nr)
			return &learned_table[i];
	return NULL;
}

const struct learned_lookup *learned_lookups(size_t *n)
{
	*n = sizeof(learned_table) / sizeof(learned_table[0]);
	return learned_table;
}

int learned_init(struct learned *l)
{
	memset(l, 0, sizeof(*l));
	l->paths = calloc(LEARNED_PATHS, sizeof(*l->paths));
	l->slots = calloc(LEARNED_SLOTS, sizeof(*l->slots));
	if (!l->paths || !l->slots) {
		learned_free(l);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void learned_free(struct learned *l)
{
	for (size_t i = 0; l->paths && i < l->npaths; i++)
		free(l->paths[i].path);
	for (int nr = 0; nr < PROFILE_MAX_NR; nr++)
		free(l->ruled_example[nr]);
	free(l->paths);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

static uint32_t learned_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int learned_add_path(struct learned *l, const char *path, int nr, enum learned_phase phase)
{
	uint32_t i = learned_hash(path) & (LEARNED_SLOTS - 1);
	struct learned_path *e;

	l->lookups++;
	for (; l->slots[i]; i = (i + 1) & (LEARNED_SLOTS - 1)) {
		e = &l->paths[l->slots[i] - 1];
		if (strcmp(e->path, path) == 0) {
			e->count++;
			e->phases |= (uint8_t)phase;
			return 0;
		}
	}
	if (l->npaths >= LEARNED_PATHS) {
		l->dropped++;
		return 0;
	}
	e = &l->paths[l->npaths];
	e->path = strdup(path);
	if (!e->path) {
		l->dropped++;
		errno = ENOMEM;
		return -1;
	}
	e->count = 1;
	e->nr = nr;
	e->phases = (uint8_t)phase;
	l->slots[i] = (uint16_t)(++l->npaths);
	return 0;
}

void learned_add_ruled(struct learned *l, int nr, const char *text)
{
	if (nr < 0 || nr >= PROFILE_MAX_NR)
		return;
	l->ruled[nr]++;
	if (!l->ruled_example[nr])
		l->ruled_example[nr] = strndup(text, LEARNED_EXAMPLE_MAX);
}
