/*
 * source.h - where a channel's readings come from.
 *
 * Each source kind (simulated, hwmon, thermal, iio, file) is a small table
 * of two functions in its own file: `resolve` finds the files to read (by
 * chip name and label, zone type or device name, never by the unstable
 * hwmonN index) and `read` takes one raw reading. source_read() glues
 * them: it resolves on first use and again after the device went missing,
 * turns the raw value into the natural unit (millidegrees to degrees...)
 * and applies the channel's scale and offset. Push channels are not
 * polled: their readings arrive through worker/source_push.h.
 */
#ifndef SENSOR_WORKER_SOURCE_H
#define SENSOR_WORKER_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/channels.h"
#include "../shm/layout.h"
#include "sysfs.h"

struct source;

struct source_ops {
	const char *name;
	/* Find what to read; -1 with s->why and s->detail set. May be NULL. */
	int (*resolve)(struct source *s);
	/* One raw reading; -1 with s->why and s->detail set. NULL: not polled. */
	int (*read)(struct source *s, int64_t now_mono_ns, double *raw);
};

struct source {
	const struct source_ops *ops;
	const struct channel_config *cc; /* NULL for the built-in simulated set */
	const char *root;                /* --sysfs-root */
	bool resolved;
	char path[SYSFS_PATH_LEN];       /* the value file */
	char scale_path[SYSFS_PATH_LEN]; /* iio: "" when there is none */
	char offset_path[SYSFS_PATH_LEN];
	double factor;    /* raw value to the natural unit */
	const char *unit; /* natural unit, "" when unknown */
	/* simulated signals (worker/simulated_signal.h) */
	uint64_t seed;
	uint32_t sim_index;
	int64_t interval_ns;
	int64_t origin_ns;
	/* why the last resolve or read failed, for the log */
	enum shm_read_error why;
	char detail[SYSFS_PATH_LEN + 96];
};

extern const struct source_ops source_simulated_ops;
extern const struct source_ops source_hwmon_ops;
extern const struct source_ops source_thermal_ops;
extern const struct source_ops source_iio_ops;
extern const struct source_ops source_file_ops;
extern const struct source_ops source_push_ops;

struct config;

/* Channels the segment needs: the configured ones, or `channels=N`. */
uint32_t source_channel_count(const struct config *cfg);

/* Supervisor, before forking: write each channel's static description
 * (name, unit, constant labels, source, interval) and the push flag. */
void source_describe_channels(struct shm_segment *seg, const struct config *cfg);

/* The static description of one configured channel: name, unit, labels,
 * source, interval (also the worker's, for a sensor found after start). */
void source_describe_channel(struct shm_channel *ch, const struct channel_config *cc, const struct config *cfg);

/* A configured channel, number `index` of the configuration. */
void source_init(struct source *s, const struct channel_config *cc, uint32_t index, const char *root, uint64_t seed,
		 int64_t interval_ns, int64_t origin_ns);

/* Built-in simulated channel `index` (the `channels=N` set). */
void source_init_builtin(struct source *s, uint32_t index, uint64_t seed, int64_t interval_ns, int64_t origin_ns);

/* Is the source read by the worker's loop (everything but push)? */
bool source_polled(const struct source *s);

/* Can a read block (anything read from a file, which a slow or stuck bus
 * holds up)? Those are read by a thread of their own (worker/reader.h). */
bool source_may_block(const struct source *s);

/* One reading in the channel's unit. Returns 0, or -1 with s->why and
 * s->detail set; a missing device is looked for again on the next call. */
int source_read(struct source *s, int64_t now_mono_ns, double *value);

/* A `read` for sources whose value is one number in s->path. */
int source_read_path(struct source *s, int64_t now_mono_ns, double *raw);

/* Record a failure: reason and a printf-style detail for the log. */
int source_fail(struct source *s, enum shm_read_error why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Factor and unit of an hwmon sensor (temp1 -> 0.001, "celsius") and of
 * an iio channel type (in_voltage0 -> 0.001, "volts"). */
void source_hwmon_units(const char *sensor, double *factor, const char **unit);
void source_iio_units(const char *channel, double *factor, const char **unit);

/* iio: set s up to read `channel` of the device in `dir` (used by the
 * resolver and by --list-sensors); -1 when the device has no such channel.
 * source_iio_read is its `read`. */
int source_iio_open_dir(struct source *s, const char *dir, const char *channel);
int source_iio_read(struct source *s, int64_t now_mono_ns, double *raw);

/* The unit a configured channel reports in: its `unit=`, else the
 * source's natural one (which for an hwmon label means a look in sysfs). */
void source_channel_unit(const struct channel_config *cc, const char *root, char *unit, size_t len);

#endif
