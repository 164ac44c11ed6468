/*
 * limits.c - read an hwmon sensor's limit and alarm files and a thermal
 * zone's trip points, next to the value file the source resolved.
 */
#include "limits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../shm/seqlock.h"

/* The channel's conversion: raw * factor * scale + offset, as values. */
static double convert(const struct source *s, double raw)
{
	double scale = s->cc ? s->cc->scale : 1.0, offset = s->cc ? s->cc->offset : 0.0;
	return raw * s->factor * scale + offset;
}

/* The limits and alarms beside an hwmon value file `input` (.../temp1_input). */
static void read_hwmon(const struct source *s, const char *input, struct limits *out)
{
	size_t n = strlen(input);
	if (n < 7 || strcmp(input + n - 6, "_input") != 0)
		return;
	int stem = (int)(n - 6); /* ".../temp1" */
	char path[SYSFS_PATH_LEN];
	enum shm_read_error why;
	double v;
	for (int l = 0; l < (int)SHM_LIMIT_COUNT; l++)
		if (sysfs_path(path, sizeof path, "%.*s_%s", stem, input, shm_limit_label(l)) &&
		    sysfs_read_number(path, &v, &why) == 0)
			out->limit[l] = convert(s, v);
	for (int a = 0; a < (int)SHM_ALARM_COUNT; a++) {
		bool ok = a == SHM_ALARM_ANY ? sysfs_path(path, sizeof path, "%.*s_alarm", stem, input)
			  : a == SHM_ALARM_FAULT
				  ? sysfs_path(path, sizeof path, "%.*s_fault", stem, input)
				  : sysfs_path(path, sizeof path, "%.*s_%s_alarm", stem, input, shm_alarm_label(a));
		if (!ok || sysfs_read_number(path, &v, &why) != 0)
			continue;
		out->alarms_present |= 1u << a;
		if (v != 0)
			out->alarms_set |= 1u << a;
	}
}

static void read_thermal(const struct source *s, struct limits *out)
{
	const char *slash = strrchr(s->path, '/');
	if (!slash)
		return;
	int dir = (int)(slash - s->path);
	char path[SYSFS_PATH_LEN], type[16];
	enum shm_read_error why;
	double v;
	for (unsigned t = 0; t < SHM_TRIP_MAX; t++) {
		if (!sysfs_path(path, sizeof path, "%.*s/trip_point_%u_type", dir, s->path, t) ||
		    sysfs_read_line(path, type, sizeof type) != 0)
			break; /* trip points are numbered from 0 without gaps */
		if (!sysfs_path(path, sizeof path, "%.*s/trip_point_%u_temp", dir, s->path, t) ||
		    sysfs_read_number(path, &v, &why) != 0)
			continue;
		out->trip[t] = convert(s, v);
		out->trip_type[t] = SHM_TRIP_NONE;
		for (int k = SHM_TRIP_ACTIVE; k < (int)SHM_TRIP_TYPE_COUNT; k++)
			if (strcmp(type, shm_trip_type_label(k)) == 0)
				out->trip_type[t] = (uint32_t)k;
	}
}

void limits_read(const struct source *s, struct limits *out)
{
	memset(out, 0, sizeof *out);
	for (unsigned l = 0; l < SHM_LIMIT_COUNT; l++)
		out->limit[l] = NAN;
	for (unsigned t = 0; t < SHM_TRIP_MAX; t++)
		out->trip[t] = NAN;
	if (!s->cc || !s->path[0])
		return;
	char twin[SYSFS_PATH_LEN], input[SYSFS_PATH_LEN];
	if (s->cc->source == SHM_SOURCE_HWMON) {
		read_hwmon(s, s->path, out);
	} else if (s->cc->source == SHM_SOURCE_THERMAL) {
		read_thermal(s, out);
		/* the zone's hwmon twin: its limits are the same sensor's, in
		 * the same millidegrees */
		if (s->cc->twin[0] && sysfs_join(twin, sizeof twin, s->root, s->cc->twin) &&
		    sysfs_path(input, sizeof input, "%s_input", twin))
			read_hwmon(s, input, out);
	}
}

void limits_store(struct shm_channel *ch, const struct limits *l)
{
	for (unsigned i = 0; i < SHM_LIMIT_COUNT; i++)
		SHM_STORE(&ch->limit_bits[i], shm_double_to_bits(l->limit[i]));
	SHM_STORE(&ch->alarms_present, l->alarms_present);
	SHM_STORE(&ch->alarms_set, l->alarms_set);
	for (unsigned t = 0; t < SHM_TRIP_MAX; t++) {
		SHM_STORE(&ch->trip_bits[t], shm_double_to_bits(l->trip[t]));
		SHM_STORE(&ch->trip_type[t], l->trip_type[t]);
	}
}
