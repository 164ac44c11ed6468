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

/* The page is about as long as the last one: room for that is made
 * first, so it is written in one piece. Its rendering is timed (up to the
 * body's end, before any compression) and the page shows the time of the
 * scrapes before it. */
int serve_metrics(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	struct metrics_record *m = c->metrics;
	evbuffer_expand(body, m->last_bytes + METRICS_SLACK_BYTES);
	render_metrics(body, c->seg, c->now_mono_ns);
	render_process(body, c->self, c->now_mono_ns); /* the exporter's own process_* families */
	render_scrape_cost(body, m->render_seconds, m->renders);
	if (c->auth)
		auth_render_metrics(c->auth, body);
	if (c->web)
		web_render_metrics(c->web, body);
	m->last_bytes = evbuffer_get_length(body);
	int64_t done_ns = monotonic_ns();
	m->render_seconds += done_ns > c->now_mono_ns ? (double)(done_ns - c->now_mono_ns) / 1e9 : 0.0;
	m->renders++;
	*type = "text/plain; version=0.0.4; charset=utf-8";
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
