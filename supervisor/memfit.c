/*
 * memfit.c - the children's caps under the enclosing cgroup's limit (see
 * memfit.h). Computed in MiB: caps are configured in MiB, and a limit of
 * up to 2^62 bytes times a cap of up to 65536 MiB stays within 64 bits.
 */
#include "memfit.h"

#include <string.h>

#include "../common/log.h"
#include "cglimit.h"

#define MiB (UINT64_C(1) << 20)

void memfit_compute(struct memfit *m, uint64_t limit_bytes, uint64_t reserve_bytes, int worker_mb, int exporter_mb)
{
	memset(m, 0, sizeof *m);
	m->limit_bytes = limit_bytes;
	m->reserve_bytes = reserve_bytes;
	m->worker_bytes = (uint64_t)worker_mb * MiB;
	m->exporter_bytes = (uint64_t)exporter_mb * MiB;
	m->fits = true;
	if (limit_bytes == 0 ||
	    (reserve_bytes < limit_bytes && m->worker_bytes + m->exporter_bytes <= limit_bytes - reserve_bytes))
		return;

	uint64_t avail_mb = reserve_bytes < limit_bytes ? (limit_bytes - reserve_bytes) / MiB : 0;
	uint64_t w = avail_mb * (uint64_t)worker_mb / ((uint64_t)worker_mb + (uint64_t)exporter_mb);
	uint64_t e = avail_mb - w;
	if (w < MEMFIT_MIN_CAP_MB)
		w = MEMFIT_MIN_CAP_MB;
	if (e < MEMFIT_MIN_CAP_MB)
		e = MEMFIT_MIN_CAP_MB;
	/* Never raise a cap above what was configured (the other child's
	 * floor may have been taken from a cap configured below it). */
	if (w > (uint64_t)worker_mb)
		w = (uint64_t)worker_mb;
	if (e > (uint64_t)exporter_mb)
		e = (uint64_t)exporter_mb;
	m->worker_bytes = w * MiB;
	m->exporter_bytes = e * MiB;
	m->lowered = true;
	m->fits = w + e <= avail_mb;
}

void memfit_plan(struct memfit *m, const struct config *cfg, uint64_t segment_bytes)
{
	char where[512];
	uint64_t limit = cglimit_read("", where, sizeof where);
	memfit_compute(m, limit, (uint64_t)cfg->memory_reserve_mb * MiB + segment_bytes, cfg->worker_memory_mb,
		       cfg->exporter_memory_mb);
	if (limit == 0) {
		log_info("memory: no cgroup memory limit above us; child caps as configured");
		return;
	}
	unsigned long long lim_mb = (unsigned long long)(limit / MiB),
			   res_mb = (unsigned long long)(m->reserve_bytes / MiB);
	if (!m->lowered)
		log_info("memory: cgroup limit %llu MiB (%s); worker %d + exporter %d MiB + reserve %llu MiB fit",
			 lim_mb, where, cfg->worker_memory_mb, cfg->exporter_memory_mb, res_mb);
	else
		log_warn("memory: cgroup limit %llu MiB (%s) is smaller than worker %d + exporter %d MiB + reserve "
			 "%llu MiB: caps lowered to worker %llu MiB, exporter %llu MiB%s",
			 lim_mb, where, cfg->worker_memory_mb, cfg->exporter_memory_mb, res_mb,
			 (unsigned long long)(m->worker_bytes / MiB), (unsigned long long)(m->exporter_bytes / MiB),
			 m->fits ? "" : " (the smallest caps; they still do not fit: raise the limit)");
}
