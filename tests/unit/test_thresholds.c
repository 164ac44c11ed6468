/*
 * test_thresholds.c - thresholds of a channel's own: the ok / warning /
 * critical state with its hysteresis (worker/thresholds.c), their keys in
 * [channel] and [threshold PATTERN] groups and the checks on them
 * (common/channels.c), and the patterns applied to discovered channels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../common/config.h"
#include "../../worker/discovery.h"
#include "../../worker/thresholds.h"

static enum shm_state run(const struct channel_config *c, const double *v, size_t n, enum shm_state *states)
{
	enum shm_state st = SHM_STATE_OK;
	for (size_t i = 0; i < n; i++)
		states[i] = st = threshold_state(c, v[i], st);
	return st;
}

static void test_above_with_hysteresis(void **state)
{
	(void)state;
	struct channel_config c;
	channels_init(&c, SHM_SOURCE_HWMON);
	c.warn_above = 40;
	c.crit_above = 50;
	c.hysteresis = 2;
	const double v[] = { 30, 40, 40.5, 39, 38.5, 37.9, 51, 49, 48.1, 47.9, 30, NAN };
	const enum shm_state want[] = { 0, 0, 1, 1, 1, 0, 2, 2, 2, 1, 0, 0 };
	enum shm_state got[12];
	run(&c, v, 12, got);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_below_and_default_hysteresis(void **state)
{
	(void)state;
	struct channel_config c;
	channels_init(&c, SHM_SOURCE_HWMON);
	c.warn_below = 4.75; /* volts: 2 % is 0.095 */
	c.crit_below = 4.5;
	const double v[] = { 5.0, 4.74, 4.8, 4.86, 4.4, 4.55, 4.6, 4.9 };
	const enum shm_state want[] = { 0, 1, 1, 0, 2, 2, 1, 0 };
	enum shm_state got[8];
	run(&c, v, 8, got);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(got[i], want[i]);
	/* no thresholds: always ok */
	channels_init(&c, SHM_SOURCE_HWMON);
	assert_false(channels_has_thresholds(&c));
	assert_int_equal(threshold_state(&c, 1e9, SHM_STATE_OK), SHM_STATE_OK);
}

static int load(const char *text, struct config *cfg, char *err, size_t len)
{
	config_defaults(cfg);
	return config_apply_keyfile_data(cfg, text, strlen(text), "t.conf", err, len);
}

static void test_config_groups(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];
	assert_int_equal(load("[channel cpu]\nsource=hwmon\nchip=coretemp\nsensor=temp1\nwarn-above=80\ncrit-above=95\n"
			      "[threshold nvme_*]\ncrit-above=70\n[threshold *]\nwarn-below=-10\n",
			      &cfg, err, sizeof err),
			 0);
	assert_true(cfg.chans.chan[0].crit_above == 95);
	assert_true(isnan(cfg.chans.chan[0].warn_below));
	assert_int_equal(cfg.chans.rules, 2);
	/* the first pattern that matches, for channels without their own */
	struct channel_config d;
	channels_init(&d, SHM_SOURCE_HWMON);
	snprintf(d.name, sizeof d.name, "nvme_composite");
	channels_apply_threshold_rules(&cfg.chans, &d);
	assert_true(d.crit_above == 70 && isnan(d.warn_below));
	channels_apply_threshold_rules(&cfg.chans, &cfg.chans.chan[0]);
	assert_true(isnan(cfg.chans.chan[0].warn_below)); /* has its own */

	assert_int_equal(load("[channel a]\nsource=simulated\nwarn-above=90\ncrit-above=80\n", &cfg, err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "crit-above must not be under warn-above"));
	assert_int_equal(load("[threshold x*]\nhysteresis=-1\n", &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "[threshold x*]: key 'hysteresis' must not be negative"));
	assert_int_equal(load("[threshold x*]\nsource=hwmon\n", &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "[threshold x*]: unknown key 'source' (warn-above, crit-above, warn-below, "
				    "crit-below, hysteresis)"));
	assert_int_equal(load("[threshold x*]\nwarn-above=hot\n", &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "warn-above"));
}

static void test_discovered_channels_get_them(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];
	assert_int_equal(load("[worker]\nsysfs-root=tests/fixtures/boards/pc\n[threshold coretemp_*]\ncrit-above=90\n",
			      &cfg, err, sizeof err),
			 0);
	assert_int_equal(discovery_configure(&cfg), DISCOVERY_FOUND);
	for (unsigned i = 0; i < cfg.chans.count; i++) {
		const struct channel_config *c = &cfg.chans.chan[i];
		if (strncmp(c->name, "coretemp_", 9) == 0)
			assert_true(c->crit_above == 90);
		else
			assert_false(channels_has_thresholds(c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_above_with_hysteresis),
		cmocka_unit_test(test_below_and_default_hysteresis),
		cmocka_unit_test(test_config_groups),
		cmocka_unit_test(test_discovered_channels_get_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
