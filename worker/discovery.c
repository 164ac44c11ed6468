/*
 * discovery.c - find every hwmon sensor and thermal zone and name it.
 *
 * Names are built from what identifies a sensor across boots: the chip's
 * `name` file and the sensor's `*_label` (or its file stem, temp1, when it
 * has none), in lower case with anything but letters and digits turned
 * into '_': coretemp_package_id_0, nvme_composite, cpu_thermal_temp1.
 * Thermal zones are thermal_<type>. Chips sharing a name are told apart
 * by their device's directory (lm75_1_0048_temp1); every chip's sensors
 * are pinned to its device with device-path, so a chip of the same name
 * that appears later is a new channel, not a second reading of this one.
 * Zones sharing a type are told apart by their zone number, pinned with
 * zone. Chips are taken in order of name and device path, not hwmonN, so
 * the same hardware gives the same channels whatever the probe order.
 *
 * Twins: a thermal zone and the hwmon device it registered (under
 * /sys/devices/virtual/thermal/thermal_zoneN, on Raspberry Pi, Rockchip,
 * Allwinner and ACPI boards) are one sensor. It is one channel, the zone's
 * (thermal_<type>), which carries the zone's trip points and the hwmon
 * sensor's limits and alarms; the hwmon sensor is its twin, not a channel.
 */
#include "discovery.h"

#include <fnmatch.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/sensorkind.h"
#include "source.h"

struct chip {
	char name[CHANNEL_SELECTOR_LEN];
	char dir[SYSFS_PATH_LEN];
	char entry[32];                 /* hwmonN */
	char devpath[CHANNEL_PATH_LEN]; /* "" when unknown */
	bool shared;                    /* another chip has the same name */
};

/* A temperature of the hwmon device a thermal zone registered: the twin of
 * a zone, kept aside until the zones are known. */
struct mirror {
	char base[192]; /* its name, had it been a channel */
	unsigned index; /* temp<index> */
	struct channel_config proto;
	bool twinned;
};

struct scan {
	const char *root;
	gchar **include, **exclude;
	struct channel_set *set;
	unsigned matched;
	GArray *chips; /* struct chip */
	const struct chip *chip;
	GArray *mirrors; /* struct mirror */
};

#define ZONE_DEVICES "/sys/devices/virtual/thermal/thermal_zone"

/* The kernel's thermal_hwmon registers a device named by the zone's type
 * ('-' made '_' since Linux 5.10) under the first zone of that type, with
 * temp<K>_input reading the K-th zone of the type. */
static bool is_zone_device(const char *devpath)
{
	size_t n = strlen(ZONE_DEVICES);
	return strncmp(devpath, ZONE_DEVICES, n) == 0 && devpath[n] &&
	       strspn(devpath + n, "0123456789") == strlen(devpath + n);
}

static bool zone_chip_name(const char *type, const char *chip)
{
	if (strcmp(type, chip) == 0)
		return true;
	size_t i = 0;
	for (; type[i] && chip[i]; i++)
		if (chip[i] != (type[i] == '-' ? '_' : type[i]))
			return false;
	return !type[i] && !chip[i];
}

/* Lower case, runs of anything but [a-z0-9] as one '_', none at the ends. */
static void sanitize(const char *in, char *out, size_t len)
{
	size_t n = 0;
	bool gap = false;
	for (; *in && n + 1 < len; in++) {
		char c = g_ascii_tolower(*in);
		if (g_ascii_isalnum(c)) {
			if (gap && n > 0 && n + 2 < len)
				out[n++] = '_';
			out[n++] = c;
			gap = false;
		} else {
			gap = true;
		}
	}
	out[n] = '\0';
}

static bool name_taken(const struct channel_set *set, const char *name)
{
	for (unsigned i = 0; i < set->count; i++)
		if (strcmp(set->chan[i].name, name) == 0)
			return true;
	return false;
}

void discovery_unique_name(const struct channel_set *set, const char *base, char *out)
{
	snprintf(out, SHM_CHANNEL_NAME_LEN, "%.*s", (int)SHM_CHANNEL_NAME_LEN - 1, base);
	for (unsigned k = 2; name_taken(set, out); k++) {
		char suffix[16];
		int sl = snprintf(suffix, sizeof suffix, "_%u", k);
		snprintf(out, SHM_CHANNEL_NAME_LEN, "%.*s%s", (int)SHM_CHANNEL_NAME_LEN - 1 - sl, base, suffix);
	}
}

static bool matches_any(gchar **patterns, const char *name)
{
	for (; patterns && *patterns; patterns++)
		if (**patterns && fnmatch(*patterns, name, 0) == 0)
			return true;
	return false;
}

static gchar **patterns(const char *spec)
{
	if (strcmp(spec, "none") == 0)
		return g_new0(gchar *, 1);
	gchar **list = g_strsplit_set(spec, ",;", -1);
	for (gchar **p = list; *p; p++)
		g_strstrip(*p);
	return list;
}

/* Append one channel if the filters let it through. */
static void add(struct scan *sc, const char *base, const struct channel_config *proto)
{
	char name[SHM_CHANNEL_NAME_LEN];
	discovery_unique_name(sc->set, base, name);
	if (!matches_any(sc->include, name) || matches_any(sc->exclude, name))
		return;
	sc->matched++;
	if (sc->set->count >= CHANNEL_MAX)
		return;
	struct channel_config *c = &sc->set->chan[sc->set->count++];
	*c = *proto;
	memcpy(c->name, name, sizeof name);
}

static int add_chip(const char *dir, const char *entry, void *ctx)
{
	struct scan *sc = ctx;
	struct chip c = { 0 };
	char path[SYSFS_PATH_LEN];
	if (!sysfs_path(path, sizeof path, "%s/name", dir) || sysfs_read_line(path, c.name, sizeof c.name) != 0 ||
	    !c.name[0])
		return 0;
	snprintf(c.dir, sizeof c.dir, "%s", dir);
	snprintf(c.entry, sizeof c.entry, "%s", entry);
	if (!sysfs_device_path(sc->root, dir, c.devpath, sizeof c.devpath))
		c.devpath[0] = '\0';
	g_array_append_val(sc->chips, c);
	return 0;
}

static int by_name_and_device(const void *a, const void *b)
{
	const struct chip *x = a, *y = b;
	int d = strcmp(x->name, y->name);
	return d ? d : strcmp(x->devpath, y->devpath);
}

static int add_sensor(const char *path, const char *entry, void *ctx)
{
	(void)path;
	struct scan *sc = ctx;
	const struct chip *chip = sc->chip;
	size_t n = strlen(entry);
	char stem[CHANNEL_SELECTOR_LEN], label[CHANNEL_SELECTOR_LEN] = "", file[SYSFS_PATH_LEN];
	double factor;
	const char *unit;
	if (n < 7 || n - 6 >= sizeof stem || strcmp(entry + n - 6, "_input") != 0)
		return 0;
	snprintf(stem, sizeof stem, "%.*s", (int)(n - 6), entry);
	source_hwmon_units(stem, &factor, &unit);
	if (!unit[0])
		return 0; /* not a sensor type of the hwmon ABI that we know the unit of */
	if (sysfs_path(file, sizeof file, "%s/%s_label", chip->dir, stem))
		sysfs_read_line(file, label, sizeof label);

	char chip_part[64], dev_part[64] = "", sensor_part[64], base[192];
	sanitize(chip->name, chip_part, sizeof chip_part);
	if (chip->shared && chip->devpath[0]) {
		const char *slash = strrchr(chip->devpath, '/');
		sanitize(slash ? slash + 1 : chip->devpath, dev_part, sizeof dev_part);
	}
	sanitize(label[0] ? label : stem, sensor_part, sizeof sensor_part);
	if (!sensor_part[0])
		sanitize(stem, sensor_part, sizeof sensor_part);
	snprintf(base, sizeof base, "%s%s%s_%s", chip_part, dev_part[0] ? "_" : "", dev_part, sensor_part);

	struct channel_config proto;
	channels_init(&proto, SHM_SOURCE_HWMON);
	snprintf(proto.device, sizeof proto.device, "%s", chip->name);
	snprintf(proto.sensor, sizeof proto.sensor, "%s", stem);
	/* pinned to its device even when its name is unique today: a second
	 * chip of that name may appear later (hot-plug), and this channel must
	 * go on reading the chip it was found on */
	snprintf(proto.path, sizeof proto.path, "%s", chip->devpath);
	unsigned index;
	char tail;
	if (is_zone_device(chip->devpath) && sscanf(stem, "temp%u%c", &index, &tail) == 1) {
		struct mirror m = { .index = index, .proto = proto };
		snprintf(m.base, sizeof m.base, "%s", base);
		if (!sysfs_path(m.proto.twin, sizeof m.proto.twin, "%s/%s/%s", chip->devpath, chip->entry, stem))
			m.proto.twin[0] = '\0';
		g_array_append_val(sc->mirrors, m);
		return 0;
	}
	add(sc, base, &proto);
	return 0;
}

struct zone {
	char type[CHANNEL_SELECTOR_LEN];
	char entry[32];
};

static int add_zone(const char *dir, const char *entry, void *ctx)
{
	GArray *zones = ctx;
	struct zone z = { 0 };
	char path[SYSFS_PATH_LEN];
	if (!sysfs_path(path, sizeof path, "%s/type", dir) || sysfs_read_line(path, z.type, sizeof z.type) != 0 ||
	    !z.type[0] || !sysfs_path(path, sizeof path, "%s/temp", dir) || strlen(entry) >= sizeof z.entry)
		return 0;
	snprintf(z.entry, sizeof z.entry, "%s", entry);
	g_array_append_val(zones, z);
	return 0;
}

static void scan_hwmon(struct scan *sc)
{
	char dir[SYSFS_PATH_LEN];
	if (!sysfs_join(dir, sizeof dir, sc->root, "/sys/class/hwmon"))
		return;
	sysfs_scan(dir, "hwmon", add_chip, sc);
	GArray *chips = sc->chips;
	g_array_sort(chips, by_name_and_device);
	for (guint i = 0; i < chips->len; i++) {
		struct chip *c = &g_array_index(chips, struct chip, i);
		c->shared = (i > 0 && strcmp(c->name, g_array_index(chips, struct chip, i - 1).name) == 0) ||
			    (i + 1 < chips->len && strcmp(c->name, g_array_index(chips, struct chip, i + 1).name) == 0);
	}
	for (guint i = 0; i < chips->len; i++) {
		sc->chip = &g_array_index(chips, struct chip, i);
		sysfs_scan(sc->chip->dir, "", add_sensor, sc);
	}
}

static void scan_thermal(struct scan *sc)
{
	char dir[SYSFS_PATH_LEN];
	if (!sysfs_join(dir, sizeof dir, sc->root, "/sys/class/thermal"))
		return;
	GArray *zones = g_array_new(FALSE, TRUE, sizeof(struct zone));
	sysfs_scan(dir, "thermal_zone", add_zone, zones);
	for (guint i = 0; i < zones->len; i++) {
		const struct zone *z = &g_array_index(zones, struct zone, i);
		bool shared = false;
		for (guint j = 0; j < zones->len; j++)
			shared |= j != i && strcmp(g_array_index(zones, struct zone, j).type, z->type) == 0;
		char type_part[64], base[128];
		sanitize(z->type, type_part, sizeof type_part);
		snprintf(base, sizeof base, "thermal_%s%s%s", type_part, shared ? "_" : "",
			 shared ? z->entry + strlen("thermal_zone") : "");
		struct channel_config proto;
		channels_init(&proto, SHM_SOURCE_THERMAL);
		snprintf(proto.device, sizeof proto.device, "%s", z->type);
		if (shared)
			snprintf(proto.path, sizeof proto.path, "%s", z->entry);
		/* its hwmon twin: temp<K> of the device of its type, K its rank
		 * among the zones of the type (in zone number order) */
		unsigned rank = 1;
		for (guint j = 0; j < i; j++)
			rank += strcmp(g_array_index(zones, struct zone, j).type, z->type) == 0;
		for (guint m = 0; m < sc->mirrors->len; m++) {
			struct mirror *mi = &g_array_index(sc->mirrors, struct mirror, m);
			if (!mi->twinned && mi->index == rank && zone_chip_name(z->type, mi->proto.device)) {
				mi->twinned = true;
				snprintf(proto.twin, sizeof proto.twin, "%s", mi->proto.twin);
				snprintf(proto.twin_name, sizeof proto.twin_name, "%.*s",
					 (int)sizeof proto.twin_name - 1, mi->base);
				break;
			}
		}
		add(sc, base, &proto);
	}
	g_array_free(zones, TRUE);
	/* an hwmon device of a zone without its twin is a sensor of its own */
	for (guint m = 0; m < sc->mirrors->len; m++) {
		struct mirror *mi = &g_array_index(sc->mirrors, struct mirror, m);
		if (!mi->twinned) {
			mi->proto.twin[0] = '\0';
			add(sc, mi->base, &mi->proto);
		}
	}
}

unsigned discovery_scan(const char *root, const char *include, const char *exclude, struct channel_set *set)
{
	struct scan sc = { .root = root, .set = set };
	sc.include = patterns(include);
	sc.exclude = patterns(exclude);
	sc.chips = g_array_new(FALSE, TRUE, sizeof(struct chip));
	sc.mirrors = g_array_new(FALSE, TRUE, sizeof(struct mirror));
	scan_hwmon(&sc);
	scan_thermal(&sc);
	g_array_free(sc.mirrors, TRUE);
	g_array_free(sc.chips, TRUE);
	g_strfreev(sc.include);
	g_strfreev(sc.exclude);
	return sc.matched;
}

/* The simulated set of a machine without sensors, as configured channels
 * so that their series say source="simulated". */
static void simulated_set(struct channel_set *set)
{
	set->count = 0;
	for (unsigned i = 0; i < DISCOVERY_FALLBACK_CHANNELS; i++) {
		const char *kind = sensor_kind_desc((enum sensor_kind)(i % SENSOR_KIND_COUNT))->name;
		struct channel_config *c = &set->chan[set->count++];
		channels_init(c, SHM_SOURCE_SIMULATED);
		snprintf(c->name, sizeof c->name, "%s", kind);
		snprintf(c->sensor, sizeof c->sensor, "%s", kind);
	}
}

bool discovery_file_of(const struct channel_config *c, const char *root, char *out, size_t len)
{
	struct source s;
	out[0] = '\0';
	if (c->source != SHM_SOURCE_HWMON && c->source != SHM_SOURCE_THERMAL && c->source != SHM_SOURCE_IIO &&
	    c->source != SHM_SOURCE_FILE)
		return false;
	/* discovery finds files under /sys only; another file (on a bus that
	 * may hang even a stat) is never looked at */
	if (c->source == SHM_SOURCE_FILE && strncmp(c->path, "/sys/", 5) != 0)
		return false;
	source_init(&s, c, 0, root, 0, 0, 0);
	if (s.ops->resolve && s.ops->resolve(&s) != 0)
		return false;
	char real[PATH_MAX];
	if (!realpath(s.path, real) || strlen(real) >= len)
		return false;
	memcpy(out, real, strlen(real) + 1);
	return true;
}

int discovery_files_init(struct discovery_files *f, const struct channel_set *set, const char *root)
{
	f->count = set->count;
	f->path = calloc(set->count ? set->count : 1, sizeof *f->path);
	if (!f->path)
		return -1;
	for (unsigned i = 0; i < set->count; i++)
		(void)discovery_file_of(&set->chan[i], root, f->path[i], sizeof f->path[i]);
	return 0;
}

void discovery_files_free(struct discovery_files *f)
{
	free(f->path);
	f->path = NULL;
}

int discovery_same_file(const struct discovery_files *files, unsigned i)
{
	if (i >= files->count || !files->path[i][0])
		return -1;
	for (unsigned j = 0; j < i; j++)
		if (strcmp(files->path[j], files->path[i]) == 0)
			return (int)j;
	return -1;
}

int discovery_covered_by(const struct channel_set *set, const struct discovery_files *files,
			 const struct channel_config *c, const char *root)
{
	for (unsigned i = 0; i < set->count; i++) {
		const struct channel_config *k = &set->chan[i];
		if (k->source == c->source && strcmp(k->device, c->device) == 0 && strcmp(k->sensor, c->sensor) == 0 &&
		    (!k->path[0] || strcmp(k->path, c->path) == 0))
			return (int)i;
	}
	char file[SYSFS_PATH_LEN];
	if (!discovery_file_of(c, root, file, sizeof file))
		return -1;
	for (unsigned i = 0; i < files->count && i < set->count; i++)
		if (files->path[i][0] && strcmp(files->path[i], file) == 0)
			return (int)i;
	return -1;
}

/* The sensors found, after the configured channels: those a configured
 * channel already reads are left out, the others named apart from them,
 * and configured channels keep their places when the cap is reached. */
static void add_found(struct config *cfg, const struct channel_set *found, unsigned matched)
{
	struct channel_set *set = &cfg->chans;
	unsigned configured = set->count, replaced = 0, dropped = matched - found->count;
	struct discovery_files files;
	if (discovery_files_init(&files, set, cfg->sysfs_root) != 0)
		files.count = 0;
	for (unsigned i = 0; i < found->count; i++) {
		const struct channel_config *f = &found->chan[i];
		int by = files.path ? discovery_covered_by(set, &files, f, cfg->sysfs_root) : -1;
		if (by >= 0 && (unsigned)by < configured) {
			log_info("sensor %s: read by the configured channel %s", f->name, set->chan[by].name);
			replaced++;
			continue;
		}
		if (set->count >= CHANNEL_MAX) {
			dropped++;
			continue;
		}
		char name[SHM_CHANNEL_NAME_LEN];
		discovery_unique_name(set, f->name, name);
		struct channel_config *c = &set->chan[set->count++];
		*c = *f;
		memcpy(c->name, name, sizeof name);
	}
	discovery_files_free(&files);
	log_info("discovered %u sensors under %s (include %s, exclude %s) beside %u configured channels: %u sampled, "
		 "%u read by a configured channel",
		 matched, cfg->sysfs_root, cfg->discovery_include, cfg->discovery_exclude, configured,
		 set->count - configured, replaced);
	if (dropped > 0)
		log_warn("%u discovered sensors left out: %u channels at most, configured ones first", dropped,
			 CHANNEL_MAX);
}

/* Discovery, the simulated set, or the configured channels. */
static enum discovery_result choose(struct config *cfg)
{
	unsigned configured = cfg->chans.count;
	if (configured > 0 && (!cfg->discovery || cfg->simulate || cfg->channels > 0))
		return DISCOVERY_OFF;
	if (configured == 0 && (cfg->simulate || cfg->channels > 0)) {
		if (cfg->channels == 0)
			cfg->channels = (int)DISCOVERY_FALLBACK_CHANNELS;
		return DISCOVERY_OFF;
	}
	struct channel_set *found = NULL;
	unsigned matched = 0;
	if (cfg->discovery && (found = calloc(1, sizeof *found)) != NULL)
		matched = discovery_scan(cfg->sysfs_root, cfg->discovery_include, cfg->discovery_exclude, found);
	if (found && configured > 0) {
		add_found(cfg, found, matched);
		cfg->discovered = true;
		free(found);
		return DISCOVERY_FOUND;
	}
	if (found && found->count > 0) {
		/* the channels only: the [threshold] rules stay */
		memcpy(cfg->chans.chan, found->chan, found->count * sizeof found->chan[0]);
		cfg->chans.count = found->count;
		free(found);
		cfg->discovered = true;
		log_info("discovered %u sensors under %s (include %s, exclude %s)%s", cfg->chans.count, cfg->sysfs_root,
			 cfg->discovery_include, cfg->discovery_exclude,
			 matched > cfg->chans.count ? "; more than the channel limit, the rest are left out" : "");
		return DISCOVERY_FOUND;
	}
	free(found);
	simulated_set(&cfg->chans);
	if (!cfg->discovery)
		log_info("discovery is off and no channel is configured: sampling %u simulated channels "
			 "(source=\"simulated\")",
			 DISCOVERY_FALLBACK_CHANNELS);
	else
		log_info("no hwmon sensor or thermal zone under %s%s: sampling %u simulated channels "
			 "(source=\"simulated\")",
			 cfg->sysfs_root,
			 strcmp(cfg->discovery_include, "*") != 0 || strcmp(cfg->discovery_exclude, "none") != 0
				 ? " matches the [discovery] patterns"
				 : "",
			 DISCOVERY_FALLBACK_CHANNELS);
	return DISCOVERY_NONE;
}

enum discovery_result discovery_configure(struct config *cfg)
{
	enum discovery_result r = choose(cfg);
	/* configured twice: both are sampled, as configured, but say so */
	struct discovery_files files;
	if (r != DISCOVERY_NONE && cfg->chans.count > 1 &&
	    discovery_files_init(&files, &cfg->chans, cfg->sysfs_root) == 0) {
		for (unsigned i = 0; i < cfg->chans.count; i++) {
			int j = discovery_same_file(&files, i);
			if (j >= 0)
				log_warn("channels %s and %s read the same file %s: the same sensor, sampled twice",
					 cfg->chans.chan[j].name, cfg->chans.chan[i].name, files.path[i]);
		}
		discovery_files_free(&files);
	}
	/* [threshold PATTERN] groups, for the channels that set none */
	for (unsigned i = 0; i < cfg->chans.count; i++)
		channels_apply_threshold_rules(&cfg->chans, &cfg->chans.chan[i]);
	return r;
}
