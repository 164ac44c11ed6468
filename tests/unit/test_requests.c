/*
 * test_requests.c - the request counters: each route and answered status
 * has a slot of its own within the segment's block, statuses without a
 * code of their own count as "other", and the family names each route by
 * its label (the dashboard's requests under "/dashboard", not "other").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../exporter/requests.h"
#include "../../exporter/routes.h"
#include "../../exporter/textbuf.h"
#define FIXTURE_WITH_EVBUFFER
#include "fixture.h"

static const int statuses[] = { 200, 400, 401, 403, 404, 405, 500, 503 };
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static void test_slots_distinct_and_bounded(void **state)
{
	(void)state;
	bool used[SHM_HTTP_COUNTERS] = { false };
	for (unsigned p = 0; p < ROUTE_COUNT; p++)
		for (unsigned i = 0; i <= N_STATUSES; i++) {
			int status = i < N_STATUSES ? statuses[i] : 418; /* the last: "other" */
			unsigned slot = requests_slot(p, status);
			assert_true(slot < SHM_HTTP_COUNTERS);
			assert_false(used[slot]);
			used[slot] = true;
		}
	/* every unlisted status shares the route's "other" slot */
	assert_int_equal(requests_slot(0, 418), requests_slot(0, 0));
	assert_int_equal(requests_slot(0, 418), requests_slot(0, 302));
	/* an index beyond the table is the catch-all, never out of bounds */
	assert_int_equal(requests_slot(ROUTE_COUNT + 7, 200), requests_slot(ROUTE_OTHER, 200));
}

static char *render(const struct shm_segment *seg)
{
	struct evbuffer *b = evbuffer_new();
	struct textbuf tb;
	tb_begin(&tb, b, 0);
	requests_render(&tb, seg);
	tb_end(&tb);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static void test_render_labels(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct route dash = route_request("/dashboard", true, false, false);
	struct route none = route_request("/favicon.ico", true, false, false);
	requests_count(seg, dash.path, 200);
	requests_count(seg, dash.path, 200);
	requests_count(seg, none.path, 404);
	requests_count(seg, route_request("/metrics", true, false, false).path, 401);
	requests_count(seg, route_request("/metrics", true, false, false).path, 302);
	requests_count(seg, route_request("/metrics", true, false, false).path, 429);
	char *text = render(seg);
	assert_non_null(text);
	assert_non_null(strstr(text, "# TYPE sensor_requests_total counter\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/dashboard\",code=\"200\"} 2\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"other\",code=\"404\"} 1\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/metrics\",code=\"401\"} 1\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/metrics\",code=\"other\"} 1\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/metrics\",code=\"429\"} 1\n"));
	assert_null(strstr(text, "path=\"other\",code=\"200\""));
	free(text);
	fixture_free(seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_distinct_and_bounded),
		cmocka_unit_test(test_render_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
