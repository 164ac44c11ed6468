/*
 * sensorkind.c - the table of simulated sensor kinds (see sensorkind.h).
 */
#include "sensorkind.h"

#include <string.h>

#include "names.h"

static const struct sensor_kind_desc kinds[SENSOR_KIND_COUNT] = {
	[SENSOR_TEMPERATURE] = { "temperature", "celsius", false },
	[SENSOR_HUMIDITY] = { "humidity", "percent", false },
	[SENSOR_VIBRATION] = { "vibration", "g", true },
};

const struct sensor_kind_desc *sensor_kind_desc(enum sensor_kind kind)
{
	return &kinds[(unsigned)kind < SENSOR_KIND_COUNT ? kind : SENSOR_TEMPERATURE];
}

int sensor_kind_parse(const char *name, enum sensor_kind *out)
{
	for (unsigned k = 0; k < SENSOR_KIND_COUNT; k++) {
		if (strcmp(name, kinds[k].name) == 0) {
			*out = (enum sensor_kind)k;
			return 0;
		}
	}
	return -1;
}

static const char *kind_name(unsigned k)
{
	return kinds[k].name;
}

const char *sensor_kind_names(void)
{
	static char names[96];
	if (names[0] == '\0')
		names_join(names, sizeof names, SENSOR_KIND_COUNT, kind_name, " or ");
	return names;
}
