/*
 * routes.h - which endpoint a request is for, decided from its method and
 * path alone (no I/O, so it is unit-tested and fuzzed directly).
 */
#ifndef SENSOR_EXPORTER_ROUTES_H
#define SENSOR_EXPORTER_ROUTES_H

#include <stdbool.h>

#include "../shm/layout.h"

struct route {
	enum shm_http_path path; /* SHM_PATH_OTHER: not ours */
	int status;              /* 0: serve it; otherwise answer this status */
};

/*
 * `path` is the request's path without the query string, as sent.
 * `method_ok` is true for GET and HEAD. /debug answers 404 unless
 * `debug_enabled`, and 403 to a client that is not on loopback.
 */
struct route route_request(const char *path, bool method_ok, bool debug_enabled, bool peer_is_loopback);

/* Is `addr` (as printed by the peer) a loopback address? */
bool address_is_loopback(const char *addr);

#endif
