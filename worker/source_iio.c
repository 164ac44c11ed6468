/*
 * source_iio.c - Industrial I/O devices, /sys/bus/iio/devices/iio:device*,
 * chosen by the text of their `name` file. A channel (in_voltage0,
 * in_temp, in_accel_x...) is read from <channel>_input when the driver
 * gives a processed value, else as (<channel>_raw + offset) * scale with
 * <channel>_scale/_offset or the type-wide in_<type>_scale/_offset.
 * Documentation/ABI/testing/sysfs-bus-iio gives the units after scaling;
 * the table below turns milli-units into base units.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

struct iio_units {
	const char *type;
	double factor;
	const char *unit;
};

static const struct iio_units units[] = {
	{ "temp", 1e-3, "celsius" },
	{ "voltage", 1e-3, "volts" },
	{ "current", 1e-3, "amperes" },
	{ "power", 1e-3, "watts" },
	{ "humidityrelative", 1e-3, "percent" },
	{ "pressure", 1e3, "pascals" },
	{ "illuminance", 1.0, "lux" },
	{ "accel", 1.0, "meters_per_second_squared" },
	{ "anglvel", 1.0, "radians_per_second" },
	{ "magn", 1.0, "gauss" },
};

/* "in_voltage0" or "voltage0" -> "in_voltage0" */
static void channel_stem(const char *channel, char *stem, size_t len)
{
	snprintf(stem, len, "%s%s", strncmp(channel, "in_", 3) == 0 ? "" : "in_", channel);
}

void source_iio_units(const char *channel, double *factor, const char **unit)
{
	char type[32];
	sysfs_type_of(strncmp(channel, "in_", 3) == 0 ? channel + 3 : channel, type, sizeof type);
	*factor = 1.0;
	*unit = "";
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(units[i].type, type) == 0) {
			*factor = units[i].factor;
			*unit = units[i].unit;
		}
}

/* <stem>_<what>, else in_<type>_<what>, else "" (the attribute is optional). */
static void find_attr(const char *dir, const char *stem, const char *what, char *out, size_t len)
{
	char type[32];
	sysfs_type_of(stem + 3, type, sizeof type);
	if (sysfs_path(out, len, "%s/%s_%s", dir, stem, what) && access(out, F_OK) == 0)
		return;
	if (sysfs_path(out, len, "%s/in_%s_%s", dir, type, what) && access(out, F_OK) == 0)
		return;
	out[0] = '\0';
}

int source_iio_open_dir(struct source *s, const char *dir, const char *channel)
{
	char stem[CHANNEL_SELECTOR_LEN + 3];
	channel_stem(channel, stem, sizeof stem);
	source_iio_units(stem, &s->factor, &s->unit);
	s->scale_path[0] = s->offset_path[0] = '\0';
	if (sysfs_path(s->path, sizeof s->path, "%s/%s_input", dir, stem) && access(s->path, F_OK) == 0)
		return 0;
	if (!sysfs_path(s->path, sizeof s->path, "%s/%s_raw", dir, stem) || access(s->path, F_OK) != 0)
		return -1;
	find_attr(dir, stem, "scale", s->scale_path, sizeof s->scale_path);
	find_attr(dir, stem, "offset", s->offset_path, sizeof s->offset_path);
	return 0;
}

/* What match_device tells sysfs_scan (which stops at the first non-zero). */
enum iio_match { IIO_NOT_THIS_DEVICE = 0, IIO_FOUND = 1, IIO_DEVICE_WITHOUT_CHANNEL = 2 };

static int match_device(const char *dir, const char *name, void *ctx)
{
	(void)name;
	struct source *s = ctx;
	char path[SYSFS_PATH_LEN], dev[CHANNEL_SELECTOR_LEN];
	if (!sysfs_path(path, sizeof path, "%s/name", dir) || sysfs_read_line(path, dev, sizeof dev) != 0 ||
	    strcmp(dev, s->cc->device) != 0)
		return IIO_NOT_THIS_DEVICE;
	return source_iio_open_dir(s, dir, s->cc->sensor) == 0 ? IIO_FOUND : IIO_DEVICE_WITHOUT_CHANNEL;
}

static int iio_resolve(struct source *s)
{
	char dir[SYSFS_PATH_LEN];
	if (!sysfs_join(dir, sizeof dir, s->root, "/sys/bus/iio/devices"))
		return source_fail(s, SHM_READ_MISSING, "sysfs root %s is too long", s->root);
	int rc = sysfs_scan(dir, "iio:device", match_device, s);
	if (rc == IIO_FOUND)
		return 0;
	if (rc < 0)
		return source_fail(s, sysfs_errno_reason(errno), "cannot list %s: %s", dir, strerror(errno));
	if (rc == IIO_DEVICE_WITHOUT_CHANNEL)
		return source_fail(s, SHM_READ_MISSING, "iio device '%s' has no channel %s (no _raw or _input file)",
				   s->cc->device, s->cc->sensor);
	return source_fail(s, SHM_READ_MISSING, "no iio device named '%s' in %s", s->cc->device, dir);
}

/* An optional attribute: `dflt` when the device has none. */
static int read_attr(struct source *s, const char *path, double dflt, double *out)
{
	enum shm_read_error why;
	*out = dflt;
	if (path[0] && sysfs_read_number(path, out, &why) != 0)
		return source_fail(s, why, "cannot read %s: %s", path,
				   why == SHM_READ_PARSE ? "not one number" : strerror(errno));
	return 0;
}

int source_iio_read(struct source *s, int64_t now_mono_ns, double *raw)
{
	double scale, offset;
	if (source_read_path(s, now_mono_ns, raw) != 0 || read_attr(s, s->scale_path, 1.0, &scale) != 0 ||
	    read_attr(s, s->offset_path, 0.0, &offset) != 0)
		return -1;
	*raw = (*raw + offset) * scale;
	return 0;
}

const struct source_ops source_iio_ops = { "iio", iio_resolve, source_iio_read };
