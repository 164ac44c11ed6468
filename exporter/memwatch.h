/*
 * memwatch.h - count libevent's failed allocations, so that a response
 * body cut short by the memory cap (an evbuffer_add* that could not grow
 * the buffer) is answered 500 rather than served as a truncated 200.
 *
 * Every allocation libevent makes goes through the counting functions
 * installed here; the exporter compares the count before and after
 * building a body.
 */
#ifndef SENSOR_EXPORTER_MEMWATCH_H
#define SENSOR_EXPORTER_MEMWATCH_H

#include <stddef.h>

/*
 * Route libevent's allocations through counters around `alloc` and
 * `resize` (malloc and realloc when NULL; tests pass failing ones). Call
 * once, before libevent allocates anything in this process.
 */
void memwatch_install(void *(*alloc)(size_t), void *(*resize)(void *, size_t));

/* Failed allocations so far. */
unsigned long memwatch_failures(void);

/* Count a failed allocation of the exporter's own that a body needed
 * (a pagepool block), so that it is answered 500 the same way. */
void memwatch_note_failure(void);

#endif
