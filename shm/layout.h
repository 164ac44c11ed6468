/*
 * layout.h - the shared-memory segment that the supervisor, the worker and
 * the exporter all map.
 *
 * The supervisor creates the segment before it forks; every process maps
 * the same bytes. There is exactly one writer per field (noted beside each
 * group), so no field ever needs a lock: counters and gauges are single
 * atomics, and the few multi-word records (histogram, ring slot, child
 * state) are published under a sequence counter (see seqlock.h) that a
 * reader retries a bounded number of times. A dead writer can therefore
 * never block a reader.
 *
 * Memory map:
 *   struct shm_segment            fixed size, described by its header
 *   struct shm_ring_slot[cap]     ring of readings, cap a power of two
 *   char[2][textfile.capacity]    the textfile collector's two text buffers
 *
 * The first 32 bytes (struct shm_preamble) are frozen for all versions so
 * that any future build can recognise one of our segments, read its owner
 * and decide whether it is stale.
 */
#ifndef SENSOR_SHM_LAYOUT_H
#define SENSOR_SHM_LAYOUT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lockfree.h"

#define SHM_MAGIC UINT64_C(0x314d48534e534553) /* "SESNSHM1" little endian */
#define SHM_LAYOUT_VERSION 7u

#define SHM_MAX_CHANNELS 1024u
#define SHM_CHANNEL_NAME_LEN 32u
#define SHM_CHANNEL_UNIT_LEN 16u
#define SHM_CHANNEL_LABELS_LEN 128u /* pre-rendered constant labels */
#define SHM_RING_MIN 16u
#define SHM_RING_MAX (1u << 20)

/* Histogram of CPU spike durations (seconds); upper bounds, +Inf implied. */
#define SHM_SPIKE_BUCKETS 14u
extern const double shm_spike_bounds[SHM_SPIKE_BUCKETS];
extern const char *const shm_spike_bound_labels[SHM_SPIKE_BUCKETS];

/* Children the supervisor manages. */
enum shm_child_id { SHM_CHILD_WORKER = 0, SHM_CHILD_EXPORTER = 1, SHM_CHILD_COUNT = 2 };

enum shm_child_state {
	SHM_CHILD_STOPPED = 0, /* not started yet, or stopped on shutdown */
	SHM_CHILD_RUNNING = 1,
	SHM_CHILD_BACKOFF = 2, /* died, waiting before the next start */
	SHM_CHILD_UNKNOWN = 3, /* readers only: a value out of range in the segment */
};

/* Why a child last ended; a bounded set so it can be a label. */
enum shm_exit_reason {
	SHM_EXIT_NONE = 0,
	SHM_EXIT_CODE = 1,   /* exited with a status (detail = status) */
	SHM_EXIT_SIGNAL = 2, /* killed by a signal (detail = signo) */
	SHM_EXIT_HANG = 3,   /* heartbeat went stale; the supervisor killed it */
	SHM_EXIT_REASON_COUNT = 4,
};

/* HTTP request counters: a block the exporter lays out as its routes x
 * its status codes (exporter/requests.c, which asserts that they fit);
 * the segment decides only its size. */
#define SHM_HTTP_COUNTERS 64u

/* Where a channel's readings come from; BUILTIN is the `channels=N` set. */
enum shm_source {
	SHM_SOURCE_BUILTIN = 0,
	SHM_SOURCE_SIMULATED,
	SHM_SOURCE_HWMON,
	SHM_SOURCE_THERMAL,
	SHM_SOURCE_IIO,
	SHM_SOURCE_FILE,
	SHM_SOURCE_PUSH,
	SHM_SOURCE_COUNT
};

/* Why a sensor read failed; a bounded set so it can be a label. */
enum shm_read_error {
	SHM_READ_MISSING,    /* device or file gone (ENOENT, ENODEV, ...) */
	SHM_READ_PERMISSION, /* EACCES, EPERM */
	SHM_READ_PARSE,      /* not one finite number */
	SHM_READ_IO,         /* any other error */
	SHM_READ_TIMEOUT,    /* no answer within read-timeout-ms */
	SHM_READ_ERROR_COUNT
};

/* The kernel's own limits of an hwmon sensor (<stem>_min, ...). */
enum shm_limit { SHM_LIMIT_MIN, SHM_LIMIT_MAX, SHM_LIMIT_LCRIT, SHM_LIMIT_CRIT, SHM_LIMIT_EMERGENCY, SHM_LIMIT_COUNT };

/* Its alarm flags: <stem>_alarm, <stem>_<limit>_alarm, <stem>_fault. */
enum shm_alarm {
	SHM_ALARM_ANY,
	SHM_ALARM_MIN,
	SHM_ALARM_MAX,
	SHM_ALARM_LCRIT,
	SHM_ALARM_CRIT,
	SHM_ALARM_EMERGENCY,
	SHM_ALARM_FAULT,
	SHM_ALARM_COUNT
};

/* A thermal zone's trip points (trip_point_N_temp, _type). */
#define SHM_TRIP_MAX 8u
enum shm_trip_type {
	SHM_TRIP_NONE,
	SHM_TRIP_ACTIVE,
	SHM_TRIP_PASSIVE,
	SHM_TRIP_HOT,
	SHM_TRIP_CRITICAL,
	SHM_TRIP_TYPE_COUNT
};

/* Thresholds of our own, and the state they put a channel in. */
enum shm_threshold { SHM_WARN_ABOVE, SHM_CRIT_ABOVE, SHM_WARN_BELOW, SHM_CRIT_BELOW, SHM_THRESHOLD_COUNT };
enum shm_state { SHM_STATE_OK, SHM_STATE_WARNING, SHM_STATE_CRITICAL };

/* What became of each line sent to the push input. */
enum shm_push_result {
	SHM_PUSH_ACCEPTED,
	SHM_PUSH_MALFORMED,
	SHM_PUSH_UNKNOWN_CHANNEL,
	SHM_PUSH_OVER_RATE,
	SHM_PUSH_BAD_TIMESTAMP, /* older than push-max-age-s or beyond push-max-skew-ms ahead */
	SHM_PUSH_RESULT_COUNT
};

/* Frozen across versions: never reorder or resize. */
struct shm_preamble {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size; /* sizeof(struct shm_segment) of the writer */
	uint64_t total_size;  /* bytes of the whole segment */
	int32_t owner_pid;    /* supervisor that created it */
	uint32_t reserved;
};

/* Written once by the supervisor before forking; read-only afterwards, and
 * read by no process but the supervisor (to repair it): each reads its own
 * copy (view.h). */
struct shm_header {
	struct shm_preamble pre;
	int64_t created_realtime_ns;
	int64_t created_monotonic_ns;
	uint32_t ring_capacity; /* power of two */
	uint32_t channel_count;
	uint64_t ring_offset; /* from the start of the segment: always SHM_RING_OFFSET */
	uint32_t heartbeat_timeout_ms;
	uint32_t copy_max_age_ms; /* the exporter serves a last good copy this long */
};

/*
 * A multi-word record published under a sequence counter. Each write
 * disarms the pending cells, records in them the absolute values it is
 * about to store, arms them, then stores them: a writer killed at any
 * instruction leaves either the old record untouched (not armed) or an
 * armed write that its successor completes (histogram_recover), so count,
 * buckets and sum always agree, whatever a stray store did to seq.
 */
struct shm_histogram {
	_Atomic uint32_t seq;
	_Atomic uint32_t pending_armed;                  /* 1: pending_* hold the last write, whole */
	_Atomic uint64_t buckets[SHM_SPIKE_BUCKETS + 1]; /* non-cumulative; last is +Inf */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_bits; /* double */
	_Atomic uint32_t pending_bucket;
	_Atomic uint32_t reserved;
	_Atomic uint64_t pending_bucket_value, pending_count, pending_sum_bits;
};

/* Per-child record; the supervisor is its only writer. */
struct shm_child {
	_Atomic uint32_t seq;
	_Atomic uint32_t state; /* enum shm_child_state */
	_Atomic int32_t pid;
	_Atomic uint32_t last_exit_reason; /* enum shm_exit_reason */
	_Atomic int32_t last_exit_detail;
	_Atomic uint32_t reserved;
	_Atomic uint64_t restarts;
	_Atomic uint64_t exits_by_reason[SHM_EXIT_REASON_COUNT];
	_Atomic int64_t started_monotonic_ns;
	_Atomic int64_t heartbeat_monotonic_ns; /* written by the child itself */
	_Atomic uint64_t rss_bytes;             /* sampled by the supervisor */
	_Atomic uint64_t memory_limit_bytes;
};

/* Static description written by the supervisor (and read from each
 * process's copy, view.h), last value by the worker. */
struct shm_channel {
	char name[SHM_CHANNEL_NAME_LEN];
	char unit[SHM_CHANNEL_UNIT_LEN];
	_Atomic uint64_t last_value_bits; /* double */
	_Atomic uint64_t readings;
	/* Window statistics from the last processing run, under seq. */
	_Atomic uint32_t stats_seq;
	/* Late slots only (view.h): the worker describes one (name, unit,
	 * source, interval, spectrum) under this sequence. */
	_Atomic uint32_t desc_seq;
	_Atomic uint64_t stat_min_bits, stat_max_bits, stat_mean_bits, stat_p95_bits;
	_Atomic uint64_t stat_dominant_hz_bits; /* vibration channels; 0 otherwise */
	/* Static, supervisor-written (zero for the built-in simulated set). */
	char labels[SHM_CHANNEL_LABELS_LEN]; /* e.g. room="lab",rack="3" (escaped) */
	uint32_t source;                     /* enum shm_source */
	uint32_t interval_ms;                /* sampling period; 0: sample-interval-ms */
	uint32_t spectrum;                   /* 1: processing computes the dominant frequency */
	uint32_t reserved2;
	/* Worker-written: failed reads by reason. */
	_Atomic uint64_t read_errors[SHM_READ_ERROR_COUNT];
	/* Worker-written: seconds the last read took (double), or has been
	 * out for while it does not return; 0 before the first. */
	_Atomic uint64_t read_duration_bits;
	/* Worker-written, hwmon and thermal channels: the kernel's limits in
	 * the channel's unit (double; NaN where the chip has none), the alarm
	 * files present and those set (bits of enum shm_alarm), and the trip
	 * points (type SHM_TRIP_NONE: absent). */
	_Atomic uint64_t limit_bits[SHM_LIMIT_COUNT];
	_Atomic uint32_t alarms_present, alarms_set;
	_Atomic uint64_t trip_bits[SHM_TRIP_MAX];
	_Atomic uint32_t trip_type[SHM_TRIP_MAX];
	/* Thresholds of our own in the channel's unit (double; NaN: none),
	 * written with the description; the state they give the last value
	 * (enum shm_state), worker-written. */
	_Atomic uint64_t threshold_bits[SHM_THRESHOLD_COUNT];
	_Atomic uint32_t has_thresholds, state;
};

/* Push input: `enabled` written by the supervisor before forking, the
 * counters by the worker, which owns the socket. */
struct shm_push_metrics {
	uint32_t enabled;
	uint32_t reserved;
	_Atomic uint64_t messages[SHM_PUSH_RESULT_COUNT];
};

/* Supervisor-written. */
struct shm_supervisor {
	_Atomic int32_t pid;
	_Atomic uint32_t reserved;
	_Atomic uint64_t rss_bytes;
	_Atomic uint64_t cgroup_memory_limit_bytes; /* enclosing cgroup's limit, 0: none */
	_Atomic uint64_t shm_repairs;               /* structural fields rewritten from its copy */
};

/* Worker-written counters and gauges. */
struct shm_worker_metrics {
	_Atomic uint64_t loop_iterations;
	_Atomic uint64_t readings;
	_Atomic uint64_t readings_dropped;
	_Atomic uint64_t processing_runs;
	struct shm_histogram cpu_spike;
	/* the pool of reader threads (worker/pool.h), at the last tick */
	_Atomic uint64_t reader_threads;
	_Atomic uint64_t reader_threads_busy;
	_Atomic uint64_t reader_threads_held; /* busy longer than tick-budget-ms */
	_Atomic uint64_t reader_reads_waiting;
	_Atomic uint64_t reader_thread_start_failures;
};

/* Exporter-written counters, read back by the exporter (they survive its
 * restarts); which slot counts what is the exporter's (requests.h). */
struct shm_exporter_metrics {
	_Atomic uint64_t requests[SHM_HTTP_COUNTERS];
};

/*
 * Ring control. The worker is the only producer and the only consumer
 * (its processing step); the exporter only peeks. head counts readings
 * ever written, tail counts readings ever consumed or dropped.
 */
struct shm_ring_ctl {
	_Atomic uint64_t head;
	_Atomic uint64_t tail;
};

/*
 * One reading. seq is 2*(index+1) once reading number `index` is complete,
 * odd while it is being written: a reader that finds any other value knows
 * the slot was overwritten or is torn, and skips it.
 */
struct shm_ring_slot {
	_Atomic uint64_t seq;
	_Atomic int64_t timestamp_ns; /* CLOCK_REALTIME */
	_Atomic uint64_t value_bits;  /* double */
	_Atomic uint32_t channel;
	uint32_t reserved;
};

/*
 * The host's vital signs (worker/host.h): series of node_exporter's
 * families, sampled by the worker every host-interval-ms and published
 * whole under seq. Each series names its family (common/hostfamily.h) and
 * carries its label text pre-built and escaped by the worker (or, for a
 * family whose members are named by the host, such as meminfo's fields,
 * the member's name): the exporter only copies it, after checking it, and
 * formats the number. Worker-written; readers bound count and check every
 * family and text (exporter/render_host.c).
 */
#define SHM_HOST_SERIES_MAX 1024u
#define SHM_HOST_TEXT_LEN 180u
#define SHM_HOST_INT 1u /* value_bits is a uint64, not a double */
/* what the host collectors leave out: entities past their host-*-max
 * setting, and lines of a /proc text past HOST_TEXT_MAX (worker/host.h) */
enum shm_host_bound {
	SHM_HOST_CPUS,
	SHM_HOST_FILESYSTEMS,
	SHM_HOST_NETDEVS,
	SHM_HOST_DISKS,
	SHM_HOST_LINES,
	SHM_HOST_BOUND_COUNT
};

struct shm_host_series {
	_Atomic uint64_t value_bits;
	_Atomic uint32_t meta; /* family | flags << 16 | text length << 24 */
	char text[SHM_HOST_TEXT_LEN];
};

struct shm_host {
	_Atomic uint32_t seq;
	_Atomic uint32_t count; /* series published, under seq */
	_Atomic int64_t sampled_monotonic_ns;
	/* outside seq: entities past a bound at the last sample, and series
	 * past SHM_HOST_SERIES_MAX */
	_Atomic uint64_t left_out[SHM_HOST_BOUND_COUNT];
	_Atomic uint64_t series_left_out;
	struct shm_host_series series[SHM_HOST_SERIES_MAX];
};

/*
 * The textfile collector's text (worker/textfile.h), as the exporter
 * serves it: two buffers of `capacity` bytes after the ring
 * (shm_textfile_region), capacity written by the supervisor before
 * forking (0: the collector is off) and taken by readers from their copy
 * (view.h). The worker writes the buffer `active` does not name, under
 * that buffer's seq, then names it in `active`: a worker killed
 * mid-write leaves the published buffer whole. Readers bound len by
 * their copy of the capacity and check the text itself before serving it.
 */
#define SHM_TEXTFILE_MAX_BYTES (64u << 20)
struct shm_textfile_buf {
	_Atomic uint32_t seq;
	_Atomic uint32_t reserved;
	_Atomic uint64_t len;
	_Atomic uint64_t generation; /* the writer's monotonic ns at publication: never 0, never repeated */
};

struct shm_textfile {
	uint64_t capacity;       /* bytes of each buffer, a multiple of 8 */
	_Atomic uint32_t active; /* the buffer published last (0 or 1) */
	_Atomic uint32_t reserved;
	struct shm_textfile_buf buf[2];
};

/*
 * node_exporter's hwmon and thermal_zone series (worker/nodehw.h), beside
 * the channels: the worker finds them at its start, describes them here
 * under seq (odd while it writes), then stores their values. capacity and
 * entry_size are the geometry readers check; count is bounded by it. All
 * of it is worker-written, so readers validate every string.
 */
#define SHM_NODE_HW_MAX 1024u
#define SHM_NODE_HW_TEXT_LEN 64u
enum shm_node_hw_kind {
	SHM_NODE_HW_SENSOR,       /* {chip, sensor}: a reading */
	SHM_NODE_HW_SENSOR_LABEL, /* {chip, sensor, label} 1 */
	SHM_NODE_HW_CHIP_NAME,    /* {chip, chip_name} 1 */
	SHM_NODE_HW_ZONE,         /* {zone, type}: a thermal zone's temperature */
	SHM_NODE_HW_KIND_COUNT
};
struct shm_node_hw_series {
	char family[SHM_NODE_HW_TEXT_LEN];
	char key[SHM_NODE_HW_TEXT_LEN];   /* chip, or zone */
	char name[SHM_NODE_HW_TEXT_LEN];  /* sensor, chip_name, or type */
	char label[SHM_NODE_HW_TEXT_LEN]; /* a sensor's label text */
	uint32_t kind;                    /* enum shm_node_hw_kind */
	uint32_t counter;                 /* 1: a counter, 0: a gauge */
	_Atomic uint32_t present;         /* 1: value holds the last good read */
	_Atomic uint32_t reserved;
	_Atomic uint64_t value_bits; /* double */
};
struct shm_node_hw {
	_Atomic uint32_t seq;
	_Atomic uint32_t count;
	_Atomic uint32_t capacity;   /* SHM_NODE_HW_MAX */
	_Atomic uint32_t entry_size; /* sizeof(struct shm_node_hw_series) */
	struct shm_node_hw_series series[SHM_NODE_HW_MAX];
};

struct shm_segment {
	struct shm_header hdr;
	struct shm_supervisor supervisor;
	struct shm_child children[SHM_CHILD_COUNT];
	struct shm_worker_metrics worker;
	struct shm_exporter_metrics exporter;
	struct shm_ring_ctl ring;
	struct shm_channel channels[SHM_MAX_CHANNELS];
	struct shm_push_metrics push;
	/* Worker-written: sensors a rescan found after the start take the
	 * slots from hdr.channel_count on (described by the worker before it
	 * publishes them here); 0 until the first. Readers bound it and
	 * validate those slots through shm_view_chan() (view.h). */
	_Atomic uint32_t live_channels;
	uint32_t reserved_live;
	struct shm_host host;
	struct shm_textfile textfile;
	struct shm_node_hw node_hw;
};

/* The ring starts at the first 64-byte boundary after the fixed part: a
 * constant of the layout, so no reader takes it from the segment. */
#define SHM_RING_OFFSET ((sizeof(struct shm_segment) + 63u) & ~(size_t)63u)

static inline struct shm_ring_slot *shm_ring_slots(struct shm_segment *seg)
{
	return (struct shm_ring_slot *)((char *)seg + SHM_RING_OFFSET);
}

static inline const struct shm_ring_slot *shm_ring_slots_const(const struct shm_segment *seg)
{
	return (const struct shm_ring_slot *)((const char *)seg + SHM_RING_OFFSET);
}

/* Bytes needed for a segment with a ring of `ring_capacity` slots. */
size_t shm_segment_size(uint32_t ring_capacity);

/* With the textfile collector's two buffers of `textfile_capacity` bytes
 * after the ring (they start at shm_segment_size(ring_capacity)). */
size_t shm_segment_total_size(uint32_t ring_capacity, uint64_t textfile_capacity);

/* Label text for enums (stable: they end up in metric labels). */
const char *shm_child_name(enum shm_child_id id);
const char *shm_exit_reason_label(enum shm_exit_reason r);
const char *shm_source_label(enum shm_source s);
const char *shm_read_error_label(enum shm_read_error e);
const char *shm_push_result_label(enum shm_push_result r);
const char *shm_limit_label(enum shm_limit l);
const char *shm_alarm_label(enum shm_alarm a);
const char *shm_trip_type_label(enum shm_trip_type t);
const char *shm_threshold_label(enum shm_threshold t);
const char *shm_host_bound_label(enum shm_host_bound b);

#endif
