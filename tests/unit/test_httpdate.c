/*
 * test_httpdate.c - the Date header's text: byte for byte what strftime
 * writes in the C locale for "%a, %d %b %Y %H:%M:%S GMT", over every
 * weekday and month, leap days, the epoch and far dates; one text per
 * second, and a new one when the second changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "../../exporter/httpdate.h"

static void same_as_strftime(time_t t)
{
	char got[HTTPDATE_LEN + 1], want[64];
	struct tm tm;
	assert_non_null(gmtime_r(&t, &tm));
	size_t n = strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	assert_int_equal(httpdate_format(got, t), HTTPDATE_LEN);
	if (strcmp(got, want) != 0)
		fail_msg("time %lld: got '%s', want '%s'", (long long)t, got, want);
	assert_int_equal(n, HTTPDATE_LEN);
}

static void test_format_matches_strftime(void **state)
{
	(void)state;
	same_as_strftime(0);          /* Thu, 01 Jan 1970 */
	same_as_strftime(784111777);  /* Sun, 06 Nov 1994 08:49:37, RFC 9110's example */
	same_as_strftime(951782400);  /* 29 Feb 2000 */
	same_as_strftime(4107542399); /* 31 Dec 2099 23:59:59 */
	for (time_t t = 1700000000; t < 1700000000 + 400LL * 86400; t += 86400 + 3599)
		same_as_strftime(t); /* every weekday, month and hour of a year and more */
}

static void test_rfc_example(void **state)
{
	(void)state;
	char got[HTTPDATE_LEN + 1];
	httpdate_format(got, 784111777);
	assert_string_equal(got, "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void test_one_text_per_second(void **state)
{
	(void)state;
	struct httpdate d = { 0 };
	const char *a = httpdate_at(&d, 784111777);
	assert_string_equal(a, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_ptr_equal(httpdate_at(&d, 784111777), a);
	assert_string_equal(httpdate_at(&d, 784111778), "Sun, 06 Nov 1994 08:49:38 GMT");
	assert_string_equal(httpdate_at(&d, 0), "Thu, 01 Jan 1970 00:00:00 GMT"); /* the epoch itself */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_matches_strftime),
		cmocka_unit_test(test_rfc_example),
		cmocka_unit_test(test_one_text_per_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
