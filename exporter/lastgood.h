/*
 * lastgood.h - the exporter's last good copy of each record it reads
 * under a sequence counter (the CPU-spike histogram, each channel's window
 * statistics, each child's record).
 *
 * A read can fail: the writer is inside its write section (preempted
 * there, at SCHED_IDLE on a busy board), or died in it and its successor
 * has not written yet. Rather than drop the series from that scrape, or
 * show a torn copy, the exporter serves the last copy that read whole,
 * while it is younger than the segment's copy_max_age_ms (the setting
 * shm-copy-max-age-ms), and drops it only past that. The age of the oldest
 * copy served is a gauge (sensor_shm_copy_age_seconds).
 *
 * One exporter, one thread: the copies are this process's, kept for one
 * segment at a time (a request for another one starts afresh).
 */
#ifndef SENSOR_EXPORTER_LASTGOOD_H
#define SENSOR_EXPORTER_LASTGOOD_H

#include <stdbool.h>
#include <stdint.h>

#include "../shm/metrics.h"

enum lastgood_record { LASTGOOD_HISTOGRAM, LASTGOOD_WINDOW, LASTGOOD_CHILD, LASTGOOD_RECORD_COUNT };

/* Label text of each kind of record (sensor_shm_copy_age_seconds). */
const char *lastgood_record_label(enum lastgood_record r);

/* Start of a render at `now_mono_ns`: the ages served are counted anew. */
void lastgood_begin(const struct shm_segment *seg, int64_t now_mono_ns);

/* A whole copy read now, or the last good one while fresh: true and *out;
 * false when neither is there (the series is dropped). */
bool lastgood_histogram(const struct shm_segment *seg, struct histogram_snapshot *out);
bool lastgood_stats(const struct shm_segment *seg, uint32_t channel, struct channel_stats *out);
/* A child's record: false leaves *out the last copy read, which the
 * caller may use only for its single-word cells (heartbeat, counters). */
bool lastgood_child(const struct shm_segment *seg, unsigned child, struct child_snapshot *out);

/* Seconds the oldest copy of kind r served since lastgood_begin had
 * aged (0 when every read was whole). */
double lastgood_served_age_s(enum lastgood_record r);

#endif
