/*
 * test_pagepool.c - the blocks /metrics pages are rendered into: a block
 * given back is handed out again, grown when a longer page needs it; at
 * most PAGEPOOL_KEEP blocks stay idle and none larger than
 * PAGEPOOL_KEEP_MAX_BYTES; clear frees the idle ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../exporter/pagepool.h"

static void test_reuse(void **state)
{
	(void)state;
	struct pagepool pool = { 0 };
	struct page *a = pagepool_get(&pool, 100);
	assert_non_null(a);
	assert_true(a->cap >= 100);
	memset(a->data, 'x', 100);
	pagepool_put(a);
	assert_int_equal(pool.n_idle, 1);
	struct page *b = pagepool_get(&pool, 50);
	assert_ptr_equal(b, a); /* the idle block, large enough */
	assert_int_equal(pool.n_idle, 0);
	pagepool_put(b);
	struct page *c = pagepool_get(&pool, 1000); /* longer: the idle block, grown */
	assert_non_null(c);
	assert_true(c->cap >= 1000);
	assert_ptr_equal(c->pool, &pool);
	assert_int_equal(pool.n_idle, 0);
	pagepool_put(c);
	pagepool_clear(&pool);
	assert_int_equal(pool.n_idle, 0);
	assert_null(pool.idle);
}

static void test_bounds(void **state)
{
	(void)state;
	struct pagepool pool = { 0 };
	struct page *pages[PAGEPOOL_KEEP + 3];
	for (unsigned i = 0; i < PAGEPOOL_KEEP + 3; i++)
		assert_non_null(pages[i] = pagepool_get(&pool, 64));
	for (unsigned i = 0; i < PAGEPOOL_KEEP + 3; i++)
		pagepool_put(pages[i]);
	assert_int_equal(pool.n_idle, PAGEPOOL_KEEP); /* the rest freed */
	pagepool_clear(&pool);

	struct page *big = pagepool_get(&pool, PAGEPOOL_KEEP_MAX_BYTES + 1);
	assert_non_null(big);
	pagepool_put(big);
	assert_int_equal(pool.n_idle, 0); /* a big block is not kept */
	pagepool_clear(&pool);
}

static void test_resize_keeps_text(void **state)
{
	(void)state;
	struct pagepool pool = { 0 };
	struct page *pg = pagepool_get(&pool, 8);
	assert_non_null(pg);
	memcpy(pg->data, "metrics", 8);
	pg = page_resize(pg, 1 << 20);
	assert_non_null(pg);
	assert_int_equal(pg->cap, 1 << 20);
	assert_string_equal(pg->data, "metrics");
	pagepool_put(pg); /* too big to keep: freed */
	assert_int_equal(pool.n_idle, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_resize_keeps_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
