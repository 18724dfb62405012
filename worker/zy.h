/* The zygote's own helpers beside zygote.c (zy_*.c). Runs in
 * caisson-zygote only, never in a worker. */
#ifndef CAISSON_ZY_H
#define CAISSON_ZY_H

#include <sys/types.h>

#define ZY_FD_CTL 3

/* zy_reap.c: the zygote's children (its workers) from clone3 to their
 * reaping. Every worker is a child of the zygote and nobody else's, so the
 * zygote is the one process that can reap it: it does, on every SIGCHLD
 * (reporting Z_EXITED), and before it ends, so that neither it nor any
 * worker is left for init (which in many containers never reaps). */
void zy_child_add(pid_t pid);
/* Reaps every exited child and reports each; sfd is the SIGCHLD signalfd. */
void zy_reap(int sfd);
/* The orderly end, when the supervisor closed the channel (or can no
 * longer be told anything): SIGKILL to every child, wait for all of them,
 * exit with status. */
void zy_end(int status) __attribute__((noreturn));

/* zygote.c: closes the namespaces the zygote holds (its empty root, the
 * spares, its own), so that their teardown (a mount namespace's waits for
 * an RCU grace period) overlaps the workers' deaths instead of following
 * them. Only on the way out. */
void zy_drop_namespaces(void);

#endif
