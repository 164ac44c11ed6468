/*
 * test_route_target.c - route_target_path: the path of an origin-form
 * request-target as sent, so that "//host/metrics" stays a path that is
 * not ours instead of becoming an authority and "/metrics".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../exporter/routes.h"

static const char *path_of(const char *target)
{
	static char buf[64];
	return route_target_path(target, buf, sizeof buf);
}

static void test_origin_form(void **state)
{
	(void)state;
	assert_string_equal(path_of("/"), "/");
	assert_string_equal(path_of("/metrics"), "/metrics");
	assert_string_equal(path_of("/metrics?x=1"), "/metrics");
	assert_string_equal(path_of("/metrics#frag"), "/metrics");
	assert_string_equal(path_of("/?"), "/");
	assert_string_equal(path_of("//evil/metrics"), "//evil/metrics");
	assert_string_equal(path_of("//../"), "//../");
	assert_string_equal(path_of("/%2e%2e/metrics?a"), "/%2e%2e/metrics");
}

static void test_other_forms(void **state)
{
	(void)state;
	assert_null(path_of("http://host/metrics"));
	assert_null(path_of("*"));
	assert_null(path_of(""));
	assert_null(path_of(NULL));
	char one[1];
	assert_null(route_target_path("/", one, 0));
}

static void test_too_long_is_no_route(void **state)
{
	(void)state;
	char big[200];
	memset(big, 'a', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	assert_string_equal(path_of(big), "");
	char small[9];
	assert_string_equal(route_target_path("/metrics", small, sizeof small), "/metrics");
	assert_string_equal(route_target_path("/metrics/", small, sizeof small), "");
	struct route r = route_request(path_of(big), true, false, true);
	assert_int_equal(r.status, 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_form),
		cmocka_unit_test(test_other_forms),
		cmocka_unit_test(test_too_long_is_no_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
