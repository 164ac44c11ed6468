/*
 * source_hwmon.c - Linux hwmon sensors, /sys/class/hwmon/hwmonN/.
 *
 * A chip is chosen by the text of its `name` file and a sensor by the text
 * of its `*_label` file (or by its file stem, temp1, when the chip has no
 * labels), never by the hwmonN index, which changes between boots and
 * when modules load in another order. With several chips of the same
 * name, `device-path` picks one by its device (sysfs_device_path);
 * without it the first (in hwmonN order) that has the sensor wins.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

struct hwmon_units {
	const char *type;
	double factor;
	const char *unit;
};

/* Documentation/hwmon/sysfs-interface.rst: the units of *_input. */
static const struct hwmon_units units[] = {
	{ "temp", 1e-3, "celsius" }, { "in", 1e-3, "volts" },      { "curr", 1e-3, "amperes" },
	{ "power", 1e-6, "watts" },  { "energy", 1e-6, "joules" }, { "humidity", 1e-3, "percent" },
	{ "fan", 1.0, "rpm" },       { "freq", 1.0, "hertz" },
};

void source_hwmon_units(const char *sensor, double *factor, const char **unit)
{
	char type[16];
	sysfs_type_of(sensor, type, sizeof type);
	*factor = 1.0;
	*unit = "";
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(units[i].type, type) == 0) {
			*factor = units[i].factor;
			*unit = units[i].unit;
		}
}

struct label_match {
	const char *want;
	char *stem;
	size_t len;
};

static int match_label(const char *path, const char *name, void *ctx)
{
	struct label_match *m = ctx;
	char text[CHANNEL_SELECTOR_LEN];
	size_t n = strlen(name);
	if (n < 7 || strcmp(name + n - 6, "_label") != 0 || sysfs_read_line(path, text, sizeof text) != 0)
		return 0;
	if (strcmp(text, m->want) != 0)
		return 0;
	snprintf(m->stem, m->len, "%.*s", (int)(n - 6), name);
	return 1;
}

struct chip_match {
	struct source *s;
	int chips_seen;
};

static int match_chip(const char *dir, const char *name, void *ctx)
{
	(void)name;
	struct chip_match *m = ctx;
	struct source *s = m->s;
	char path[SYSFS_PATH_LEN], chip[CHANNEL_SELECTOR_LEN], stem[CHANNEL_SELECTOR_LEN];

	if (!sysfs_path(path, sizeof path, "%s/name", dir) || sysfs_read_line(path, chip, sizeof chip) != 0 ||
	    strcmp(chip, s->cc->device) != 0)
		return 0;
	if (s->cc->path[0] && (!sysfs_device_path(s->root, dir, path, sizeof path) || strcmp(path, s->cc->path) != 0))
		return 0; /* another chip of the same name */
	m->chips_seen++;
	if (s->cc->label[0]) {
		struct label_match lm = { s->cc->label, stem, sizeof stem };
		if (sysfs_scan(dir, "", match_label, &lm) != 1)
			return 0;
	} else {
		snprintf(stem, sizeof stem, "%s", s->cc->sensor);
	}
	if (!sysfs_path(s->path, sizeof s->path, "%s/%s_input", dir, stem) || access(s->path, F_OK) != 0)
		return 0;
	source_hwmon_units(stem, &s->factor, &s->unit);
	return 1;
}

static int hwmon_resolve(struct source *s)
{
	char dir[SYSFS_PATH_LEN];
	struct chip_match m = { s, 0 };
	if (!sysfs_join(dir, sizeof dir, s->root, "/sys/class/hwmon"))
		return source_fail(s, SHM_READ_MISSING, "sysfs root %s is too long", s->root);
	int rc = sysfs_scan(dir, "hwmon", match_chip, &m);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return source_fail(s, sysfs_errno_reason(errno), "cannot list %s: %s", dir, strerror(errno));
	if (m.chips_seen == 0)
		return source_fail(s, SHM_READ_MISSING, "no hwmon chip named '%s' in %s", s->cc->device, dir);
	if (s->cc->label[0])
		return source_fail(s, SHM_READ_MISSING, "hwmon chip '%s' has no sensor labelled '%s'", s->cc->device,
				   s->cc->label);
	return source_fail(s, SHM_READ_MISSING, "hwmon chip '%s' has no %s_input", s->cc->device, s->cc->sensor);
}

const struct source_ops source_hwmon_ops = { "hwmon", hwmon_resolve, source_read_path };
