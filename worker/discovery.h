/*
 * discovery.h - the sensors the service finds by itself: every hwmon
 * sensor and every thermal zone under --sysfs-root, as channels named by
 * chip and sensor label (never by hwmonN, which changes between boots),
 * filtered by the [discovery] include and exclude patterns, and sampled
 * after the configured [channel] groups (docs/sensors.md has the rules).
 * A thermal zone and the hwmon device it registered are one sensor: one
 * channel, the zone's, with the hwmon sensor as its twin (channel_config's
 * twin and twin_name). Without any channel at all, a simulated set, and a
 * log line saying so.
 */
#ifndef SENSOR_WORKER_DISCOVERY_H
#define SENSOR_WORKER_DISCOVERY_H

#include "../common/config.h"
#include "sysfs.h"

/* Simulated channels when the machine has no sensor at all. */
#define DISCOVERY_FALLBACK_CHANNELS 3u

enum discovery_result {
	DISCOVERY_OFF,   /* discovery=false, channels=N or --simulate */
	DISCOVERY_FOUND, /* cfg->chans holds the configured and discovered channels */
	DISCOVERY_NONE,  /* no sensor: cfg->chans holds the simulated set */
};

/* Decide what to sample and fill cfg->chans accordingly (supervisor,
 * before the segment is sized). Logs the outcome in one line. */
enum discovery_result discovery_configure(struct config *cfg);

/*
 * One channel per hwmon *_input and thermal zone under `root` whose name
 * matches `include` and not `exclude` (glob patterns separated by commas,
 * "none" for no pattern), appended to `set` up to its capacity. Returns
 * how many matched, which may be more than fit.
 */
unsigned discovery_scan(const char *root, const char *include, const char *exclude, struct channel_set *set);

/* `base` cut to a channel name's length (SHM_CHANNEL_NAME_LEN), made
 * unique in `set` with _2, _3... */
void discovery_unique_name(const struct channel_set *set, const char *base, char *out);

/* The real path of the file channel `c` reads (below `root`), when it
 * reads one and it can be found now. */
bool discovery_file_of(const struct channel_config *c, const char *root, char *out, size_t len);

/* The files a set's channels read, found once for many lookups. */
struct discovery_files {
	unsigned count;
	char (*path)[SYSFS_PATH_LEN]; /* "" where none */
};
int discovery_files_init(struct discovery_files *f, const struct channel_set *set, const char *root);
void discovery_files_free(struct discovery_files *f);

/* The channel of `set` that already samples the sensor `c` selects, or
 * -1: one with the same selector (an unpinned channel covers a chip of its
 * name wherever it is), or one that reads the same file (a configured
 * `source=file` on an hwmon attribute, say). `files` is `set`'s. */
/* The first channel before `i` that reads the same file as channel `i`
 * (both under /sys), or -1. */
int discovery_same_file(const struct discovery_files *files, unsigned i);

int discovery_covered_by(const struct channel_set *set, const struct discovery_files *files,
			 const struct channel_config *c, const char *root);

#endif
