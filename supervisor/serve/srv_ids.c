/* Resolving user and group names or numbers for caisson serve's
 * configuration. Runs in the supervisor at load time (NSS lookups). */
#include "srv_ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/units.h"

#define SRV_IDS_TOKEN_MAX 64

/* Digits: the number itself (below 2^32-1, which means "no id"). */
static int srv_ids_number(const char *s, unsigned int *out, bool *is_num)
{
	uint64_t v;

	*is_num = s[0] >= '0' && s[0] <= '9';
	if (!*is_num)
		return 0;
	if (units_uint(s, &v) || v >= 0xffffffffu)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int srv_ids_uid(const char *s, uid_t *out, char *why, size_t whylen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	unsigned int v;
	bool num;

	if (srv_ids_number(s, &v, &num) < 0) {
		snprintf(why, whylen, "'%s' is not a valid uid", s);
		return -1;
	}
	if (num) {
		*out = v;
		return 0;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res) {
		snprintf(why, whylen, "no user named '%s'", s);
		return -1;
	}
	*out = res->pw_uid;
	return 0;
}

int srv_ids_gid(const char *s, gid_t *out, char *why, size_t whylen)
{
	struct group gr, *res = NULL;
	char buf[16384];
	unsigned int v;
	bool num;

	if (srv_ids_number(s, &v, &num) < 0) {
		snprintf(why, whylen, "'%s' is not a valid gid", s);
		return -1;
	}
	if (num) {
		*out = v;
		return 0;
	}
	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || !res) {
		snprintf(why, whylen, "no group named '%s'", s);
		return -1;
	}
	*out = res->gr_gid;
	return 0;
}

int srv_ids_list(const char *s, bool gid, unsigned int *out, size_t max, size_t *n, char *why, size_t whylen)
{
	char tok[SRV_IDS_TOKEN_MAX + 1];

	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ", \t");

		if (!len) {
			s++;
			continue;
		}
		if (len > SRV_IDS_TOKEN_MAX) {
			snprintf(why, whylen, "an entry is longer than %d bytes", SRV_IDS_TOKEN_MAX);
			return -1;
		}
		if (*n == max) {
			snprintf(why, whylen, "more than %zu entries", max);
			return -1;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (gid ? srv_ids_gid(tok, &out[*n], why, whylen) : srv_ids_uid(tok, &out[*n], why, whylen))
			return -1;
		(*n)++;
		s += len;
	}
	if (!*n) {
		snprintf(why, whylen, "empty list");
		return -1;
	}
	return 0;
}
