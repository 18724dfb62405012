/* The broker's bulk regions (see pool_int.h): a worker's two sealed
 * memfds for large requests and answers (and a fuzz worker's coverage
 * region), made ahead of its spawn, mapped here, and the copies through
 * them. Runs in the supervisor, on the pool's event_base. */
#include "pool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Moving a request or an answer through the regions: through our
 * mappings, except where the memfds were kept (pw_regions_mapped: a pool
 * of one request per worker), with pwrite/pread: a worker's only request
 * would otherwise fault in every page of our mapping it uses for the
 * first time (11-14 us each on a VM, even after MADV_POPULATE_*), which
 * never pays back. -1 with errno, EIO for an unexpected end. */
int pw_region_io(int fd, uint8_t *map, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	size_t done = 0;

	if (fd < 0) {
		memcpy(write ? map : b, write ? b : map, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = write ? pwrite(fd, b + done, len - done, (off_t)done)
				  : pread(fd, b + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* One sealed memfd of the given size, mapped here with prot (never
 * touched until a request needs it). */
static void *pw_region(const char *name, size_t size, int prot, int *fd)
{
	void *map;

	*fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*fd < 0)
		return NULL;
	map = ftruncate(*fd, (off_t)size) == 0 ? mmap(NULL, size, prot, MAP_SHARED, *fd, 0) : MAP_FAILED;
	if (map != MAP_FAILED && fcntl(*fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
		/* Not into children of an embedding process that forks. */
		madvise(map, size, MADV_DONTFORK);
		return map;
	}
	if (map != MAP_FAILED)
		munmap(map, size);
	close(*fd);
	*fd = -1;
	return NULL;
}

/* The bulk regions of a worker, made when its spawn is asked for and sent
 * with it (Z_SPAWN_SHM): the child inherits them from the zygote and maps
 * them during its trusted lockdown, so it loads the plugin as soon as it
 * is locked, with no round trip to us first, and no plugin code ever sees
 * the descriptors. Large requests are written into the input region and
 * large answers read from the output region, so no request costs a memfd,
 * a descriptor pass or a fresh page. Both are
 * sealed against shrinking (a truncated mapping would fault the
 * supervisor) and growing. The worker gets the input region through a
 * read-only open of it: it cannot map it writable, mprotect it writable,
 * write it or add seals (F_SEAL_FUTURE_WRITE would do the same to the
 * worker but also refuse our own pwrite). The child maps both and closes
 * the descriptors before its first lockdown step. */
void pw_regions_new(struct pool *p, struct pregions *rg)
{
	char path[64];

	*rg = PREGIONS_NONE;
	rg->in = pw_region("caisson-in", p->shm_in_size, PROT_READ | PROT_WRITE, &rg->in_fd);
	rg->out = rg->in ? pw_region("caisson-out", p->shm_out_size, PROT_READ, &rg->out_fd) : NULL;
	/* A fuzz target's worker writes its coverage region; we only read it. */
	if (rg->out && p->shm_cov_size)
		rg->cov = pw_region("caisson-cov", p->shm_cov_size, PROT_READ, &rg->cov_fd);
	if (rg->out && (rg->cov || !p->shm_cov_size)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", rg->in_fd);
		rg->in_ro = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (rg->in_ro < 0)
		pw_regions_free(p, rg);
}

void pw_regions_free(const struct pool *p, struct pregions *rg)
{
	int saved = errno;

	for (int *fd = (int[]){ rg->in_fd, rg->out_fd, rg->cov_fd, rg->in_ro, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	if (rg->in)
		munmap(rg->in, p->shm_in_size);
	if (rg->out)
		munmap((void *)rg->out, p->shm_out_size);
	if (rg->cov)
		munmap((void *)rg->cov, p->shm_cov_size);
	*rg = PREGIONS_NONE;
	errno = saved;
}

/* Once the zygote has the spawn (with its own copies of the descriptors),
 * the supervisor keeps only the mappings: the memfds' pages stay alive
 * while mapped, and each closed descriptor is one fewer per worker
 * (hostlim.h: HL_FDS_PER_WORKER). Except in a pool of one request per
 * worker, whose workers keep the input and output memfds for that request
 * (pw_region_io): two more each. */
void pw_regions_mapped(const struct pool *p, struct pregions *rg)
{
	bool keep = p->sz.requests_per_worker == 1;

	for (int *fd = (int[]){ keep ? -1 : rg->in_fd, keep ? -1 : rg->out_fd, rg->cov_fd, rg->in_ro, -2 };
	     *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	if (!keep)
		rg->in_fd = rg->out_fd = -1;
	rg->cov_fd = rg->in_ro = -1;
}

/* Takes the pair made ahead (see pool_spawn), else makes one. */
int pw_make_regions(struct pworker *w)
{
	struct pool *p = w->p;

	if (!p->shm_in_size)
		return 0;
	if (p->spare.in) {
		w->rg = p->spare;
		p->spare = PREGIONS_NONE;
	} else {
		pw_regions_new(p, &w->rg);
	}
	return w->rg.in ? 0 : -1;
}
