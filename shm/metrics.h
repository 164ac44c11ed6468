/*
 * metrics.h - atomic metric cells in the segment, and consistent snapshots
 * of them for readers.
 */
#ifndef SENSOR_SHM_METRICS_H
#define SENSOR_SHM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

/* Single-writer histogram update. */
void histogram_observe(struct shm_histogram *h, double value);

struct histogram_snapshot {
	uint64_t buckets[SHM_SPIKE_BUCKETS + 1]; /* cumulative; last is +Inf == count */
	uint64_t count;
	double sum;
};

/* A new writer takes the histogram over from one that may have died
 * mid-update: the sequence even again, the count equal to the buckets'
 * sum (a death between the two increments leaves them one apart, and
 * readers reject such a copy). */
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
void child_read(const struct shm_child *c, struct child_snapshot *out);

/* Children: heartbeat with CLOCK_MONOTONIC, which all processes share. */
void child_heartbeat(struct shm_child *c);

struct channel_stats {
	double min, max, mean, p95, dominant_hz;
};
void channel_stats_publish(struct shm_channel *ch, const struct channel_stats *st);
bool channel_stats_read(const struct shm_channel *ch, struct channel_stats *out);
/* A new writer takes a channel's statistics over (see histogram_recover);
 * a set left half-written mixes two consecutive windows until the next
 * processing run replaces it. */
void channel_stats_recover(struct shm_channel *ch);

int64_t monotonic_ns(void);
int64_t realtime_ns(void);

#endif
