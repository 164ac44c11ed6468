/*
 * discovery.h - what the service samples when nothing is configured:
 * every hwmon sensor and every thermal zone under --sysfs-root, as
 * channels named by chip and sensor label (never by hwmonN, which changes
 * between boots), filtered by the [discovery] include and exclude
 * patterns. Without any, a simulated set, and a log line saying so.
 */
#ifndef SENSOR_WORKER_DISCOVERY_H
#define SENSOR_WORKER_DISCOVERY_H

#include "../common/config.h"

/* Simulated channels when the machine has no sensor at all. */
#define DISCOVERY_FALLBACK_CHANNELS 3u

enum discovery_result {
	DISCOVERY_OFF,   /* [channel] groups, channels=N or --simulate */
	DISCOVERY_FOUND, /* cfg->chans holds the discovered channels */
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

/* Does `set` already sample the sensor `c` selects? (An unpinned channel
 * covers a chip of its name wherever it is.) */
bool discovery_known(const struct channel_set *set, const struct channel_config *c);

#endif
