/*
 * limits.h - the limits and alarms the kernel publishes beside a sensor:
 * an hwmon sensor's <stem>_min, _max, _lcrit, _crit, _emergency, its
 * <stem>_alarm, <stem>_<limit>_alarm and <stem>_fault flags, and a
 * thermal zone's trip points (Documentation/hwmon/sysfs-interface.rst,
 * the thermal sysfs ABI). Limits come in the sensor's raw unit and are
 * converted as its values are.
 */
#ifndef SENSOR_WORKER_LIMITS_H
#define SENSOR_WORKER_LIMITS_H

#include <stdint.h>

#include "source.h"

struct limits {
	double limit[SHM_LIMIT_COUNT]; /* NaN: no such file */
	uint32_t alarms_present, alarms_set;
	double trip[SHM_TRIP_MAX];
	uint32_t trip_type[SHM_TRIP_MAX]; /* enum shm_trip_type; NONE: absent */
};

/* Read what the resolved source `s` has (hwmon and thermal; nothing for
 * the others). Missing or unreadable files are left out. */
void limits_read(const struct source *s, struct limits *out);

/* Publish them in the channel's record. */
void limits_store(struct shm_channel *ch, const struct limits *l);

#endif
