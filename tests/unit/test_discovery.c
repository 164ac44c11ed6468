/*
 * test_discovery.c - what the service samples with no configuration, on
 * fixture trees of real boards (tests/fixtures/boards): every hwmon
 * sensor and thermal zone, named by chip and label whatever the hwmonN
 * order, two chips of one name told apart and pinned to their device,
 * the [discovery] patterns, and the simulated set where nothing is found
 * or it is asked for; a thermal zone and the hwmon device it registered
 * (Raspberry Pi, Rockchip, ACPI) are one channel, the zone's, carrying the
 * zone's trip points and the hwmon limits; configured channels come
 * first, the discovered ones after them, one channel per file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/config.h"
#include "../../worker/discovery.h"
#include "../../worker/limits.h"
#include "../../worker/source.h"

#define BOARDS "tests/fixtures/boards"

static struct channel_set set;

static unsigned scan(const char *board, const char *include, const char *exclude)
{
	char root[128];
	snprintf(root, sizeof root, BOARDS "/%s", board);
	memset(&set, 0, sizeof set);
	return discovery_scan(root, include, exclude, &set);
}

static const struct channel_config *find(const char *name)
{
	for (unsigned i = 0; i < set.count; i++)
		if (strcmp(set.chan[i].name, name) == 0)
			return &set.chan[i];
	fail_msg("no discovered channel %s", name);
	return NULL;
}

/* The channel's current value, read as the worker reads it. */
static double value(const char *board, const struct channel_config *c)
{
	char root[128];
	struct source s;
	double v = NAN;
	snprintf(root, sizeof root, BOARDS "/%s", board);
	source_init(&s, c, 0, root, 1, 0, 0);
	assert_int_equal(source_read(&s, 0, &v), 0);
	return v;
}

static void test_pc(void **state)
{
	(void)state;
	/* acpitz_temp1 and _temp2 are the twins of the two acpitz zones */
	static const char *const want[] = {
		"coretemp_package_id_0", "coretemp_core_0",  "coretemp_core_4",      "nvme_composite",
		"thermal_acpitz_0",      "thermal_acpitz_1", "thermal_x86_pkg_temp",
	};
	assert_int_equal(scan("pc", "*", "none"), 7);
	assert_int_equal(set.count, 7);
	for (unsigned i = 0; i < set.count; i++)
		assert_string_equal(set.chan[i].name, want[i]);
	const struct channel_config *c = find("coretemp_package_id_0");
	assert_int_equal(c->source, SHM_SOURCE_HWMON);
	assert_string_equal(c->device, "coretemp");
	assert_string_equal(c->sensor, "temp1");
	/* pinned to its device although it is the only coretemp: one that
	 * appears later is another channel, not a second source for this one */
	assert_string_equal(c->path, "/sys/devices/platform/coretemp.0");
	assert_true(value("pc", c) == 27.0);
	assert_true(fabs(value("pc", find("nvme_composite")) - 32.85) < 1e-9);
	c = find("thermal_acpitz_1"); /* two zones of one type: pinned to theirs */
	assert_int_equal(c->source, SHM_SOURCE_THERMAL);
	assert_string_equal(c->path, "thermal_zone1");
	assert_true(fabs(value("pc", c) - 29.8) < 1e-9);
	assert_true(fabs(value("pc", find("thermal_acpitz_0")) - 27.8) < 1e-9);
	/* the K-th zone of a type is temp<K> of the hwmon device of that type */
	assert_string_equal(find("thermal_acpitz_0")->twin_name, "acpitz_temp1");
	assert_string_equal(c->twin_name, "acpitz_temp2");
	assert_string_equal(c->twin, "/sys/devices/virtual/thermal/thermal_zone0/hwmon0/temp2");
	assert_string_equal(find("thermal_x86_pkg_temp")->twin, ""); /* registered none */
}

static void test_raspberry_pi(void **state)
{
	(void)state;
	/* cpu_thermal_temp1 is the zone's hwmon twin: one channel */
	assert_int_equal(scan("rpi4", "*", "none"), 1);
	assert_string_equal(set.chan[0].name, "thermal_cpu_thermal");
	assert_string_equal(set.chan[0].device, "cpu-thermal");
	assert_string_equal(set.chan[0].twin_name, "cpu_thermal_temp1");
	assert_true(fabs(value("rpi4", &set.chan[0]) - 48.686) < 1e-9);
	/* rpi_volt has an alarm but no *_input: nothing to sample */
}

/* The zone's channel carries the zone's trip points and its hwmon twin's
 * limits, in degrees. */
static void test_twin_carries_both(void **state)
{
	(void)state;
	char root[256];
	struct source s;
	struct limits l;
	double v;
	assert_int_equal(scan("rockchip", "*", "none"), 3);
	assert_string_equal(set.chan[0].name, "pwmfan_fan1");
	const struct channel_config *gpu = find("thermal_gpu_thermal");
	assert_string_equal(gpu->twin_name, "gpu_thermal_temp1");
	snprintf(root, sizeof root, BOARDS "/rockchip");
	source_init(&s, gpu, 0, root, 1, 0, 0);
	assert_int_equal(source_read(&s, 0, &v), 0);
	assert_true(fabs(v - 39.375) < 1e-9);
	limits_read(&s, &l);
	assert_true(l.limit[SHM_LIMIT_CRIT] == 95.0); /* the hwmon twin's temp1_crit */
	assert_true(isnan(l.limit[SHM_LIMIT_MAX]));
	assert_true(l.trip[0] == 70.0 && l.trip_type[0] == SHM_TRIP_PASSIVE);
	assert_true(l.trip[2] == 95.0 && l.trip_type[2] == SHM_TRIP_CRITICAL);
}

/* A zone's hwmon device whose zone is not listed is a sensor of its own;
 * a pattern that leaves out the zone's channel leaves out its twin too
 * (the patterns see the name of the channel that stands for the sensor). */
static void test_hwmon_of_a_missing_zone(void **state)
{
	(void)state;
	char root[] = "/tmp/test_discovery.XXXXXX", cmd[256];
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof cmd, "cp -a " BOARDS "/rpi4/. %s/ && rm %s/sys/class/thermal/thermal_zone0", root, root);
	assert_int_equal(system(cmd), 0);
	memset(&set, 0, sizeof set);
	assert_int_equal(discovery_scan(root, "*", "none", &set), 1);
	assert_string_equal(set.chan[0].name, "cpu_thermal_temp1");
	assert_int_equal(set.chan[0].source, SHM_SOURCE_HWMON);
	assert_string_equal(set.chan[0].twin, "");
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(scan("rpi4", "*", "thermal_*"), 0);
}

/* Configured channels first, then the sensors found that none of them
 * reads (by selector, or by the same file), names told apart. */
static void test_configured_beside_discovered(void **state)
{
	(void)state;
	struct config cfg;
	char err[256];
	const char *text = "[channel outside]\nsource=simulated\nkind=temperature\n"
			   "[channel coretemp_core_0]\nsource=simulated\nkind=humidity\n"
			   "[channel ssd]\nsource=file\npath=/sys/class/hwmon/hwmon2/temp1_input\n"
			   "[channel pkg]\nsource=hwmon\nchip=coretemp\nlabel=Package id 0\n";
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	assert_int_equal(config_apply_keyfile_data(&cfg, text, strlen(text), "t.conf", err, sizeof err), 0);
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_FOUND);
	static const char *const want[] = {
		"outside",
		"coretemp_core_0",
		"ssd",
		"pkg",
		"coretemp_core_0_2",
		"coretemp_core_4",
		"thermal_acpitz_0",
		"thermal_acpitz_1",
		"thermal_x86_pkg_temp",
	};
	assert_int_equal(cfg.chans.count, 9);
	for (unsigned i = 0; i < cfg.chans.count; i++)
		assert_string_equal(cfg.chans.chan[i].name, want[i]);

	/* discovery=false: the configured ones only */
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	assert_int_equal(config_apply_keyfile_data(&cfg, text, strlen(text), "t.conf", err, sizeof err), 0);
	cfg.discovery = false;
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_OFF);
	assert_int_equal(cfg.chans.count, 4);
}

static void test_same_chip_twice(void **state)
{
	(void)state;
	assert_int_equal(scan("dup", "*", "none"), 6);
	const struct channel_config *a = find("lm75_1_0048_temp1"), *b = find("lm75_1_0049_temp1");
	assert_string_equal(a->path, "/sys/devices/platform/soc/fe804000.i2c/i2c-1/1-0048");
	/* 1-0049 is hwmon0 here: the pin, not the hwmonN order, picks the chip */
	assert_true(value("dup", a) == 31.5);
	assert_true(value("dup", b) == 29.0);
	/* sensors without labels are named by their file stem, in their unit */
	assert_true(value("dup", find("ina219_in1")) == 5.12);
	assert_true(fabs(value("dup", find("ina219_power1")) - 2.304) < 1e-9);
	assert_true(fabs(value("dup", find("ina219_curr1")) - 0.45) < 1e-9);
}

static void test_patterns(void **state)
{
	(void)state;
	assert_int_equal(scan("pc", "coretemp_*, nvme_*", "coretemp_core_*"), 2);
	assert_string_equal(set.chan[0].name, "coretemp_package_id_0");
	assert_string_equal(set.chan[1].name, "nvme_composite");
	assert_int_equal(scan("pc", "*", "thermal_*;acpitz_*"), 4);
	assert_int_equal(scan("pc", "*", "thermal_*"), 4); /* the zones, and so their hwmon twins */
	assert_int_equal(scan("pc", "nothing", "none"), 0);
}

static void test_what_is_sampled(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_FOUND);
	assert_int_equal(cfg.chans.count, 7);
	assert_int_equal(source_channel_count(&cfg), 7);

	/* no sensor at all: the simulated set, as simulated channels */
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/nothing-here");
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_NONE);
	assert_int_equal(cfg.chans.count, 3);
	assert_string_equal(cfg.chans.chan[2].name, "vibration");
	assert_int_equal(cfg.chans.chan[2].source, SHM_SOURCE_SIMULATED);

	/* patterns that match nothing are the same as no sensor */
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	snprintf(cfg.discovery_include, sizeof cfg.discovery_include, "gpu_*");
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_NONE);

	/* asked for: channels=N or simulate */
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	cfg.channels = 5;
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_OFF);
	assert_int_equal(cfg.chans.count, 0);
	assert_int_equal(source_channel_count(&cfg), 5);
	cfg.channels = 0;
	cfg.simulate = true;
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_OFF);
	assert_int_equal(source_channel_count(&cfg), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pc),
		cmocka_unit_test(test_raspberry_pi),
		cmocka_unit_test(test_twin_carries_both),
		cmocka_unit_test(test_hwmon_of_a_missing_zone),
		cmocka_unit_test(test_configured_beside_discovered),
		cmocka_unit_test(test_same_chip_twice),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_what_is_sampled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
