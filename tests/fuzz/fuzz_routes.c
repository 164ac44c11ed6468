/*
 * fuzz_routes.c - fuzz target: request routing (exporter/routes.c), as the
 * exporter calls it: the request-target as sent -> its path -> a route;
 * and the peer-address check that guards /debug.
 * Input: one flags byte (method ok, debug on, peer on loopback), then the
 * request-target (also used as a peer address).
 */
#include <string.h>

#include "../../exporter/routes.h"
#include "../../exporter/serve.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char target[2048];
	size_t n = size - 1 < sizeof target - 1 ? size - 1 : sizeof target - 1;
	memcpy(target, data + 1, n);
	target[n] = '\0';
	bool method_ok = data[0] & 1, debug = data[0] & 2, loopback = data[0] & 4;

	char buf[64];
	const char *path = route_target_path(target, buf, (data[0] >> 3) % 2 ? sizeof buf : (size_t)(1 + data[0] % 16));
	if (path) {
		FUZZ_ASSERT(path == buf && strlen(path) < sizeof buf);
		FUZZ_ASSERT(path[0] == '\0' || strncmp(path, target, strlen(path)) == 0);
		FUZZ_ASSERT(!strchr(path, '?') && !strchr(path, '#'));
	} else {
		FUZZ_ASSERT(target[0] != '/');
	}
	struct route r = route_request(path, method_ok, debug, loopback);
	FUZZ_ASSERT(r.status == 0 || r.status == 403 || r.status == 404 || r.status == 405);
	FUZZ_ASSERT(r.path < ROUTE_COUNT);
	FUZZ_ASSERT((r.path == ROUTE_OTHER) == (r.status == 404));
	if (r.status == 0) /* served: one of ours, by exact match */
		FUZZ_ASSERT(path && method_ok && path[0] == '/');
	if (r.status == 0) /* what is served has something to serve it */
		FUZZ_ASSERT(serve_by_route[r.path] && strcmp(path, route_table[r.path].path) == 0);
	if (route_table[r.path].debug_only && r.status == 0)
		FUZZ_ASSERT(debug && loopback);
	(void)address_is_loopback(target);
	return 0;
}
