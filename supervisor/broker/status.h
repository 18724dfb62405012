/* Result statuses (SPEC 4.3), declared once. Every submitted request ends
 * with exactly one of these. Used by the supervisor and its callers. */
#ifndef CAISSON_STATUS_H
#define CAISSON_STATUS_H

#define CS_STATUSES(X)          \
	X(OK)                   \
	X(PLUGIN_ERROR)         \
	X(CRASHED)              \
	X(VIOLATION)            \
	X(TIMEOUT)              \
	X(CPU_LIMIT)            \
	X(MEMORY_LIMIT)         \
	X(OUTPUT_LIMIT)         \
	X(INPUT_TOO_LARGE)      \
	X(PROTOCOL_ERROR)       \
	X(SPAWN_FAILED)         \
	X(OVERLOADED)           \
	X(CANCELLED)            \
	X(BAD_ARGS)

enum cs_status {
#define CS_ENUM(n) CS_##n,
	CS_STATUSES(CS_ENUM)
#undef CS_ENUM
};
#define CS_STATUS_COUNT (CS_BAD_ARGS + 1)

static inline const char *cs_status_name(enum cs_status s)
{
	static const char *const names[] = {
#define CS_NAME(n) #n,
		CS_STATUSES(CS_NAME)
#undef CS_NAME
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

#endif
