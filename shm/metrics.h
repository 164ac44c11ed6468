/*
 * metrics.h - atomic metric cells in the segment, and consistent snapshots
 * of them for readers.
 */
#ifndef SENSOR_SHM_METRICS_H
#define SENSOR_SHM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h" /* heartbeats and record times are monotonic_ns() */
#include "layout.h"

/* Single-writer histogram update. */
void histogram_observe(struct shm_histogram *h, double value);

struct histogram_snapshot {
	uint64_t buckets[SHM_SPIKE_BUCKETS + 1]; /* cumulative; last is +Inf == count */
	uint64_t count;
	double sum;
};

/* A new writer takes the histogram over from one that may have died
 * mid-update: an armed pending observation is completed (layout.h), and
 * a count that disagrees with the buckets without one (a stray write) is
 * set to their sum. Leaves a whole histogram as it is. */
void histogram_recover(struct shm_histogram *h);

/* Consistent copy; false when the writer kept it busy (or died mid-write). */
bool histogram_read(const struct shm_histogram *h, struct histogram_snapshot *out);

struct child_snapshot {
	enum shm_child_state state;
	int32_t pid;
	enum shm_exit_reason last_exit_reason;
	int32_t last_exit_detail;
	uint64_t restarts;
	uint64_t exits_by_reason[SHM_EXIT_REASON_COUNT];
	int64_t started_monotonic_ns;
	int64_t heartbeat_monotonic_ns;
	uint64_t rss_bytes;
	uint64_t memory_limit_bytes;
};

/* Supervisor: publish a child's state change as one record. */
void child_publish(struct shm_child *c, enum shm_child_state state, int32_t pid, enum shm_exit_reason reason,
		   int32_t detail, int64_t started_ns);
/* The last copy taken goes to *out either way; false when no copy was
 * consistent (the supervisor kept it busy or died mid-publish). */
bool child_read(const struct shm_child *c, struct child_snapshot *out);

/* Children: heartbeat with CLOCK_MONOTONIC, which all processes share. */
void child_heartbeat(struct shm_child *c);

struct channel_stats {
	double min, max, mean, p95, dominant_hz;
};
void channel_stats_publish(struct shm_channel *ch, const struct channel_stats *st);
/* A set left half-written by a dead writer reads as busy until the next
 * processing run replaces it (seqlock.h: the write heals the counter). */
bool channel_stats_read(const struct shm_channel *ch, struct channel_stats *out);

#endif
