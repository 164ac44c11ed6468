/*
 * test_trig.c - the worker's sine and cosine against libm's: within two
 * units in the last place of 1 everywhere the worker calls them (signal
 * phases over years of uptime, the DFT's twiddles), and libm's own
 * beyond the reduction's range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "../../worker/trig.h"

/* Two units in the last place of 1.0. */
#define TOLERANCE (2.0 * 0x1p-52)

static unsigned long checked, same;

static void check(double x)
{
	double s = trig_sin(x), c = trig_cos(x), ws = sin(x), wc = cos(x);
	if (!(fabs(s - ws) <= TOLERANCE) || !(fabs(c - wc) <= TOLERANCE))
		fail_msg("x=%.17g: sin %.17g (libm %.17g), cos %.17g (libm %.17g)", x, s, ws, c, wc);
	checked += 2;
	same += (s == ws) + (c == wc);
}

static void test_against_libm(void **state)
{
	(void)state;
	uint64_t r = 7;
	for (int i = 0; i < 2000000; i++) {
		r = r * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		double u = (double)(r >> 11) / 9007199254740992.0; /* [0, 1) */
		check((u - 0.5) * 20.0);                           /* a few turns either way */
		check(u * 1e7);                                    /* phases after long uptimes */
		check(ldexp(u, (int)(r % 64) - 40));               /* tiny to 2^23 */
	}
	for (uint64_t k = 0; k < 3000000; k += 7) /* the simulated signals' arguments */
		check(6.283185307179586 * 1.3 * ((double)k * 0.1) + 1.234);
	for (unsigned n = 1; n <= 4096; n *= 2) /* the twiddles */
		for (unsigned k = 0; k < n; k++)
			check(6.283185307179586 * (double)k / (double)n);
	const double edges[] = { 0.0,
				 -0.0,
				 0x1p-1074,
				 1e-300,
				 0.78539816339744828,
				 0.78539816339744839,
				 1.5707963267948966,
				 3.1415926535897931,
				 4.7123889803846897,
				 6.2831853071795862,
				 TRIG_REDUCE_MAX * 0.999999 };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		check(edges[i]);
		check(-edges[i]);
	}
	print_message("%lu of %lu results the same double as libm's\n", same, checked);
}

static void test_beyond_range(void **state)
{
	(void)state;
	const double xs[] = { TRIG_REDUCE_MAX, -TRIG_REDUCE_MAX, 1e300, INFINITY };
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double s = trig_sin(xs[i]), ws = sin(xs[i]);
		assert_true(s == ws || (isnan(s) && isnan(ws)));
	}
	assert_true(isnan(trig_sin(NAN)) && isnan(trig_cos(NAN)));
	assert_true(signbit(trig_sin(-0.0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_libm),
		cmocka_unit_test(test_beyond_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
