/*
 * test_backoff.c - the supervisor's restart delay: doubling from the
 * minimum, capped at the maximum, never overflowing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>

#include "../../supervisor/backoff.h"

static void test_doubling_sequence(void **state)
{
	(void)state;
	const int64_t want[] = { 250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	for (unsigned n = 1; n <= 10; n++)
		assert_int_equal(backoff_delay_ms(n, 250, 30000), want[n - 1]);
}

static void test_cap_not_a_multiple(void **state)
{
	(void)state;
	const int64_t want[] = { 100, 200, 400, 800, 1000, 1000 };
	for (unsigned n = 1; n <= 6; n++)
		assert_int_equal(backoff_delay_ms(n, 100, 1000), want[n - 1]);
}

static void test_zero_failures_is_minimum(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay_ms(0, 250, 30000), 250);
}

static void test_many_failures_stay_capped(void **state)
{
	(void)state;
	/* no overflow however long the streak */
	assert_int_equal(backoff_delay_ms(64, 250, 30000), 30000);
	assert_int_equal(backoff_delay_ms(1000, 250, 30000), 30000);
	assert_int_equal(backoff_delay_ms(UINT_MAX, 250, 30000), 30000);
	assert_int_equal(backoff_delay_ms(UINT_MAX, 10, 3600000), 3600000);
}

static void test_min_equals_max(void **state)
{
	(void)state;
	for (unsigned n = 0; n < 5; n++)
		assert_int_equal(backoff_delay_ms(n, 500, 500), 500);
}

static void test_monotonic(void **state)
{
	(void)state;
	int64_t prev = 0;
	for (unsigned n = 1; n < 40; n++) {
		int64_t d = backoff_delay_ms(n, 10, 3600000);
		assert_true(d >= prev);
		assert_true(d <= 3600000);
		assert_true(d == 3600000 || d == 2 * prev || n == 1);
		prev = d;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling_sequence),        cmocka_unit_test(test_cap_not_a_multiple),
		cmocka_unit_test(test_zero_failures_is_minimum), cmocka_unit_test(test_many_failures_stay_capped),
		cmocka_unit_test(test_min_equals_max),           cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
