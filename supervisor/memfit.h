/*
 * memfit.h - fit the children's memory caps into the limit of the cgroup
 * the service runs in. When supervisor + worker cap + exporter cap would
 * not fit (a container smaller than the default caps), the caps are
 * lowered, so that a leak ends at the leaking child's own cap rather than
 * in the kernel's OOM killer choosing a victim for the whole group.
 */
#ifndef SENSOR_SUPERVISOR_MEMFIT_H
#define SENSOR_SUPERVISOR_MEMFIT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/config.h"

/* The smallest cap memfit gives a child (the option table's minimum). */
#define MEMFIT_MIN_CAP_MB 4

struct memfit {
	uint64_t limit_bytes;                  /* enclosing limit, 0: none found */
	uint64_t reserve_bytes;                /* kept for the supervisor, the segment, helpers */
	uint64_t worker_bytes, exporter_bytes; /* caps in force */
	bool lowered;                          /* the caps are smaller than configured */
	bool fits;                             /* false: even the minimum caps exceed the limit */
};

/* The arithmetic alone: configured caps `worker_mb` and `exporter_mb`
 * under `limit_bytes` (0: none) with `reserve_bytes` kept aside. Lowered
 * caps share what is left in the proportion of the configured ones, in
 * whole MiB, at least MEMFIT_MIN_CAP_MB each. */
void memfit_compute(struct memfit *m, uint64_t limit_bytes, uint64_t reserve_bytes, int worker_mb, int exporter_mb);

/* At start: read the enclosing limit (cglimit.h), compute the caps for
 * `cfg` with the segment of `segment_bytes` counted in the reserve, and
 * log what was chosen, once. */
void memfit_plan(struct memfit *m, const struct config *cfg, uint64_t segment_bytes);

#endif
