/*
 * memwatch.c - libevent's allocations, counted when they fail (see
 * memwatch.h).
 */
#include "memwatch.h"

#include <event2/event.h>
#include <stdlib.h>

static void *(*real_alloc)(size_t) = malloc;
static void *(*real_resize)(void *, size_t) = realloc;
static unsigned long failures;

static void *counted_alloc(size_t n)
{
	void *p = real_alloc(n);
	if (!p && n)
		failures++;
	return p;
}

static void *counted_resize(void *old, size_t n)
{
	void *p = real_resize(old, n);
	if (!p && n)
		failures++;
	return p;
}

void memwatch_install(void *(*alloc)(size_t), void *(*resize)(void *, size_t))
{
	real_alloc = alloc ? alloc : malloc;
	real_resize = resize ? resize : realloc;
	event_set_mem_functions(counted_alloc, counted_resize, free);
}

unsigned long memwatch_failures(void)
{
	return failures;
}

void memwatch_note_failure(void)
{
	failures++;
}
