/*
 * serve.h - what answers each of the exporter's routes: one function a
 * route (routes.c's table names them), each filling a response body from
 * the segment and returning the HTTP status.
 */
#ifndef SENSOR_EXPORTER_SERVE_H
#define SENSOR_EXPORTER_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routes.h"

struct auth;
struct web;
#include "pagepool.h"

struct config;
struct evbuffer;
struct evkeyvalq;
struct selfstat_src;
struct shm_segment;

/* The exporter's own record of its /metrics bodies. */
struct metrics_record {
	size_t last_bytes;     /* the last body's length: the next one's room */
	double render_seconds; /* time spent rendering bodies, all scrapes */
	uint64_t renders;      /* bodies rendered */
	struct pagepool pages; /* the blocks bodies are rendered into */
};

/* What a request's answer may depend on. */
struct serve_ctx {
	const struct shm_segment *seg;
	const struct config *cfg;
	int64_t now_mono_ns;
	const struct auth *auth;        /* basic auth configured (else NULL): /metrics adds its counters */
	const struct web *web;          /* a web config (else NULL): /metrics adds its reloads */
	struct evkeyvalq *headers;      /* the response's headers, for a route that adds some */
	struct selfstat_src *self;      /* /proc/self, for /metrics' process_* families */
	struct metrics_record *metrics; /* updated by each /metrics */
};

/* Fill `body`, set `*type` (its Content-Type), return the HTTP status. */
typedef int serve_fn(const struct serve_ctx *c, struct evbuffer *body, const char **type);

serve_fn serve_health;    /* GET /: JSON health, 200 or 503 */
serve_fn serve_metrics;   /* GET /metrics: Prometheus text */
serve_fn serve_debug;     /* GET /debug: the segment as JSON */
serve_fn serve_dashboard; /* GET /dashboard: the static page */

/* What serves each route of routes.h's table, by the route's index; NULL
 * for the catch-all, which is never served. */
extern serve_fn *const serve_by_route[];

#endif
