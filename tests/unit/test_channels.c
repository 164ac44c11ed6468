/*
 * test_channels.c - the `[channel NAME]` config groups: one channel of
 * each source, strict keys (unknown, or of another source), selectors
 * each source needs, constant labels (syntax, reserved names, escaping,
 * bounds), the channel cap, --print-config round trip, and the push
 * input's cross-checks in config_validate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/config.h"
#include "../../worker/source.h"

static struct config cfg; /* big (CHANNEL_MAX channels): keep it off the stack */
static char err[512];

/* Defaults, then `text` as a config file; returns config_apply_keyfile_data's result. */
static int parse(const char *text)
{
	config_defaults(&cfg);
	err[0] = '\0';
	return config_apply_keyfile_data(&cfg, text, strlen(text), "t.conf", err, sizeof err);
}

static void assert_error(const char *text, const char *want)
{
	assert_int_equal(parse(text), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static const char *const each_kind =
	"[worker]\nsample-interval-ms=50\npush-socket=/tmp/x.sock\n"
	"[channel cpu]\nsource=hwmon\nchip=coretemp\nlabel=Package id 0\nlabels=room=lab, rack = 3\n"
	"[channel board]\nsource=hwmon\nchip=nct6775\nsensor=temp1\ninterval-ms=500\n"
	"[channel zone]\nsource=thermal\ntype=x86_pkg_temp\n"
	"[channel adc]\nsource=iio\ndevice=ads1015\nchannel=in_voltage0\nscale=2.5\noffset=-1\n"
	"[channel w1]\nsource=file\npath=/sys/bus/w1/devices/28-1/temperature\nscale=0.001\nunit=celsius\n"
	"[channel outside]\nsource=push\nunit=celsius\n"
	"[channel shaker]\nsource=simulated\nkind=vibration\n";

static void test_no_channels_keeps_the_simulated_set(void **state)
{
	(void)state;
	assert_int_equal(parse("[worker]\nchannels=4\n"), 0);
	assert_int_equal(cfg.chans.count, 0);
	assert_int_equal(source_channel_count(&cfg), 4);
}

static void test_one_channel_of_each_source(void **state)
{
	(void)state;
	assert_int_equal(parse(each_kind), 0);
	assert_int_equal(cfg.chans.count, 7);
	assert_int_equal(source_channel_count(&cfg), 7);
	const struct channel_config *c = cfg.chans.chan;
	assert_string_equal(c[0].name, "cpu");
	assert_int_equal(c[0].source, SHM_SOURCE_HWMON);
	assert_string_equal(c[0].device, "coretemp");
	assert_string_equal(c[0].label, "Package id 0");
	assert_string_equal(c[0].labels, "room=lab, rack = 3");
	assert_int_equal(c[0].interval_ms, 0);
	assert_true(c[0].scale == 1.0 && c[0].offset == 0.0);
	assert_string_equal(c[1].sensor, "temp1");
	assert_int_equal(c[1].interval_ms, 500);
	assert_int_equal(c[2].source, SHM_SOURCE_THERMAL);
	assert_string_equal(c[2].device, "x86_pkg_temp");
	assert_int_equal(c[3].source, SHM_SOURCE_IIO);
	assert_string_equal(c[3].sensor, "in_voltage0");
	assert_true(c[3].scale == 2.5 && c[3].offset == -1.0);
	assert_int_equal(c[4].source, SHM_SOURCE_FILE);
	assert_string_equal(c[4].path, "/sys/bus/w1/devices/28-1/temperature");
	assert_string_equal(c[4].unit, "celsius");
	assert_int_equal(c[5].source, SHM_SOURCE_PUSH);
	assert_int_equal(c[6].source, SHM_SOURCE_SIMULATED);
	assert_string_equal(c[6].sensor, "vibration");
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
}

static void test_simulated_kind_defaults_to_temperature(void **state)
{
	(void)state;
	assert_int_equal(parse("[channel t]\nsource=simulated\n"), 0);
	assert_string_equal(cfg.chans.chan[0].sensor, "temperature");
	assert_error("[channel t]\nsource=simulated\nkind=pressure\n",
		     "key 'kind' must be temperature, humidity or vibration");
}

static void test_unknown_key_names_group_and_key(void **state)
{
	(void)state;
	assert_error("[channel cpu]\nsource=hwmon\nchip=coretemp\nsensor=temp1\nchipp=x\n",
		     "config file t.conf: unknown key 'chipp' in group [channel cpu]");
}

static void test_key_of_another_source_is_refused(void **state)
{
	(void)state;
	assert_error("[channel z]\nsource=thermal\ntype=acpitz\nchip=coretemp\n",
		     "t.conf [channel z]: key 'chip' does not apply to source 'thermal'");
	assert_error("[channel p]\nsource=push\ninterval-ms=100\n",
		     "key 'interval-ms' does not apply to source 'push'");
	assert_error("[channel f]\nsource=file\npath=/x\nkind=humidity\n",
		     "key 'kind' does not apply to source 'file'");
}

static void test_source_is_required_and_checked(void **state)
{
	(void)state;
	assert_error(
		"[channel a]\nchip=x\n",
		"[channel a]: key 'source' must be one of simulated, hwmon, thermal, iio, file, push, got '(missing)'");
	assert_error("[channel a]\nsource=gpio\n", "got 'gpio'");
}

static void test_each_source_needs_its_selectors(void **state)
{
	(void)state;
	assert_error("[channel a]\nsource=hwmon\nsensor=temp1\n", "source 'hwmon' needs 'chip'");
	assert_error("[channel a]\nsource=hwmon\nchip=x\n", "exactly one of 'sensor' (e.g. temp1) or 'label'");
	assert_error("[channel a]\nsource=hwmon\nchip=x\nsensor=temp1\nlabel=Core 0\n", "exactly one of");
	assert_error("[channel a]\nsource=thermal\n", "source 'thermal' needs 'type'");
	assert_error("[channel a]\nsource=iio\ndevice=ads1015\n",
		     "source 'iio' needs 'device' (its name) and 'channel'");
	assert_error("[channel a]\nsource=file\n", "source 'file' needs an absolute 'path'");
	assert_error("[channel a]\nsource=file\npath=relative/x\n", "absolute 'path'");
}

static void test_bad_values(void **state)
{
	(void)state;
	assert_error("[channel a]\nsource=thermal\ntype=x\ninterval-ms=0\n",
		     "key 'interval-ms' needs an integer between 1 and 3600000, got '0'");
	assert_error("[channel a]\nsource=thermal\ntype=x\ninterval-ms=fast\n", "got 'fast'");
	assert_error("[channel a]\nsource=thermal\ntype=x\nscale=1e999\n",
		     "key 'scale' needs a finite number, got '1e999'");
	assert_error("[channel a]\nsource=thermal\ntype=x\noffset=nan\n", "key 'offset' needs a finite number");
	assert_error("[channel a]\nsource=thermal\ntype=x\nunit=degrees_celsius_x\n",
		     "key 'unit' must hold 1 to 15 characters");
	assert_error("[channel a]\nsource=thermal\ntype=\n", "key 'type' must hold 1 to 63 characters");
}

static void test_channel_names(void **state)
{
	(void)state;
	assert_error("[channel]\nsource=push\n", "group [channel]: a channel is [channel NAME]");
	assert_error("[channel a b]\nsource=push\n", "group [channel a b]");
	assert_error("[channel a\"b]\nsource=push\n", "a channel is [channel NAME]");
	assert_error("[channel abcdefghijklmnopqrstuvwxyz0123456]\nsource=push\n", "NAME 1-31 of");
	/* GKeyFile merges a repeated group within one file; a second file cannot redefine it */
	assert_int_equal(parse("[channel a]\nsource=push\n"), 0);
	const char *again = "[channel a]\nsource=simulated\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, again, strlen(again), "u.conf", err, sizeof err), -1);
	assert_string_equal(err, "config file u.conf: channel 'a' is defined twice");
	assert_int_equal(parse("[channel cpu.temp-1_x]\nsource=simulated\n"), 0);
}

static void test_labels(void **state)
{
	(void)state;
	char out[SHM_CHANNEL_LABELS_LEN], why[160];
	assert_int_equal(channels_render_labels("room=lab, rack = 3", out, sizeof out, why, sizeof why), 0);
	assert_string_equal(out, "room=\"lab\",rack=\"3\"");
	assert_int_equal(channels_render_labels("note=say \"hi\" \\o/", out, sizeof out, why, sizeof why), 0);
	assert_string_equal(out, "note=\"say \\\"hi\\\" \\\\o/\"");
	assert_int_equal(channels_render_labels("_a=1,b2=x=y", out, sizeof out, why, sizeof why), 0);
	assert_string_equal(out, "_a=\"1\",b2=\"x=y\"");

	assert_error("[channel a]\nsource=push\nlabels=1room=x\n",
		     "key 'labels': label name '1room' must match [a-zA-Z_][a-zA-Z0-9_]*");
	assert_error("[channel a]\nsource=push\nlabels=ro-om=x\n", "label name 'ro-om' must match");
	assert_error("[channel a]\nsource=push\nlabels=channel=x\n", "label name 'channel' is reserved");
	assert_error("[channel a]\nsource=push\nlabels=unit=x\n", "'unit' is reserved");
	assert_error("[channel a]\nsource=push\nlabels=__meta=x\n", "'__meta' is reserved");
	assert_error("[channel a]\nsource=push\nlabels=room\n", "label 'room' needs the form name=value");
	assert_error("[channel a]\nsource=push\nlabels=room=\n", "label 'room' has an empty value");
	assert_error("[channel a]\nsource=push\nlabels=a=1,a=2\n", "label 'a' is given twice");
	assert_error("[channel a]\nsource=push\nlabels=a=1,,b=2\n", "label '' needs the form name=value");
	assert_error("[channel a]\nsource=push\nlabels=a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1\n", "at most 8 labels");
	assert_error("[channel a]\nsource=push\nlabels=a="
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		     "longer than 127 characters");
}

static void test_channel_cap(void **state)
{
	(void)state;
	GString *text = g_string_new("");
	for (unsigned i = 0; i < CHANNEL_MAX; i++)
		g_string_append_printf(text, "[channel c%u]\nsource=simulated\n", i);
	assert_int_equal(parse(text->str), 0);
	assert_int_equal(cfg.chans.count, CHANNEL_MAX);
	g_string_append(text, "[channel one_too_many]\nsource=simulated\n");
	assert_error(text->str, "config file t.conf: too many channels: at most 256 [channel ...] groups");
	g_string_free(text, TRUE);
}

static void test_print_config_round_trips(void **state)
{
	(void)state;
	static struct config again;
	assert_int_equal(parse(each_kind), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print(&cfg, f);
	fclose(f);
	assert_non_null(strstr(
		buf, "\n[channel cpu]\nsource=hwmon\nchip=coretemp\nlabel=Package id 0\nlabels=room=lab, rack = 3\n"));
	assert_non_null(strstr(
		buf, "\n[channel adc]\nsource=iio\ndevice=ads1015\nchannel=in_voltage0\nscale=2.5\noffset=-1\n"));
	config_defaults(&again);
	assert_int_equal(config_apply_keyfile_data(&again, buf, len, "printed", err, sizeof err), 0);
	assert_memory_equal(&again.chans, &cfg.chans, sizeof cfg.chans);
	free(buf);
}

static void test_validate_push_and_sysfs_root(void **state)
{
	(void)state;
	assert_int_equal(parse("[channel p]\nsource=push\n"), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), -1);
	assert_string_equal(err, "channel 'p' has source=push, but neither 'push-socket' nor 'push-udp-port' is set");
	cfg.push_udp_port = 9999;
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
	assert_int_equal(parse("[worker]\npush-socket=relative.sock\n"), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "option 'push-socket' must be an absolute path or none"));
	assert_int_equal(parse("[worker]\nsysfs-root=fixtures\n"), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "option 'sysfs-root' must be an absolute path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_channels_keeps_the_simulated_set),
		cmocka_unit_test(test_one_channel_of_each_source),
		cmocka_unit_test(test_simulated_kind_defaults_to_temperature),
		cmocka_unit_test(test_unknown_key_names_group_and_key),
		cmocka_unit_test(test_key_of_another_source_is_refused),
		cmocka_unit_test(test_source_is_required_and_checked),
		cmocka_unit_test(test_each_source_needs_its_selectors),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_channel_names),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_channel_cap),
		cmocka_unit_test(test_print_config_round_trips),
		cmocka_unit_test(test_validate_push_and_sysfs_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
