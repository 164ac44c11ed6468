/*
 * layout.c - sizes and the stable label text of the segment's enums.
 */
#include "layout.h"

const double shm_spike_bounds[SHM_SPIKE_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

const char *const shm_spike_bound_labels[SHM_SPIKE_BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
};

size_t shm_segment_size(uint32_t ring_capacity)
{
	return SHM_RING_OFFSET + (size_t)ring_capacity * sizeof(struct shm_ring_slot);
}

size_t shm_segment_total_size(uint32_t ring_capacity, uint64_t textfile_capacity)
{
	return shm_segment_size(ring_capacity) + 2u * (size_t)textfile_capacity;
}

const char *shm_child_name(enum shm_child_id id)
{
	switch (id) {
	case SHM_CHILD_WORKER: return "worker";
	case SHM_CHILD_EXPORTER: return "exporter";
	default: return "unknown";
	}
}

const char *shm_exit_reason_label(enum shm_exit_reason r)
{
	static const char *const labels[SHM_EXIT_REASON_COUNT] = { "none", "exit", "signal", "hang" };
	return (unsigned)r < SHM_EXIT_REASON_COUNT ? labels[r] : "none";
}

const char *shm_source_label(enum shm_source s)
{
	static const char *const labels[SHM_SOURCE_COUNT] = {
		"simulated", "simulated", "hwmon", "thermal", "iio", "file", "push",
	};
	return (unsigned)s < SHM_SOURCE_COUNT ? labels[s] : "unknown";
}

const char *shm_read_error_label(enum shm_read_error e)
{
	static const char *const labels[SHM_READ_ERROR_COUNT] = { "missing", "permission", "parse", "io", "timeout" };
	return (unsigned)e < SHM_READ_ERROR_COUNT ? labels[e] : "io";
}

const char *shm_push_result_label(enum shm_push_result r)
{
	static const char *const labels[SHM_PUSH_RESULT_COUNT] = {
		"accepted", "malformed", "unknown_channel", "over_rate", "bad_timestamp",
	};
	return (unsigned)r < SHM_PUSH_RESULT_COUNT ? labels[r] : "malformed";
}

const char *shm_limit_label(enum shm_limit l)
{
	static const char *const labels[SHM_LIMIT_COUNT] = { "min", "max", "lcrit", "crit", "emergency" };
	return (unsigned)l < SHM_LIMIT_COUNT ? labels[l] : "max";
}

const char *shm_alarm_label(enum shm_alarm a)
{
	static const char *const labels[SHM_ALARM_COUNT] = { "alarm", "min",       "max",  "lcrit",
							     "crit",  "emergency", "fault" };
	return (unsigned)a < SHM_ALARM_COUNT ? labels[a] : "alarm";
}

const char *shm_trip_type_label(enum shm_trip_type t)
{
	static const char *const labels[SHM_TRIP_TYPE_COUNT] = { "none", "active", "passive", "hot", "critical" };
	return (unsigned)t < SHM_TRIP_TYPE_COUNT ? labels[t] : "none";
}

const char *shm_threshold_label(enum shm_threshold t)
{
	static const char *const labels[SHM_THRESHOLD_COUNT] = { "warn_above", "crit_above", "warn_below",
								 "crit_below" };
	return (unsigned)t < SHM_THRESHOLD_COUNT ? labels[t] : "warn_above";
}

const char *shm_host_bound_label(enum shm_host_bound b)
{
	static const char *const labels[SHM_HOST_BOUND_COUNT] = { "cpus", "filesystems", "netdevs", "disks", "lines" };
	return (unsigned)b < SHM_HOST_BOUND_COUNT ? labels[b] : "cpus";
}
