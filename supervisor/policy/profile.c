/* The parsed profile as data: namespace names, defaults, dates, answer
 * extensions, set queries and freeing; see profile.h. Pure; runs in the
 * supervisor. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIB (1024ull * 1024)

const char *const profile_ns_names[PROFILE_NS_COUNT] = {
	"user", "pid", "mount", "network", "ipc", "uts", "cgroup",
};

void profile_defaults(struct profile *p)
{
	for (int i = 0; i < PROFILE_NS_COUNT; i++)
		p->ns_on[i] = true;
	p->limits = (struct profile_limits){
		.wall_ms = 5000,
		.cpu_ms = 5000,
		.memory_bytes = 256 * MIB,
		.output_bytes = 16 * MIB,
		.input_bytes = 16 * MIB,
		.open_files = 16,
	};
	p->pool = (struct profile_pool){
		.min_workers = 0,
		.max_workers = 2,
		.queue = 256,
		.requests_per_worker = 100,
		.idle_ms = 60000,
		.failure_threshold = 5,
		.pipeline = 1,
	};
}

int32_t profile_today(void)
{
	return (int32_t)(time(NULL) / 86400);
}

static bool profile_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970). */
static int32_t profile_days(int y, int m, int d)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int32_t days = 0;

	for (int i = 1970; i < y; i++)
		days += profile_leap(i) ? 366 : 365;
	return days + before[m - 1] + (m > 2 && profile_leap(y)) + d - 1;
}

int profile_date_parse(const char *s, int32_t *day)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != PROFILE_DATE_LEN || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
	    strspn(s + 8, "0123456789") != 2)
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !profile_leap(y)))
		return -1;
	*day = profile_days(y, m, d);
	return 0;
}

void profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->nbinds; i++)
		free(p->binds[i]);
	for (size_t i = 0; i < p->nplugin_args; i++)
		free(p->plugin_args[i]);
	for (size_t i = 0; i < p->nlibrary_paths; i++)
		free(p->library_paths[i]);
	for (size_t i = 0; i < p->ndata; i++)
		free(p->data[i]);
	for (size_t i = 0; i < p->nexec_libs; i++)
		free(p->exec_libs[i]);
	free(p->exec_libs);
	p->exec_libs = NULL;
	p->nexec_libs = 0;
	free(p->binds);
	free(p->data);
	p->data = NULL;
	p->ndata = 0;
	free(p->plugin_args);
	free(p->library_paths);
	p->binds = NULL;
	p->plugin_args = NULL;
	p->library_paths = NULL;
	p->nbinds = 0;
	p->nplugin_args = 0;
	p->nlibrary_paths = 0;
}

bool profile_ext_valid(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= PROFILE_EXT_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-") == len;
}

bool profile_set_has(const uint64_t set[PROFILE_SET_WORDS], long nr)
{
	return nr >= 0 && nr < PROFILE_MAX_NR && (set[nr / 64] >> (nr % 64)) & 1;
}
