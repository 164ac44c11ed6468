/*
 * pagepool.h - blocks of memory a /metrics page is written into and handed
 * to the response by reference (evbuffer_add_reference): no copy, and a
 * block goes back to the pool when libevent has sent it (or dropped it),
 * so that the next page is written into memory already in hand rather
 * than into a chain allocated and freed for every scrape.
 *
 * The pool keeps at most PAGEPOOL_KEEP idle blocks, none larger than
 * PAGEPOOL_KEEP_MAX_BYTES; any other block is freed when it comes back.
 * One event loop uses a pool: no locking.
 */
#ifndef SENSOR_EXPORTER_PAGEPOOL_H
#define SENSOR_EXPORTER_PAGEPOOL_H

#include <stddef.h>

/* Blocks kept idle: as many as responses in flight at once under a
 * 16-connection load; fewer stay idle when scrapes are rare. */
#define PAGEPOOL_KEEP 16
/* Larger blocks (pages of hundreds of channels) go back to malloc: a
 * rare big scrape leaves no idle memory behind. */
#define PAGEPOOL_KEEP_MAX_BYTES (64 * 1024)

struct pagepool;

struct page {
	struct page *next; /* idle: the next idle block */
	struct pagepool *pool;
	size_t cap;
	char data[];
};

struct pagepool {
	struct page *idle;
	unsigned n_idle;
};

/* A block of at least `want` bytes; NULL when memory runs out. */
struct page *pagepool_get(struct pagepool *pp, size_t want);

/* The block resized to `cap` bytes (it may move); NULL when memory runs
 * out, and `pg` is then unchanged. */
struct page *page_resize(struct page *pg, size_t cap);

/* Give a block back (kept idle, or freed). */
void pagepool_put(struct page *pg);

/* Free the idle blocks (blocks still referenced come back and are kept
 * until the next clear: clear after the responses are gone). */
void pagepool_clear(struct pagepool *pp);

#endif
