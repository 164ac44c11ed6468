/*
 * list_sensors.h - `sensor-service --list-sensors`: print the hwmon
 * sensors, thermal zones and IIO channels found under a sysfs root, with
 * their current values and the config keys that select them.
 */
#ifndef SENSOR_WORKER_LIST_SENSORS_H
#define SENSOR_WORKER_LIST_SENSORS_H

#include <stdio.h>

/* Print what `root` (normally "/") holds. Returns the number of sensors found. */
int list_sensors(FILE *out, const char *root);

struct config;

/* Print the channels the service samples with this configuration
 * (configured, discovered or simulated), with their current values. */
void list_channels(FILE *out, const struct config *cfg);

#endif
