/*
 * test_simulated_signal.c - the simulated channels: names and units, kinds,
 * determinism under a seed, and plausible values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../worker/simulated_signal.h"

static void test_kinds_cycle(void **state)
{
	(void)state;
	const enum sensor_kind want[] = { SENSOR_TEMPERATURE, SENSOR_HUMIDITY, SENSOR_VIBRATION };
	for (uint32_t ch = 0; ch < 30; ch++)
		assert_int_equal(sensor_kind_of(ch), want[ch % 3]);
	assert_int_equal(sensor_kind_of(1023), SENSOR_TEMPERATURE); /* 1023 = 3 * 341 */
}

static void test_describe(void **state)
{
	(void)state;
	const struct {
		uint32_t ch;
		const char *name, *unit;
	} cases[] = {
		{ 0, "temperature", "celsius" },   { 1, "humidity", "percent" },           { 2, "vibration", "g" },
		{ 3, "temperature_1", "celsius" }, { 4, "humidity_1", "percent" },         { 5, "vibration_1", "g" },
		{ 7, "humidity_2", "percent" },    { 1023, "temperature_341", "celsius" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[32], unit[16];
		memset(name, 'x', sizeof name);
		memset(unit, 'x', sizeof unit);
		sensor_describe(cases[i].ch, name, sizeof name, unit, sizeof unit);
		assert_string_equal(name, cases[i].name);
		assert_string_equal(unit, cases[i].unit);
	}
}

static void test_describe_truncates(void **state)
{
	(void)state;
	char name[5], unit[3];
	sensor_describe(3, name, sizeof name, unit, sizeof unit);
	assert_string_equal(name, "temp");
	assert_string_equal(unit, "ce");
}

static void test_deterministic_under_seed(void **state)
{
	(void)state;
	for (uint32_t ch = 0; ch < 6; ch++)
		for (uint64_t k = 0; k < 2000; k += 7) {
			double a = sensor_sample(42, ch, k, 0.1);
			double b = sensor_sample(42, ch, k, 0.1);
			assert_memory_equal(&a, &b, sizeof a);
		}
}

static void test_seed_and_channel_change_the_signal(void **state)
{
	(void)state;
	for (uint32_t ch = 0; ch < 3; ch++) {
		unsigned seed_diff = 0, chan_diff = 0;
		for (uint64_t k = 0; k < 1000; k++) {
			if (sensor_sample(1, ch, k, 0.1) != sensor_sample(2, ch, k, 0.1))
				seed_diff++;
			/* channel ch and ch+3 are the same kind */
			if (sensor_sample(1, ch, k, 0.1) != sensor_sample(1, ch + 3, k, 0.1))
				chan_diff++;
		}
		/* the noise alone makes (nearly) every sample differ */
		assert_true(seed_diff > 990);
		assert_true(chan_diff > 990);
	}
}

static void test_sample_depends_on_time(void **state)
{
	(void)state;
	/* the same k at another interval is another instant */
	unsigned diff = 0;
	for (uint64_t k = 1; k < 200; k++)
		if (sensor_sample(1, 0, k, 0.1) != sensor_sample(1, 0, k, 1.0))
			diff++;
	assert_true(diff > 190);
}

struct range {
	double min, max, sum;
	unsigned n;
};

static void scan(uint32_t kind, struct range *r)
{
	r->min = INFINITY;
	r->max = -INFINITY;
	r->sum = 0;
	r->n = 0;
	for (uint64_t seed = 0; seed < 5; seed++)
		for (uint32_t ch = kind; ch < 12; ch += 3)
			/* 0.1 s samples over 1200 s: two full temperature cycles */
			for (uint64_t k = 0; k < 12000; k++) {
				double v = sensor_sample(seed, ch, k, 0.1);
				assert_true(isfinite(v));
				if (v < r->min)
					r->min = v;
				if (v > r->max)
					r->max = v;
				r->sum += v;
				r->n++;
			}
}

static void test_temperature_range(void **state)
{
	(void)state;
	struct range r;
	scan(SENSOR_TEMPERATURE, &r);
	assert_true(r.min >= 15.0);
	assert_true(r.max <= 30.0);
	/* it swings (22 +- 3) rather than sitting still */
	assert_true(r.max - r.min > 5.0);
	assert_true(fabs(r.sum / r.n - 22.0) < 0.5);
}

static void test_humidity_range(void **state)
{
	(void)state;
	struct range r;
	scan(SENSOR_HUMIDITY, &r);
	assert_true(r.min >= 0.0);
	assert_true(r.max <= 100.0);
	assert_true(r.max - r.min > 10.0);
	assert_true(fabs(r.sum / r.n - 45.0) < 1.0);
}

static void test_vibration_range(void **state)
{
	(void)state;
	struct range r;
	scan(SENSOR_VIBRATION, &r);
	/* tone 0.05 g + noise 0.01 g + bursts up to 0.2 g */
	assert_true(r.min >= -0.3);
	assert_true(r.max <= 0.3);
	/* the bursts show up */
	assert_true(r.max > 0.1);
	assert_true(r.min < -0.1);
	assert_true(fabs(r.sum / r.n) < 0.01);
}

/* The burst cycle's position is fmod's result, bit for bit. */
static void test_cycle_pos_is_fmod(void **state)
{
	(void)state;
	const double intervals[] = { 0.001, 0.01, 0.1, 0.25, 0.3, 1.0, 1.7, 10.0, 60.0 };
	for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++)
		for (uint64_t k = 0; k < 200000; k++) {
			double t = (double)k * intervals[i];
			assert_true(signal_cycle_pos(t, 50.0) == fmod(t, 50.0));
		}
	uint64_t x = 12345;
	for (int i = 0; i < 2000000; i++) {
		x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		double t = ldexp((double)(x >> 11), (int)(x % 50) - 52) * 1e3; /* 0 to ~2^47 */
		double got = signal_cycle_pos(t, 50.0), want = fmod(t, 50.0);
		if (memcmp(&got, &want, sizeof got) != 0)
			fail_msg("t=%.17g: %.17g, fmod %.17g", t, got, want);
	}
	const double edges[] = { 0.0, 49.999999999999993, 50.0, 100.0, 1e9, 99.999999999999986, 140737488355327.98 };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		assert_true(signal_cycle_pos(edges[i], 50.0) == fmod(edges[i], 50.0));
	assert_true(signal_cycle_pos(1e300, 50.0) == fmod(1e300, 50.0)); /* beyond: fmod itself */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_cycle),
		cmocka_unit_test(test_cycle_pos_is_fmod),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_describe_truncates),
		cmocka_unit_test(test_deterministic_under_seed),
		cmocka_unit_test(test_seed_and_channel_change_the_signal),
		cmocka_unit_test(test_sample_depends_on_time),
		cmocka_unit_test(test_temperature_range),
		cmocka_unit_test(test_humidity_range),
		cmocka_unit_test(test_vibration_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
