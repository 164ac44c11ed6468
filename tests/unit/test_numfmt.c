/*
 * test_numfmt.c - the numbers of /metrics without printf: every double
 * gives byte for byte the text of snprintf's "%.10g" (the format the page
 * has always had), over values of every kind: random bit patterns, the
 * magnitudes sensors and counters take, decimals that end on a rounding
 * tie or next to one, and the neighbours of every power of ten, where the
 * exponent and the notation change. The same of "%.2f" (the start
 * time). And counters in decimal, at their edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../exporter/numfmt.h"

#define RANDOM_VALUES 200000

static uint64_t rng = UINT64_C(88172645463325252);

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* numfmt_double(v) must equal printf's text; a failure names the value. */
static void same_as_printf(double v)
{
	char got[NUMFMT_MAX + 1], want[64];
	size_t n = numfmt_double(got, v);
	assert_true(n > 0 && n <= NUMFMT_MAX);
	got[n] = '\0';
	if (isnan(v))
		snprintf(want, sizeof want, "NaN");
	else if (isinf(v))
		snprintf(want, sizeof want, "%s", v > 0 ? "+Inf" : "-Inf");
	else
		snprintf(want, sizeof want, "%.10g", v);
	if (strcmp(got, want) != 0)
		fail_msg("%.17g (%a): numfmt gives \"%s\", printf \"%s\"", v, v, got, want);
}

static void test_fixed_cases(void **state)
{
	(void)state;
	const double cases[] = { 0.0,          -0.0,
				 1.0,          -1.0,
				 0.5,          0.1,
				 1.0 / 3.0,    2.0 / 3.0,
				 21.5,         45.25,
				 -0.125,       0.0625,
				 1e21,         2.5e-7,
				 1234567890,   12345678901.0,
				 9999999999.5, 9999999999.4,
				 99999.999995, 0.00012345678905,
				 1e-4,         9.99999999995e-5,
				 1e-5,         123456.7890123,
				 DBL_MAX,      -DBL_MAX,
				 DBL_MIN,      5e-324,
				 1e300,        1e-300,
				 NAN,          -NAN,
				 INFINITY,     -INFINITY };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		same_as_printf(cases[i]);
}

static void test_random_bit_patterns(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_VALUES; i++) {
		uint64_t bits = next();
		double v;
		memcpy(&v, &bits, sizeof v);
		same_as_printf(v);
	}
}

/* What sensors, windows, ages and uptimes are: |v| from 1e-15 to 1e20. */
static void test_random_magnitudes(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_VALUES; i++) {
		double m = (double)(next() >> 11) / 9007199254740992.0; /* [0, 1) */
		double v = m * pow(10, (int)(next() % 36) - 15);
		same_as_printf(v);
		same_as_printf(-v);
		same_as_printf((double)(next() % 100000000) / 1000.0); /* three decimals */
	}
}

/* Eleven significant digits ending in 5: halfway between two ten-digit
 * results in decimal, so the binary value decides (the fallback's case). */
static void test_near_ties(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_VALUES; i++) {
		uint64_t d = next() % UINT64_C(100000000000);
		d = d - d % 10 + 5;
		int e = (int)(next() % 40) - 20;
		same_as_printf((double)d * pow(10, e));
		same_as_printf(nextafter((double)d * pow(10, e), 0));
		same_as_printf(nextafter((double)d * pow(10, e), INFINITY));
	}
}

/* Around each power of ten the exponent, the rounding carry and the
 * choice between the two notations change. */
static void test_powers_of_ten(void **state)
{
	(void)state;
	for (int e = -30; e <= 35; e++) {
		double p = pow(10, e);
		double around[] = { p,
				    nextafter(p, 0),
				    nextafter(p, INFINITY),
				    p * (1 - 0.5e-10),
				    p * (1 + 0.5e-10),
				    p * (1 - 0.49e-10),
				    p * (1 - 0.51e-10),
				    p * (1 - 1e-10),
				    p * (1 + 1e-9) };
		for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
			same_as_printf(around[i]);
			same_as_printf(-around[i]);
		}
	}
}

static void test_integers(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_VALUES; i++) {
		same_as_printf((double)(next() % UINT64_C(100000000000)));
		same_as_printf((double)next());
	}
}

static void fixed2_same_as_printf(double v)
{
	char got[NUMFMT_MAX + 1], want[400];
	got[numfmt_fixed2(got, v)] = '\0';
	if (isfinite(v) && fabs(v) < 1e19)
		snprintf(want, sizeof want, "%.2f", v);
	else /* printf's "nan" and "inf" are no exposition numbers */
		want[numfmt_double(want, v)] = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("%.17g (%a): numfmt_fixed2 gives \"%s\", printf \"%s\"", v, v, got, want);
}

/* "%.2f" (start times): random values, hundredths ending on a tie in
 * decimal and their neighbours, and the edges. */
static void test_fixed2(void **state)
{
	(void)state;
	const double cases[] = { 0.0,           -0.0,          0.005,  0.015,        0.125,    -0.001,
				 1700000123.45, 1795965548.11, 1e13,   1e12 - 0.005, -1e12,    9.99e18,
				 1e19,          1e21,          -1e300, NAN,          INFINITY, -INFINITY };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		fixed2_same_as_printf(cases[i]);
	for (int i = 0; i < RANDOM_VALUES; i++) {
		double t = (double)(next() % UINT64_C(200000000000)) / 100.0; /* ticks of 1/100 s since 1970 */
		fixed2_same_as_printf(t);
		double tie = ((double)(next() % UINT64_C(10000000000)) + 0.5) / 100.0;
		fixed2_same_as_printf(tie);
		fixed2_same_as_printf(nextafter(tie, 0));
		fixed2_same_as_printf(nextafter(tie, INFINITY));
		double m = (double)(next() >> 11) / 9007199254740992.0;
		fixed2_same_as_printf((m - 0.5) * pow(10, (int)(next() % 16) - 3));
	}
}

static void test_u64(void **state)
{
	(void)state;
	const uint64_t cases[] = { 0, 1, 9, 10, 99, 100, 101, 999, 1000, 4294967295u, 4294967296u, UINT64_MAX };
	char got[NUMFMT_MAX + 1], want[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got[numfmt_u64(got, cases[i])] = '\0';
		snprintf(want, sizeof want, "%" PRIu64, cases[i]);
		assert_string_equal(got, want);
	}
	for (int i = 0; i < RANDOM_VALUES; i++) {
		uint64_t v = next() >> (next() % 64);
		got[numfmt_u64(got, v)] = '\0';
		snprintf(want, sizeof want, "%" PRIu64, v);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_cases),
		cmocka_unit_test(test_random_bit_patterns),
		cmocka_unit_test(test_random_magnitudes),
		cmocka_unit_test(test_near_ties),
		cmocka_unit_test(test_powers_of_ten),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_fixed2),
		cmocka_unit_test(test_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
