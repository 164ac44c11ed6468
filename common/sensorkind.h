/*
 * sensorkind.h - the kinds of simulated sensor: their names (the `kind`
 * key of a simulated channel, the names of the built-in set), units, and
 * whether their processing computes a spectrum. Decided here only; the
 * configuration checks names against it, the worker generates and
 * describes channels from it.
 */
#ifndef SENSOR_COMMON_SENSORKIND_H
#define SENSOR_COMMON_SENSORKIND_H

#include <stdbool.h>

enum sensor_kind { SENSOR_TEMPERATURE, SENSOR_HUMIDITY, SENSOR_VIBRATION, SENSOR_KIND_COUNT };

struct sensor_kind_desc {
	const char *name; /* "temperature" */
	const char *unit; /* "celsius" */
	bool spectrum;    /* processing finds its dominant frequency */
};

const struct sensor_kind_desc *sensor_kind_desc(enum sensor_kind kind);

/* The kind called `name`; 0, or -1 when there is none. */
int sensor_kind_parse(const char *name, enum sensor_kind *out);

/* The names, for messages: "temperature, humidity or vibration". */
const char *sensor_kind_names(void);

#endif
