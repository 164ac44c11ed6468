/*
 * pagepool.c - reusable blocks for /metrics pages (see pagepool.h).
 */
#include "pagepool.h"

#include <stdlib.h>

struct page *pagepool_get(struct pagepool *pp, size_t want)
{
	struct page *pg = pp->idle;
	if (pg) {
		pp->idle = pg->next;
		pp->n_idle--;
		if (pg->cap >= want)
			return pg;
		struct page *bigger = page_resize(pg, want);
		if (!bigger)
			free(pg);
		return bigger;
	}
	pg = malloc(sizeof *pg + want);
	if (!pg)
		return NULL;
	pg->pool = pp;
	pg->cap = want;
	return pg;
}

struct page *page_resize(struct page *pg, size_t cap)
{
	struct page *moved = realloc(pg, sizeof *pg + cap);
	if (!moved)
		return NULL;
	moved->cap = cap;
	return moved;
}

void pagepool_put(struct page *pg)
{
	struct pagepool *pp = pg->pool;
	if (pp->n_idle < PAGEPOOL_KEEP && pg->cap <= PAGEPOOL_KEEP_MAX_BYTES) {
		pg->next = pp->idle;
		pp->idle = pg;
		pp->n_idle++;
	} else {
		free(pg);
	}
}

void pagepool_clear(struct pagepool *pp)
{
	while (pp->idle) {
		struct page *pg = pp->idle;
		pp->idle = pg->next;
		free(pg);
	}
	pp->n_idle = 0;
}
