/*
 * channels.h - per-channel configuration: one `[channel NAME]` group per
 * sensor channel in the config file, saying where its readings come from
 * (simulated, hwmon, thermal, iio, file, push), how often to read it, how
 * to scale the value, its unit and its constant labels.
 *
 *   [channel cpu]
 *   source=hwmon
 *   chip=coretemp
 *   label=Package id 0
 *   labels=room=lab,rack=3
 *
 * Without any channel group the service runs the `channels=N` built-in
 * simulated channels. Channel groups go through the same strict checks as
 * the rest of the file: an unknown key, or a key of another source, is an
 * error naming the group and the key.
 */
#ifndef SENSOR_COMMON_CHANNELS_H
#define SENSOR_COMMON_CHANNELS_H

#include <stdio.h>

#include "../shm/layout.h"

/* Configured channels; a config with more is refused at start. */
#define CHANNEL_MAX 256u
#define CHANNEL_LABEL_PAIRS_MAX 8u
#define CHANNEL_SELECTOR_LEN 64u
#define CHANNEL_PATH_LEN 256u

struct channel_config {
	char name[SHM_CHANNEL_NAME_LEN];
	char unit[SHM_CHANNEL_UNIT_LEN];     /* "": the source's natural unit */
	char labels[SHM_CHANNEL_LABELS_LEN]; /* as written: room=lab,rack=3 */
	enum shm_source source;              /* never SHM_SOURCE_BUILTIN */
	int interval_ms;                     /* 0: [worker] sample-interval-ms */
	double scale, offset;                /* value = reading * scale + offset */
	char device[CHANNEL_SELECTOR_LEN];   /* hwmon chip, thermal type, iio device */
	char sensor[CHANNEL_SELECTOR_LEN];   /* hwmon sensor (temp1), iio channel, simulated kind */
	char label[CHANNEL_SELECTOR_LEN];    /* hwmon sensor by its *_label text */
	/* thresholds of our own, in the channel's unit; NaN: none */
	double warn_above, crit_above, warn_below, crit_below;
	double hysteresis;           /* NaN: 2 % of each threshold */
	char path[CHANNEL_PATH_LEN]; /* file source, below --sysfs-root; hwmon: the
						chip's device-path; thermal: its zone */
	/* set by discovery: the hwmon sensor a thermal zone registered, the
	 * same sensor (worker/discovery.h): its name had it been a channel,
	 * and its file stem below --sysfs-root (.../hwmon0/temp1), whose
	 * limits and alarms the zone's channel carries */
	char twin_name[SHM_CHANNEL_NAME_LEN];
	char twin[CHANNEL_PATH_LEN];
};

/* `[threshold PATTERN]` groups: thresholds for every channel whose name
 * matches the glob PATTERN and that sets none itself (discovered ones). */
#define THRESHOLD_RULES_MAX 32u

struct channel_set {
	unsigned count;
	struct channel_config chan[CHANNEL_MAX];
	unsigned rules;
	struct channel_config rule[THRESHOLD_RULES_MAX]; /* name = the pattern */
};

typedef struct _GKeyFile GKeyFile;

/* Is this config-file group a channel ("channel NAME")? */
int channels_is_group(const char *group);

/* Parse one channel group of `kf` and append it to `set`. Returns 0, or -1
 * with a one-line error naming the file, the group and the key. */
int channels_parse_group(struct channel_set *set, GKeyFile *kf, const char *group, const char *origin, char *err,
			 size_t errlen);

/* Parse `labels=` text (name=value,...) into Prometheus label syntax
 * (name="value",... escaped). Returns 0, or -1 with a reason in err. */
int channels_render_labels(const char *spec, char *out, size_t outlen, char *err, size_t errlen);

/* Is `name` usable as a channel name: 1-31 of [A-Za-z0-9_.-]? */
int channels_name_valid(const char *name);

/* A channel of `source` with every key at its default. */
void channels_init(struct channel_config *c, enum shm_source source);

/* Does the channel set a threshold of its own? */
int channels_has_thresholds(const struct channel_config *c);

/* Give each channel without thresholds those of the first
 * [threshold PATTERN] group its name matches. */
void channels_apply_threshold_rules(const struct channel_set *set, struct channel_config *c);

/* Write the channel groups in config-file syntax. */
void channels_print(const struct channel_set *set, FILE *out);

/* The channel's source by its config spelling, or -1. */
int channels_source_from_name(const char *name);

#endif
