/*
 * test_lockfree.c - the start-time check of shm/lockfree.h on a real
 * segment: this host's cells of every width are lock-free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "../../shm/segment.h"

static void test_cells_are_lock_free(void **state)
{
	(void)state;
	struct shm_segment *seg = aligned_alloc(64, (sizeof *seg + 63) / 64 * 64);
	assert_non_null(seg);
	assert_true(shm_atomics_lock_free(seg));
	free(seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells_are_lock_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
