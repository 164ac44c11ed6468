/*
 * routes.h - which endpoint a request is for, decided from its method and
 * path alone (no I/O, so it is unit-tested and fuzzed directly).
 */
#ifndef SENSOR_EXPORTER_ROUTES_H
#define SENSOR_EXPORTER_ROUTES_H

#include <stdbool.h>

#include "../shm/layout.h"

struct route {
	enum shm_http_path path; /* SHM_PATH_OTHER: not ours, or the dashboard */
	int status;              /* 0: serve it; otherwise answer this status */
	bool dashboard;          /* /dashboard: counted under path "other" */
};

/*
 * `path` is the request's path without the query string, as sent.
 * `method_ok` is true for GET and HEAD. /dashboard is the static page
 * (exporter/dashboard.c), its requests counted as path="other" so that
 * the segment layout stays as it is. /debug answers 404 unless
 * `debug_enabled`, and 403 to a client that is not on loopback.
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
