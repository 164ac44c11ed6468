/*
 * requests.c - the request counters: the segment holds a block of
 * SHM_HTTP_COUNTERS (shm/layout.h); this file lays it out as the route
 * table x the status codes below, a bounded label set.
 */
#include "requests.h"

#include "../shm/layout.h"
#include "../shm/seqlock.h"
#include "render.h"
#include "routes.h"
#include "textbuf.h"

/* The status codes counted under their own label; the rest are "other". */
static const struct {
	int status;
	const char *label;
} codes[] = {
	{ 200, "200" }, { 400, "400" }, { 401, "401" }, { 403, "403" }, { 404, "404" },
	{ 405, "405" }, { 429, "429" }, { 500, "500" }, { 503, "503" }, { 0, "other" },
};
#define CODE_COUNT (sizeof codes / sizeof codes[0])
#define CODE_OTHER (CODE_COUNT - 1)

_Static_assert(ROUTE_COUNT *CODE_COUNT <= SHM_HTTP_COUNTERS,
	       "the routes x codes must fit the segment's request counters (SHM_HTTP_COUNTERS)");

unsigned requests_slot(unsigned path, int status)
{
	unsigned c = 0;
	while (c < CODE_OTHER && codes[c].status != status)
		c++;
	if (path >= ROUTE_COUNT)
		path = ROUTE_OTHER;
	return path * (unsigned)CODE_COUNT + c;
}

void requests_count(struct shm_segment *seg, unsigned path, int status)
{
	SHM_ADD(&seg->exporter.requests[requests_slot(path, status)], 1);
}

void requests_render(struct textbuf *tb, const struct shm_segment *seg)
{
	RENDER_FAMILY(tb, "sensor_requests_total", "counter", "HTTP requests answered by the exporter.");
	for (unsigned p = 0; p < ROUTE_COUNT; p++)
		for (unsigned c = 0; c < CODE_COUNT; c++) {
			uint64_t v =
				atomic_load_explicit(&seg->exporter.requests[p * CODE_COUNT + c], memory_order_relaxed);
			if (v == 0 && !(codes[c].status == 200 && route_table[p].path))
				continue; /* keep the label set small: zeros only for the main series */
			SERIES_KEY(tb, "sensor_requests_total", "path", route_table[p].label);
			RENDER_LABEL(tb, "code", codes[c].label);
			tb_char(tb, '}');
			render_value_u64(tb, v);
		}
}
