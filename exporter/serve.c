/*
 * serve.c - the bodies of the exporter's routes, rendered from the shared
 * segment (render.c) or, for /dashboard, a static page (dashboard.c).
 */
#include "serve.h"

#include <event2/buffer.h>

#include "../common/config.h"
#include "auth.h"
#include "dashboard.h"
#include "render.h"
#include "render_process.h"

#define DEBUG_READINGS 64       /* newest readings /debug lists */
#define METRICS_SLACK_BYTES 256 /* a page a little longer than the last still fits */

int serve_health(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	*type = "application/json";
	return render_health(body, c->seg, c->now_mono_ns);
}

/* The page is about as long as the last one: room for that is made
 * first, so it is written in one piece. */
int serve_metrics(const struct serve_ctx *c, struct evbuffer *body, const char **type)
{
	evbuffer_expand(body, *c->metrics_bytes + METRICS_SLACK_BYTES);
	render_metrics(body, c->seg, c->now_mono_ns);
	render_process(body, c->self, c->now_mono_ns); /* the exporter's own process_* families */
	if (c->auth_on)
		auth_render_metrics(body);
	*c->metrics_bytes = evbuffer_get_length(body);
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
