/*
 * ring.h - the bounded ring of sensor readings in the segment.
 *
 * The worker's sampling thread pushes readings and its processing thread
 * consumes them, concurrently; when readings arrive faster than they are
 * consumed, the oldest
 * unconsumed one is overwritten and counted as dropped. Other processes
 * only peek at the most recent readings, without locks. The capacity is
 * the process's own copy (view.h), never the live header's.
 */
#ifndef SENSOR_SHM_RING_H
#define SENSOR_SHM_RING_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct reading {
	uint64_t index;       /* position in the stream of all readings */
	int64_t timestamp_ns; /* CLOCK_REALTIME */
	double value;
	uint32_t channel;
};

/* Worker: append one reading (overwrites the oldest when full). */
void ring_push(struct shm_segment *seg, uint32_t channel, int64_t timestamp_ns, double value);

/* Worker: mark every pending reading consumed; returns how many were. */
uint64_t ring_consume_all(struct shm_segment *seg);

/* Readings written but not yet consumed (0..capacity). */
uint64_t ring_depth(const struct shm_segment *seg);

/*
 * Any process: copy up to `max` of the most recent complete readings into
 * `out`, oldest first. Slots being overwritten are skipped, never waited
 * for, so the result may hold fewer than `max`. Returns the count.
 */
size_t ring_peek_recent(const struct shm_segment *seg, struct reading *out, size_t max);

#endif
