/*
 * routes.c - exact-match routing: "/metrics/", "/metrics/../x" or
 * "//metrics" are simply not ours and get 404, so there is no path
 * normalisation to get wrong.
 */
#include "routes.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

const struct route_def route_table[] = {
	/* path                      label         debug_only */
	[ROUTE_HEALTH] = { "/", "/", false },         [ROUTE_METRICS] = { "/metrics", "/metrics", false },
	[ROUTE_DEBUG] = { "/debug", "/debug", true }, [ROUTE_DASHBOARD] = { "/dashboard", "/dashboard", false },
	[ROUTE_OTHER] = { NULL, "other", false },
};
_Static_assert(sizeof route_table / sizeof route_table[0] == ROUTE_COUNT, "ROUTE_COUNT counts route_table");

struct route route_request(const char *path, bool method_ok, bool debug_enabled, bool peer_is_loopback)
{
	struct route r = { ROUTE_OTHER, 404 };
	if (!path)
		return r;
	unsigned i = 0;
	while (i < ROUTE_OTHER && strcmp(path, route_table[i].path) != 0)
		i++;
	if (i == ROUTE_OTHER || (route_table[i].debug_only && !debug_enabled))
		return r; /* 404, whatever the method */

	r.path = i;
	if (!method_ok)
		r.status = 405;
	else if (route_table[i].debug_only && !peer_is_loopback)
		r.status = 403;
	else
		r.status = 0;
	return r;
}

bool address_is_loopback(const char *addr)
{
	if (!addr)
		return false;
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0;
}

bool host_is_local(const char *host)
{
	if (!host)
		return true;
	char name[64];
	size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	if (n >= sizeof name || (host[0] == '[' && host[n - 1] != ']'))
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	const char *port = host + n;
	if (*port == ':' && (port[1] == '\0' || port[1 + strspn(port + 1, "0123456789")] != '\0'))
		return false;
	if (*port != '\0' && *port != ':')
		return false;
	if (g_ascii_strcasecmp(name, "localhost") == 0 || strcmp(name, "[::1]") == 0)
		return true;
	/* 127.a.b.c, digits and dots only: "127.0.0.1.evil.example" is not */
	unsigned a, b, c, d;
	char end;
	return strspn(name, "0123456789.") == n && sscanf(name, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) == 4 &&
	       a == 127 && b < 256 && c < 256 && d < 256;
}

const char *route_target_path(const char *target, char *buf, size_t len)
{
	if (!target || target[0] != '/' || len == 0)
		return NULL;
	size_t n = strcspn(target, "?#");
	if (n >= len)
		n = 0; /* longer than any route: "" cannot match one */
	memcpy(buf, target, n);
	buf[n] = '\0';
	return buf;
}
