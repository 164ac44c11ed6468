/*
 * lockfree.c - the start-time half of lockfree.h: ask the atomics library
 * about the live cells of each width the segment holds.
 */
#include "lockfree.h"

#include "layout.h"
#include "segment.h"

bool shm_atomics_lock_free(const struct shm_segment *seg)
{
	/* One cell of each atomic type in the layout, at its real address. */
	return atomic_is_lock_free(&seg->children[0].seq) && atomic_is_lock_free(&seg->children[0].pid) &&
	       atomic_is_lock_free(&seg->children[0].restarts) &&
	       atomic_is_lock_free(&seg->children[0].started_monotonic_ns) &&
	       atomic_is_lock_free(&seg->worker.loop_iterations);
}
