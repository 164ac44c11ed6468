/*
 * test_discovery.c - what the service samples with no configuration, on
 * fixture trees of real boards (tests/fixtures/boards): every hwmon
 * sensor and thermal zone, named by chip and label whatever the hwmonN
 * order, two chips of one name told apart and pinned to their device,
 * the [discovery] patterns, and the simulated set where nothing is found
 * or it is asked for.
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
	static const char *const want[] = {
		"acpitz_temp1",     "acpitz_temp2",     "coretemp_package_id_0",
		"coretemp_core_0",  "coretemp_core_4",  "nvme_composite",
		"thermal_acpitz_0", "thermal_acpitz_1", "thermal_x86_pkg_temp",
	};
	assert_int_equal(scan("pc", "*", "none"), 9);
	assert_int_equal(set.count, 9);
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
}

static void test_raspberry_pi(void **state)
{
	(void)state;
	assert_int_equal(scan("rpi4", "*", "none"), 2);
	assert_string_equal(set.chan[0].name, "cpu_thermal_temp1");
	assert_string_equal(set.chan[1].name, "thermal_cpu_thermal");
	assert_string_equal(set.chan[1].device, "cpu-thermal");
	assert_true(fabs(value("rpi4", &set.chan[1]) - 48.686) < 1e-9);
	/* rpi_volt has an alarm but no *_input: nothing to sample */
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
	assert_int_equal(scan("pc", "nothing", "none"), 0);
}

static void test_what_is_sampled(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, BOARDS "/pc");
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_FOUND);
	assert_int_equal(cfg.chans.count, 9);
	assert_int_equal(source_channel_count(&cfg), 9);

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
		cmocka_unit_test(test_same_chip_twice),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_what_is_sampled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
