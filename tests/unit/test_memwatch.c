/*
 * test_memwatch.c - an allocation libevent could not make while a body
 * was being built is counted, so the exporter can answer 500 instead of
 * serving the truncated body: with every allocation after the first
 * failing, /metrics comes out cut short, and the count says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#define FIXTURE_WITH_EVBUFFER
#include "../../exporter/memwatch.h"
#include "../../exporter/render.h"
#include "fixture.h"

static int allowed = -1; /* allocations that may still succeed; -1: all */

static void *limited_alloc(size_t n)
{
	if (allowed == 0)
		return NULL;
	if (allowed > 0)
		allowed--;
	return malloc(n);
}

static void *limited_resize(void *p, size_t n)
{
	if (allowed == 0)
		return NULL;
	if (allowed > 0)
		allowed--;
	return realloc(p, n);
}

static size_t metrics_length(const struct shm_segment *seg)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_metrics(b, seg, 0);
	size_t len = evbuffer_get_length(b);
	evbuffer_free(b);
	return len;
}

static void test_failed_append_is_counted(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 3);
	assert_non_null(seg);

	unsigned long f0 = memwatch_failures();
	size_t full = metrics_length(seg);
	assert_int_equal(memwatch_failures(), f0); /* nothing failed: the body is whole */
	assert_true(full > 2048);

	allowed = 1; /* the evbuffer itself, then nothing more */
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_metrics(b, seg, 0);
	size_t cut = evbuffer_get_length(b);
	allowed = -1;
	evbuffer_free(b);
	assert_true(cut < full); /* what a 200 would have served */
	assert_true(memwatch_failures() > f0);
	fixture_free(seg);
}

int main(void)
{
	memwatch_install(limited_alloc, limited_resize); /* before libevent allocates anything */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_append_is_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
