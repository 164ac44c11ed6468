/*
 * test_sources.c - the sources against a copy of tests/fixtures/sysfs:
 * number parsing, errno to reason, hwmon by label and by sensor (and
 * again after the hwmonN index changed), thermal by type, iio with
 * channel and type-wide scale/offset, the file source, scale/offset,
 * failures by reason, the simulated source, units, and --list-sensors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../worker/list_sensors.h"
#include "../../worker/simulated_signal.h"
#include "../../worker/source.h"

#define FIXTURE "tests/fixtures/sysfs" /* make runs the tests from the top directory */

static char root[64];

static int setup(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(root, sizeof root, "/tmp/sensor-test-sources-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", FIXTURE, root);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write `text` to a file below the fixture root. */
static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void below(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s%s", root, rel);
}

static struct channel_config channel(enum shm_source src, const char *device, const char *sensor, const char *label)
{
	struct channel_config c;
	memset(&c, 0, sizeof c);
	snprintf(c.name, sizeof c.name, "t");
	c.source = src;
	c.scale = 1.0;
	snprintf(c.device, sizeof c.device, "%s", device ? device : "");
	snprintf(c.sensor, sizeof c.sensor, "%s", sensor ? sensor : "");
	snprintf(c.label, sizeof c.label, "%s", label ? label : "");
	return c;
}

/* One read of a fresh source for `c`; returns source_read's result. */
static int read_once(struct channel_config *c, struct source *s, double *v)
{
	source_init(s, c, 0, root, 1, 100000000, 0);
	return source_read(s, 0, v);
}

static void test_parse_number(void **state)
{
	(void)state;
	double v;
	assert_int_equal(sysfs_parse_number("45000\n", &v), 0);
	assert_true(v == 45000.0);
	assert_int_equal(sysfs_parse_number("  -1.5e3 \n", &v), 0);
	assert_true(v == -1500.0);
	assert_int_equal(sysfs_parse_number("0.000244140625", &v), 0);
	const char *bad[] = { "", "\n", "abc", "12 13", "12abc", "nan", "inf", "1e999", "--1", NULL };
	for (int i = 0; bad[i]; i++)
		if (sysfs_parse_number(bad[i], &v) == 0)
			fail_msg("'%s' parsed as %g", bad[i], v);
}

static void test_errno_reasons(void **state)
{
	(void)state;
	assert_int_equal(sysfs_errno_reason(ENOENT), SHM_READ_MISSING);
	assert_int_equal(sysfs_errno_reason(ENODEV), SHM_READ_MISSING);
	assert_int_equal(sysfs_errno_reason(ENXIO), SHM_READ_MISSING);
	assert_int_equal(sysfs_errno_reason(EACCES), SHM_READ_PERMISSION);
	assert_int_equal(sysfs_errno_reason(EPERM), SHM_READ_PERMISSION);
	assert_int_equal(sysfs_errno_reason(EIO), SHM_READ_IO);
	assert_int_equal(sysfs_errno_reason(EAGAIN), SHM_READ_IO);
	assert_string_equal(shm_read_error_label(SHM_READ_PARSE), "parse");
}

static void test_hwmon_by_label_and_by_sensor(void **state)
{
	(void)state;
	struct source s;
	double v;
	struct channel_config c = channel(SHM_SOURCE_HWMON, "coretemp", NULL, "Core 1");
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 44.0) < 1e-9);
	assert_string_equal(s.unit, "celsius");
	assert_non_null(strstr(s.path, "/hwmon2/temp3_input"));

	const struct {
		const char *sensor;
		double want;
		const char *unit;
	} rows[] = {
		{ "temp1", 31.0, "celsius" },
		{ "fan1", 1200.0, "rpm" },
		{ "in0", 1.104, "volts" },
		{ "power1", 12.5, "watts" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		c = channel(SHM_SOURCE_HWMON, "nct6775", rows[i].sensor, NULL);
		assert_int_equal(read_once(&c, &s, &v), 0);
		assert_true(fabs(v - rows[i].want) < 1e-9);
		assert_string_equal(s.unit, rows[i].unit);
	}
}

static void test_hwmon_missing_chip_sensor_and_label(void **state)
{
	(void)state;
	struct source s;
	double v;
	struct channel_config c = channel(SHM_SOURCE_HWMON, "k10temp", "temp1", NULL);
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_int_equal(s.why, SHM_READ_MISSING);
	assert_non_null(strstr(s.detail, "no hwmon chip named 'k10temp'"));
	c = channel(SHM_SOURCE_HWMON, "nct6775", "temp9", NULL);
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_non_null(strstr(s.detail, "hwmon chip 'nct6775' has no temp9_input"));
	c = channel(SHM_SOURCE_HWMON, "coretemp", NULL, "Core 7");
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_non_null(strstr(s.detail, "no sensor labelled 'Core 7'"));
}

static void test_hwmon_follows_the_chip_to_another_index(void **state)
{
	(void)state;
	struct source s;
	double v;
	char from[512], to[512];
	struct channel_config c = channel(SHM_SOURCE_HWMON, "coretemp", NULL, "Package id 0");
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 45.0) < 1e-9);

	/* the module reloads: the chip comes back as hwmon9 */
	below(from, sizeof from, "/sys/class/hwmon/hwmon2");
	below(to, sizeof to, "/sys/class/hwmon/hwmon9");
	assert_int_equal(rename(from, to), 0);
	put("/sys/devices/platform/coretemp.0/hwmon/hwmon2/temp1_input", "47500\n");
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_MISSING);
	assert_int_equal(source_read(&s, 0, &v), 0);
	assert_true(fabs(v - 47.5) < 1e-9);
	assert_non_null(strstr(s.path, "/hwmon9/temp1_input"));
}

static void test_thermal_by_type(void **state)
{
	(void)state;
	struct source s;
	double v;
	struct channel_config c = channel(SHM_SOURCE_THERMAL, "x86_pkg_temp", NULL, NULL);
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 46.0) < 1e-9);
	c = channel(SHM_SOURCE_THERMAL, "cpu-thermal", NULL, NULL);
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_non_null(strstr(s.detail, "no thermal zone of type 'cpu-thermal'"));
}

static void test_iio_scale_and_offset(void **state)
{
	(void)state;
	struct source s;
	double v;
	/* type-wide in_voltage_scale (mV per LSB): 1650 mV */
	struct channel_config c = channel(SHM_SOURCE_IIO, "ads1015", "in_voltage0", NULL);
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 1.65) < 1e-9);
	assert_string_equal(s.unit, "volts");
	/* the channel without its in_ prefix */
	c = channel(SHM_SOURCE_IIO, "ads1015", "voltage1", NULL);
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 0.82) < 1e-9);
	/* (2500 + -500) * 10 millidegrees */
	c = channel(SHM_SOURCE_IIO, "ads1015", "in_temp", NULL);
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 20.0) < 1e-9);
	assert_string_equal(s.unit, "celsius");
	/* scale read each time: a range change shows at once */
	put("/sys/devices/platform/ads1015/iio:device0/in_voltage_scale", "2\n");
	c = channel(SHM_SOURCE_IIO, "ads1015", "in_voltage0", NULL);
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 3.3) < 1e-9);
	put("/sys/devices/platform/ads1015/iio:device0/in_voltage_scale", "oops\n");
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_PARSE);
	c = channel(SHM_SOURCE_IIO, "ads1015", "in_current0", NULL);
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_non_null(strstr(s.detail, "iio device 'ads1015' has no channel in_current0"));
	c = channel(SHM_SOURCE_IIO, "bme280", "in_temp", NULL);
	assert_int_equal(read_once(&c, &s, &v), -1);
	assert_non_null(strstr(s.detail, "no iio device named 'bme280'"));
}

static void test_file_source_and_failures(void **state)
{
	(void)state;
	struct source s;
	double v;
	struct channel_config c = channel(SHM_SOURCE_FILE, NULL, NULL, NULL);
	snprintf(c.path, sizeof c.path, "/sys/bus/w1/devices/28-000000000001/temperature");
	c.scale = 0.001;
	assert_int_equal(read_once(&c, &s, &v), 0);
	assert_true(fabs(v - 21.5) < 1e-9);
	put(c.path, "garbage\n");
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_PARSE);
	assert_non_null(strstr(s.detail, "not one number"));
	put(c.path, "");
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_PARSE);
	put(c.path, "1e308\n"); /* finite, but not once scaled by 1e10 */
	c.scale = 1e10;
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_PARSE);
	char path[512];
	below(path, sizeof path, c.path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(source_read(&s, 0, &v), -1);
	assert_int_equal(s.why, SHM_READ_MISSING);
	put(c.path, "-3\n");
	c.scale = 2.0;
	c.offset = 1.0;
	assert_int_equal(source_read(&s, 0, &v), 0);
	assert_true(v == -5.0);
}

static void test_simulated_matches_sensors(void **state)
{
	(void)state;
	struct source s;
	double v;
	const int64_t interval = 100000000;
	/* built-in channel 2 at t = 12.34 s is sample 123 of vibration channel 2 */
	source_init_builtin(&s, 2, 7, interval, 1000);
	assert_int_equal(source_read(&s, 1000 + 12340000000, &v), 0);
	assert_true(v == sensor_sample(7, 2, 123, 0.1));
	/* configured channel 4 of kind humidity keeps the kind: 1 + 3 * 4 */
	struct channel_config c = channel(SHM_SOURCE_SIMULATED, NULL, "humidity", NULL);
	source_init(&s, &c, 4, root, 7, interval, 0);
	assert_int_equal(source_read(&s, 500000000, &v), 0);
	assert_int_equal(sensor_kind_of(s.sim_index), SENSOR_HUMIDITY);
	assert_true(v == sensor_sample(7, 13, 5, 0.1));
	assert_false(source_polled(&(struct source){ .ops = &source_push_ops }));
}

static void test_channel_units(void **state)
{
	(void)state;
	char unit[SHM_CHANNEL_UNIT_LEN];
	struct channel_config c = channel(SHM_SOURCE_HWMON, "coretemp", NULL, "Core 0");
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "celsius"); /* found by looking in sysfs */
	c = channel(SHM_SOURCE_HWMON, "nct6775", "fan1", NULL);
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "rpm");
	snprintf(c.unit, sizeof c.unit, "rev_per_min");
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "rev_per_min");
	c = channel(SHM_SOURCE_IIO, "x", "in_pressure", NULL);
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "pascals");
	c = channel(SHM_SOURCE_SIMULATED, NULL, "vibration", NULL);
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "g");
	c = channel(SHM_SOURCE_FILE, NULL, NULL, NULL);
	source_channel_unit(&c, root, unit, sizeof unit);
	assert_string_equal(unit, "");
}

static void test_list_sensors(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(list_sensors(f, root), 13); /* 8 hwmon, 2 thermal, 3 iio */
	fclose(f);
	const char *want[] = {
		"hwmon2   chip=coretemp  sensor=temp1  label=Package id 0  45 celsius\n",
		"hwmon3   chip=nct6775  sensor=fan1  1200 rpm\n",
		"hwmon0   chip=acpitz  sensor=temp1  27.8 celsius\n",
		"thermal_zone1  type=x86_pkg_temp  46 celsius\n",
		"iio:device0    device=ads1015  channel=in_temp  20 celsius\n",
		"iio:device0    device=ads1015  channel=in_voltage0  1.65 volts\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(buf, want[i]))
			fail_msg("--list-sensors lacks '%s' in:\n%s", want[i], buf);
	free(buf);

	/* an empty root says so, and is no error */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(list_sensors(f, "/nonexistent-sysfs"), 0);
	fclose(f);
	assert_non_null(strstr(buf, "(cannot read /nonexistent-sysfs/sys/class/hwmon: No such file or directory)"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_errno_reasons),
		cmocka_unit_test_setup_teardown(test_hwmon_by_label_and_by_sensor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hwmon_missing_chip_sensor_and_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hwmon_follows_the_chip_to_another_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thermal_by_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iio_scale_and_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_source_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simulated_matches_sensors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channel_units, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_sensors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
