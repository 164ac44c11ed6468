/*
 * growarray.h - a growable array of fixed-size elements, for the worker's
 * scans that collect an unknown number of entries, so that the worker's
 * threads run no glib code: each use of glib's GArray brings its pages
 * (and a thread-local slice allocator) into the worker's memory.
 */
#ifndef WORKER_GROWARRAY_H
#define WORKER_GROWARRAY_H

#include <stddef.h>

struct growarray {
	char *data;
	size_t len, cap, elem;
};

void growarray_init(struct growarray *a, size_t elem);

/* Append a copy of *item; the new element, or NULL when out of memory
 * (the array is then unchanged). */
void *growarray_push(struct growarray *a, const void *item);

static inline void *growarray_at(const struct growarray *a, size_t i)
{
	return a->data + i * a->elem;
}

void growarray_free(struct growarray *a);

#endif
