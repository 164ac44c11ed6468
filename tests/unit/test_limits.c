/*
 * test_limits.c - the limits, alarm flags and trip points read beside a
 * sensor (worker/limits.c) on the fixture boards: names and units from
 * the hwmon sysfs ABI, converted as the channel's values are, absent
 * files left out, and the record they are published in.
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
#include <unistd.h>

#include "../../shm/seqlock.h"
#include "../../worker/limits.h"
#include "fixture.h"

#define BOARDS "tests/fixtures/boards"

/* Resolve channel `cc` on `board` and read its limits. */
static void read_limits(const char *board, const struct channel_config *cc, struct limits *l)
{
	char root[128];
	struct source s;
	double v;
	snprintf(root, sizeof root, BOARDS "/%s", board);
	source_init(&s, cc, 0, root, 1, 0, 0);
	assert_int_equal(source_read(&s, 0, &v), 0);
	limits_read(&s, l);
}

static void test_hwmon_limits_and_alarms(void **state)
{
	(void)state;
	struct channel_config cc = {
		.source = SHM_SOURCE_HWMON, .scale = 1.0, .device = "coretemp", .sensor = "temp1"
	};
	struct limits l;
	read_limits("pc", &cc, &l);
	assert_true(l.limit[SHM_LIMIT_MAX] == 80.0);
	assert_true(l.limit[SHM_LIMIT_CRIT] == 100.0);
	assert_true(isnan(l.limit[SHM_LIMIT_MIN]) && isnan(l.limit[SHM_LIMIT_LCRIT]) &&
		    isnan(l.limit[SHM_LIMIT_EMERGENCY]));
	assert_int_equal(l.alarms_present, 1u << SHM_ALARM_CRIT);
	assert_int_equal(l.alarms_set, 0);
	assert_int_equal(l.trip_type[0], SHM_TRIP_NONE);

	struct channel_config nvme = {
		.source = SHM_SOURCE_HWMON, .scale = 1.0, .device = "nvme", .label = "Composite"
	};
	read_limits("pc", &nvme, &l);
	assert_true(fabs(l.limit[SHM_LIMIT_MIN] + 40.15) < 1e-9);
	assert_true(fabs(l.limit[SHM_LIMIT_CRIT] - 114.85) < 1e-9);
	assert_int_equal(l.alarms_present, 1u << SHM_ALARM_ANY);

	/* converted as the values: here to Fahrenheit */
	nvme.scale = 1.8;
	nvme.offset = 32;
	read_limits("pc", &nvme, &l);
	assert_true(fabs(l.limit[SHM_LIMIT_CRIT] - (114.85 * 1.8 + 32)) < 1e-9);
}

static void test_alarm_set_and_fault(void **state)
{
	(void)state;
	char root[] = "/tmp/sensor-test-limits-XXXXXX", cmd[256], path[256];
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof cmd, "cp -a " BOARDS "/dup/. '%s/'", root);
	assert_int_equal(system(cmd), 0);
	const char *dir = "sys/devices/platform/soc/fe804000.i2c/i2c-1/1-0048/hwmon/hwmon1";
	snprintf(path, sizeof path, "%s/%s/temp1_max_alarm", root, dir);
	FILE *f = fopen(path, "w");
	fputs("1\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/%s/temp1_fault", root, dir);
	f = fopen(path, "w");
	fputs("0\n", f);
	fclose(f);

	struct channel_config cc = { .source = SHM_SOURCE_HWMON, .scale = 1.0, .device = "lm75", .sensor = "temp1" };
	snprintf(cc.path, sizeof cc.path, "/sys/devices/platform/soc/fe804000.i2c/i2c-1/1-0048");
	struct source s;
	double v;
	struct limits l;
	source_init(&s, &cc, 0, root, 1, 0, 0);
	assert_int_equal(source_read(&s, 0, &v), 0);
	limits_read(&s, &l);
	assert_int_equal(l.alarms_present, (1u << SHM_ALARM_MAX) | (1u << SHM_ALARM_FAULT));
	assert_int_equal(l.alarms_set, 1u << SHM_ALARM_MAX);
	assert_true(l.limit[SHM_LIMIT_MAX] == 80.0);

	struct shm_segment *seg = fixture_segment(16, 1);
	limits_store(&seg->channels[0], &l);
	assert_true(shm_bits_to_double(SHM_LOAD(&seg->channels[0].limit_bits[SHM_LIMIT_MAX])) == 80.0);
	assert_true(isnan(shm_bits_to_double(SHM_LOAD(&seg->channels[0].limit_bits[SHM_LIMIT_CRIT]))));
	assert_int_equal(SHM_LOAD(&seg->channels[0].alarms_set), 1u << SHM_ALARM_MAX);
	fixture_free(seg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_thermal_trip_points(void **state)
{
	(void)state;
	struct channel_config cc = { .source = SHM_SOURCE_THERMAL, .scale = 1.0, .device = "cpu-thermal" };
	struct limits l;
	read_limits("rpi4", &cc, &l);
	assert_int_equal(l.trip_type[0], SHM_TRIP_CRITICAL);
	assert_true(l.trip[0] == 110.0);
	assert_int_equal(l.trip_type[1], SHM_TRIP_NONE);
	assert_int_equal(l.alarms_present, 0);
	assert_true(isnan(l.limit[SHM_LIMIT_CRIT])); /* a zone has trip points, not hwmon limits */
	struct channel_config pkg = { .source = SHM_SOURCE_THERMAL, .scale = 1.0, .device = "x86_pkg_temp" };
	read_limits("pc", &pkg, &l);
	assert_int_equal(l.trip_type[0], SHM_TRIP_PASSIVE);
	assert_true(l.trip[0] == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hwmon_limits_and_alarms),
		cmocka_unit_test(test_alarm_set_and_fault),
		cmocka_unit_test(test_thermal_trip_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
