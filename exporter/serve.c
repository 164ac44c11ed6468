/*
 * serve.c - the bodies of the exporter's routes, rendered from the shared
 * segment (render.c) or, for /dashboard, a static page (dashboard.c).
 */
#include "serve.h"

#include <event2/buffer.h>

#include "../common/config.h"
#include "../shm/clock.h"
#include "auth.h"
#include "dashboard.h"
#include "memwatch.h"
#include "render.h"
#include "render_process.h"
#include "web.h"

#define DEBUG_READINGS 64       /* newest readings /debug lists */
#define METRICS_SLACK_BYTES 256 /* a page a little longer than the last still fits */

int serve_health(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	*type = "application/json";
	return render_health(body, c->seg, c->now_mono_ns);
}

/* libevent is done with a page's block (sent, or dropped). */
static void release_page(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	pagepool_put(arg);
}

/* The page is written into a block of the pool about as long as the last
 * page, so in one piece, and handed to the body by reference: no copy,
 * and no chain allocated and freed per scrape. Its rendering is timed
 * (up to the body's end, before any compression) and the page shows the
 * time of the scrapes before it. A block that cannot be had or grown
 * counts as a failed allocation: the exporter answers 500. */
int serve_metrics(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	struct metrics_record *m = c->metrics;
	*type = "text/plain; version=0.0.4; charset=utf-8";
	struct page *pg = pagepool_get(&m->pages, m->last_bytes + METRICS_SLACK_BYTES);
	if (!pg) {
		memwatch_note_failure();
		return 500;
	}
	struct textbuf tb;
	tb_begin_page(&tb, pg);
	render_metrics_text(&tb, c->seg, c->now_mono_ns);
	render_process_text(&tb, c->self, c->now_mono_ns); /* the exporter's own process_* families */
	render_scrape_cost_text(&tb, m->render_seconds, m->renders);
	size_t len = tb_end(&tb);
	pg = tb.page;
	if (tb.failed || evbuffer_add_reference(body, pg->data, len, release_page, pg) != 0) {
		pagepool_put(pg);
		memwatch_note_failure();
		return 500;
	}
	if (c->auth)
		auth_render_metrics(c->auth, body);
	if (c->web)
		web_render_metrics(c->web, body);
	m->last_bytes = evbuffer_get_length(body);
	int64_t done_ns = monotonic_ns();
	m->render_seconds += done_ns > c->now_mono_ns ? (double)(done_ns - c->now_mono_ns) / 1e9 : 0.0;
	m->renders++;
	return 200;
}

int serve_debug(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	render_debug(body, c->seg, c->now_mono_ns, DEBUG_READINGS);
	*type = "application/json";
	return 200;
}

int serve_dashboard(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	dashboard_render(body, c->cfg->vm_url);
	dashboard_add_headers(c->headers);
	*type = "text/html; charset=utf-8";
	return 200;
}

serve_fn *const serve_by_route[ROUTE_COUNT] = {
	[ROUTE_HEALTH] = serve_health, [ROUTE_METRICS] = serve_metrics,
	[ROUTE_DEBUG] = serve_debug,   [ROUTE_DASHBOARD] = serve_dashboard,
	[ROUTE_OTHER] = NULL,
};
