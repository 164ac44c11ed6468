/*
 * growarray.c - a growable array of fixed-size elements (growarray.h).
 */
#include "growarray.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation's element count; each later one doubles it. */
#define GROWARRAY_FIRST 16

void growarray_init(struct growarray *a, size_t elem)
{
	*a = (struct growarray){ .elem = elem };
}

void *growarray_push(struct growarray *a, const void *item)
{
	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : GROWARRAY_FIRST;
		if (cap < a->cap || cap > SIZE_MAX / a->elem)
			return NULL;
		char *data = realloc(a->data, cap * a->elem);
		if (!data)
			return NULL;
		a->data = data;
		a->cap = cap;
	}
	void *slot = growarray_at(a, a->len++);
	memcpy(slot, item, a->elem);
	return slot;
}

void growarray_free(struct growarray *a)
{
	free(a->data);
	*a = (struct growarray){ .elem = a->elem };
}
