/* Which layer contained a probe: the name a report gives each contained
 * probe ("contained by"), from how its request ended and, for a refusal,
 * the errno the worker's answer names and the probe's category. Pure;
 * runs in the supervisor. The errno is the worker's word, like the rest of
 * its answer (verify_probes.c bounds and parses it); a VIOLATION or a
 * limit is the supervisor's own observation. */
#include <string.h>

#include "verify_int.h"

/* A refusal's errno (and, where it says something, the category) to the
 * layer whose refusal it is, first match wins. cat NULL: any category. */
static const struct {
	const char *err, *cat, *layer;
} vf_layer_rules[] = {
	{ "ENOSPC", "namespaces", "userns-limit" }, /* max_user_namespaces 0 */
	{ "EROFS", "data", "ro-mount" },     /* a data mount is read-only */
	{ "EACCES", "data", "file-mode" },          /* the host file's own mode (landlock: see vf_layer) */
	{ "ENOENT", "data", "empty-root" },         /* no data declared: nothing there */
	{ "none", "data", "empty-root" },           /* only the declared paths in the directory */
	{ "ENOSPC", "scratch", "scratch-cap" },     /* the scratch tmpfs is full at its size */
	{ "EACCES", "scratch", "noexec-mount" },    /* execve on a noexec mount */
	{ "EPERM", "scratch", "noexec-mount" },     /* mmap(PROT_EXEC) of a file on a noexec mount */
	{ "ENOSYS", "namespaces", "seccomp" },      /* clone3 under clone(threads): the filter's ENOSYS */
	{ "ESRCH", NULL, "namespace" },             /* another pid namespace */
	{ "ECONNREFUSED", NULL, "namespace" },      /* nothing listens in our network namespace */
	{ "ENETUNREACH", NULL, "namespace" },
	{ "EADDRNOTAVAIL", NULL, "namespace" },
	{ "ENOENT", "network", "namespace" },       /* the abstract name is another namespace's */
	{ "ENOENT", NULL, "empty-root" },           /* nothing in the root */
	{ "EROFS", NULL, "empty-root" },            /* the root is read-only */
	{ "EACCES", "keyrings", "keyring" },        /* the private session keyring: not the user's */
	{ "ENOKEY", "keyrings", "keyring" },
	{ "EACCES", "files", "empty-root" },        /* the root's own mode (landlock: see vf_layer) */
	{ "EACCES", "writes", "empty-root" },
	{ "EMFILE", NULL, "rlimit" },
	{ "EAGAIN", "bombs", "rlimit" },            /* RLIMIT_NPROC */
	{ "ENOMEM", NULL, "rlimit" },
	{ "EPERM", NULL, "capabilities" },          /* none left, in any namespace */
	{ "EACCES", NULL, "capabilities" },
	{ "EINVAL", "ptrace", "capabilities" },
	{ "EINVAL", "namespaces", "lockdown" },     /* setns: the fixed fd map holds no namespace */
	{ "none", "leaks", "lockdown" },            /* empty environment, fixed fd map */
};

static const char *vf_layer_refusal(const char *category, const char *how, bool landlock)
{
	char err[24];
	size_t n;

	if (strncmp(how, "blocked: ", 9))
		return "";
	how += 9;
	n = strspn(how, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789none");
	if (n == 0 || n >= sizeof(err))
		return "";
	memcpy(err, how, n);
	err[n] = '\0';
	/* Landlock refuses a path access or a TCP connect with EACCES, where
	 * nothing else in a worker would: the root is world-readable, and
	 * nothing but Landlock checks a connect in an empty namespace. */
	if (landlock && !strcmp(err, "EACCES") &&
	    (!strcmp(category, "files") || !strcmp(category, "writes") || !strcmp(category, "exec") ||
	     !strcmp(category, "network") || !strcmp(category, "data")))
		return "landlock";
	for (size_t i = 0; i < sizeof(vf_layer_rules) / sizeof(vf_layer_rules[0]); i++)
		if (!strcmp(vf_layer_rules[i].err, err) &&
		    (!vf_layer_rules[i].cat || !strcmp(vf_layer_rules[i].cat, category)))
			return vf_layer_rules[i].layer;
	return "kernel"; /* refused for the kernel's own reasons (e.g. a family it lacks) */
}

const char *vf_layer(const struct vf_probe *p, int status, bool landlock)
{
	if (p->verdict != VF_CONTAINED)
		return "";
	switch (status) {
	case CS_VIOLATION:
		return "seccomp";
	case CS_CPU_LIMIT:
		return "rlimit";
	case CS_MEMORY_LIMIT:
		return "memory-limit";
	case CS_OUTPUT_LIMIT:
	case CS_TIMEOUT:
	case CS_PROTOCOL_ERROR:
		return "supervisor";
	case CS_OK:
		return vf_layer_refusal(p->category, p->how, landlock);
	default:
		return "";
	}
}
