/*
 * list_sensors.c - walk the hwmon, thermal and IIO trees the way the
 * sources do and print one line per sensor, in config-key spelling, so a
 * user can write [channel ...] groups without reading kernel docs.
 */
#include "list_sensors.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/config.h"
#include "discovery.h"
#include "source.h"

struct lister {
	FILE *out;
	int found;
	const char *chip_dir;  /* hwmon: the chip being listed */
	const char *chip_name; /* hwmon chip name, iio device name */
	const char *entry;     /* hwmonN, iio:deviceN */
};

static void print_value(FILE *out, int rc, double v, const char *unit, enum shm_read_error why)
{
	if (rc == 0)
		fprintf(out, "  %g%s%s\n", v, unit[0] ? " " : "", unit);
	else
		fprintf(out, "  unreadable (%s)\n", shm_read_error_label(why));
}

/* One `<stem>_input` of an hwmon chip. */
static int list_hwmon_sensor(const char *path, const char *name, void *ctx)
{
	struct lister *l = ctx;
	size_t n = strlen(name);
	char stem[CHANNEL_SELECTOR_LEN], label_path[SYSFS_PATH_LEN], label[CHANNEL_SELECTOR_LEN] = "";
	double factor, v = 0;
	const char *unit;
	enum shm_read_error why = SHM_READ_IO;

	if (n < 7 || n - 6 >= sizeof stem || strcmp(name + n - 6, "_input") != 0)
		return 0;
	snprintf(stem, sizeof stem, "%.*s", (int)(n - 6), name);
	source_hwmon_units(stem, &factor, &unit);
	if (sysfs_path(label_path, sizeof label_path, "%s/%s_label", l->chip_dir, stem))
		sysfs_read_line(label_path, label, sizeof label);
	int rc = sysfs_read_number(path, &v, &why);
	fprintf(l->out, "  %-8s chip=%s  sensor=%s", l->entry, l->chip_name, stem);
	if (label[0])
		fprintf(l->out, "  label=%s", label);
	print_value(l->out, rc, v * factor, unit, why);
	l->found++;
	return 0;
}

/*
 * A chip (hwmon) or device (iio) directory: its `name` file, then each of
 * its entries starting with `prefix`, or a line saying it has none.
 */
static int list_device(struct lister *l, const char *dir, const char *entry, const char *key, const char *prefix,
		       sysfs_entry_fn fn, int width, const char *none)
{
	char path[SYSFS_PATH_LEN], dev[CHANNEL_SELECTOR_LEN] = "?";
	if (sysfs_path(path, sizeof path, "%s/name", dir))
		sysfs_read_line(path, dev, sizeof dev);
	l->chip_dir = dir;
	l->chip_name = dev;
	l->entry = entry;
	int before = l->found;
	sysfs_scan(dir, prefix, fn, l);
	if (l->found == before)
		fprintf(l->out, "  %-*s %s=%s  (%s)\n", width, entry, key, dev, none);
	return 0;
}

static int list_hwmon_chip(const char *dir, const char *name, void *ctx)
{
	return list_device(ctx, dir, name, "chip", "", list_hwmon_sensor, 8, "no *_input sensors");
}

static int list_thermal_zone(const char *dir, const char *name, void *ctx)
{
	struct lister *l = ctx;
	char path[SYSFS_PATH_LEN], type[CHANNEL_SELECTOR_LEN] = "?";
	double v = 0;
	enum shm_read_error why = SHM_READ_IO;
	if (sysfs_path(path, sizeof path, "%s/type", dir))
		sysfs_read_line(path, type, sizeof type);
	int rc = sysfs_path(path, sizeof path, "%s/temp", dir) ? sysfs_read_number(path, &v, &why) : -1;
	fprintf(l->out, "  %-14s type=%s", name, type);
	print_value(l->out, rc, v * 1e-3, "celsius", why);
	l->found++;
	return 0;
}

/* One in_<x>_raw or in_<x>_input of an IIO device. */
static int list_iio_channel(const char *path, const char *name, void *ctx)
{
	(void)path;
	struct lister *l = ctx;
	size_t n = strlen(name);
	size_t cut = n > 4 && strcmp(name + n - 4, "_raw") == 0     ? 4
		     : n > 6 && strcmp(name + n - 6, "_input") == 0 ? 6
								    : 0;
	char stem[CHANNEL_SELECTOR_LEN], other[SYSFS_PATH_LEN];
	if (cut == 0 || n - cut >= sizeof stem)
		return 0;
	snprintf(stem, sizeof stem, "%.*s", (int)(n - cut), name);
	/* a channel with both files is listed once, by its _input */
	if (cut == 4 && sysfs_path(other, sizeof other, "%s/%s_input", l->chip_dir, stem) && access(other, F_OK) == 0)
		return 0;
	struct source s;
	memset(&s, 0, sizeof s);
	double v = 0;
	int rc = source_iio_open_dir(&s, l->chip_dir, stem);
	if (rc == 0)
		rc = source_iio_read(&s, 0, &v);
	fprintf(l->out, "  %-14s device=%s  channel=%s", l->entry, l->chip_name, stem);
	print_value(l->out, rc, v * s.factor, s.unit ? s.unit : "", s.why);
	l->found++;
	return 0;
}

static int list_iio_device(const char *dir, const char *name, void *ctx)
{
	return list_device(ctx, dir, name, "device", "in_", list_iio_channel, 14, "no in_*_raw or in_*_input channels");
}

static void section(struct lister *l, const char *root, const char *sub, const char *prefix, sysfs_entry_fn fn)
{
	char dir[SYSFS_PATH_LEN];
	int before = l->found;
	if (!sysfs_join(dir, sizeof dir, root, sub) || sysfs_scan(dir, prefix, fn, l) < 0)
		fprintf(l->out, "  (cannot read %s: %s)\n", dir, strerror(errno));
	else if (l->found == before)
		fprintf(l->out, "  (none in %s)\n", dir);
}

int list_sensors(FILE *out, const char *root)
{
	struct lister l = { out, 0, NULL, NULL, NULL };
	fprintf(out, "# sensors under sysfs root %s\n", root);
	fprintf(out, "\nhwmon  (source=hwmon; select with chip= and label=, or chip= and sensor= without a label)\n");
	section(&l, root, "/sys/class/hwmon", "hwmon", list_hwmon_chip);
	fprintf(out, "\nthermal  (source=thermal; select with type=)\n");
	section(&l, root, "/sys/class/thermal", "thermal_zone", list_thermal_zone);
	fprintf(out, "\niio  (source=iio; select with device= and channel=)\n");
	section(&l, root, "/sys/bus/iio/devices", "iio:device", list_iio_device);
	return l.found;
}

/* The selector keys of a channel, as in its [channel] group. */
static void print_selector(FILE *out, const struct channel_config *c)
{
	switch (c->source) {
	case SHM_SOURCE_HWMON:
		fprintf(out, "chip=%s  %s=%s", c->device, c->label[0] ? "label" : "sensor",
			c->label[0] ? c->label : c->sensor);
		if (c->path[0])
			fprintf(out, "  device-path=%s", c->path);
		break;
	case SHM_SOURCE_THERMAL:
		fprintf(out, "type=%s", c->device);
		if (c->path[0])
			fprintf(out, "  zone=%s", c->path);
		break;
	case SHM_SOURCE_IIO: fprintf(out, "device=%s  channel=%s", c->device, c->sensor); break;
	case SHM_SOURCE_FILE: fprintf(out, "path=%s", c->path); break;
	case SHM_SOURCE_SIMULATED: fprintf(out, "kind=%s", c->sensor); break;
	default: break;
	}
}

void list_channels(FILE *out, const struct config *cfg)
{
	const struct channel_set *set = &cfg->chans;
	if (set->count == 0) {
		fprintf(out, "\nchannels sampled  (%d simulated: channels=, --simulate)\n", cfg->channels);
		return;
	}
	fprintf(out,
		"\nchannels sampled  (the [channel] groups, then what discovery found beside them: [discovery])\n");
	struct discovery_files files;
	if (discovery_files_init(&files, set, cfg->sysfs_root) != 0)
		files.count = 0;
	for (unsigned i = 0; i < set->count; i++) {
		const struct channel_config *c = &set->chan[i];
		struct source s;
		double v = 0;
		char unit[SHM_CHANNEL_UNIT_LEN];
		fprintf(out, "  %-31s source=%s  ", c->name, shm_source_label(c->source));
		print_selector(out, c);
		if (c->source == SHM_SOURCE_PUSH) {
			fprintf(out, "\n");
			continue;
		}
		source_init(&s, c, i, cfg->sysfs_root, (uint64_t)cfg->seed, (int64_t)cfg->sample_interval_ms * 1000000,
			    0);
		source_channel_unit(c, cfg->sysfs_root, unit, sizeof unit);
		int rc = source_read(&s, 0, &v);
		print_value(out, rc, v, unit, s.why);
		if (c->twin[0])
			fprintf(out, "  %-31s twin of %s: the hwmon sensor %s_input, the same sensor, sampled once\n",
				c->twin_name, c->name, c->twin);
		int j = files.count ? discovery_same_file(&files, i) : -1;
		if (j >= 0)
			fprintf(out, "  %-31s twin of %s: the same file %s, configured twice, sampled twice\n", c->name,
				set->chan[j].name, files.path[i]);
	}
	if (files.count)
		discovery_files_free(&files);
}
