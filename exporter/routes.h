/*
 * routes.h - the exporter's routes, and which one a request is for,
 * decided from its method and path alone (no I/O, so it is unit-tested
 * and fuzzed directly).
 */
#ifndef SENSOR_EXPORTER_ROUTES_H
#define SENSOR_EXPORTER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The route table: each path the exporter answers and the label its
 * requests are counted under (sensor_requests_total{path}), by the route's
 * index. Matching is exact; the last entry, path NULL, is everything else
 * ("other", 404). What serves each route is serve.c's serve_by_route,
 * indexed the same way: adding a route is one line in each, and an enum
 * entry here. (The table names no handler, so that counting and rendering
 * requests, below the handlers, can read it.)
 */
enum route_index { ROUTE_HEALTH, ROUTE_METRICS, ROUTE_DEBUG, ROUTE_DASHBOARD, ROUTE_OTHER, ROUTE_COUNT };

struct route_def {
	const char *path;  /* exact request path; NULL: the catch-all */
	const char *label; /* stable: a metric label */
	bool debug_only;   /* /debug: 404 unless enabled, 403 off loopback */
};

extern const struct route_def route_table[];

struct route {
	unsigned path; /* index into route_table */
	int status;    /* 0: serve it; otherwise answer this status */
};

/*
 * `path` is the request's path without the query string, as sent.
 * `method_ok` is true for GET and HEAD. A debug-only route answers 404
 * unless `debug_enabled`, and 403 to a client that is not on loopback.
 */
struct route route_request(const char *path, bool method_ok, bool debug_enabled, bool peer_is_loopback);

/* Is `addr` (as printed by the peer) a loopback address? */
bool address_is_loopback(const char *addr);

/*
 * May a request with this Host header see /debug? Only loopback names
 * (localhost, 127.x.x.x, [::1], each with an optional :port) or no Host
 * at all (HTTP/1.0). A browser tricked by DNS rebinding into calling us
 * sends the attacker's name, which is refused even from loopback.
 */
bool host_is_local(const char *host);

/*
 * The path of an origin-form request-target ("/p?q#f" -> "/p"), as sent,
 * copied into buf (len >= 1); "" when it is too long to be any route.
 * libevent's URI parser reads "//host/metrics" as an authority and a path,
 * which is not what a client asking for that origin-form path means.
 * NULL for the other forms (absolute "http://host/p", "*", garbage).
 */
const char *route_target_path(const char *target, char *buf, size_t len);

#endif
