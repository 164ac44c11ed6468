/*
 * test_routes.c - routing decisions for every path x method x debug
 * switch x peer, and the loopback check behind /debug's 403.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../exporter/routes.h"

struct row {
	const char *path;
	bool method_ok, debug, loopback;
	const char *want_label; /* the route it counts under */
	int want_status;
};

/* The four endpoints under all eight combinations, spelled out. */
static const struct row table[] = {
	/* path        GET/HEAD debug  loopback  -> path              status */
	{ "/", true, false, false, "/", 0 },
	{ "/", true, false, true, "/", 0 },
	{ "/", true, true, false, "/", 0 },
	{ "/", true, true, true, "/", 0 },
	{ "/", false, false, false, "/", 405 },
	{ "/", false, false, true, "/", 405 },
	{ "/", false, true, false, "/", 405 },
	{ "/", false, true, true, "/", 405 },

	{ "/metrics", true, false, false, "/metrics", 0 },
	{ "/metrics", true, false, true, "/metrics", 0 },
	{ "/metrics", true, true, false, "/metrics", 0 },
	{ "/metrics", true, true, true, "/metrics", 0 },
	{ "/metrics", false, false, false, "/metrics", 405 },
	{ "/metrics", false, false, true, "/metrics", 405 },
	{ "/metrics", false, true, false, "/metrics", 405 },
	{ "/metrics", false, true, true, "/metrics", 405 },

	/* the static page: open, counted under its own label */
	{ "/dashboard", true, false, false, "/dashboard", 0 },
	{ "/dashboard", true, false, true, "/dashboard", 0 },
	{ "/dashboard", true, true, false, "/dashboard", 0 },
	{ "/dashboard", true, true, true, "/dashboard", 0 },
	{ "/dashboard", false, false, false, "/dashboard", 405 },
	{ "/dashboard", false, false, true, "/dashboard", 405 },
	{ "/dashboard", false, true, false, "/dashboard", 405 },
	{ "/dashboard", false, true, true, "/dashboard", 405 },

	/* off: /debug does not exist, whatever the method or peer */
	{ "/debug", true, false, false, "other", 404 },
	{ "/debug", true, false, true, "other", 404 },
	{ "/debug", false, false, false, "other", 404 },
	{ "/debug", false, false, true, "other", 404 },
	/* on: loopback only; a wrong method is 405 before the peer matters */
	{ "/debug", true, true, true, "/debug", 0 },
	{ "/debug", true, true, false, "/debug", 403 },
	{ "/debug", false, true, true, "/debug", 405 },
	{ "/debug", false, true, false, "/debug", 405 },
};

static void test_endpoints(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct row *t = &table[i];
		struct route r = route_request(t->path, t->method_ok, t->debug, t->loopback);
		assert_true(r.path < ROUTE_COUNT);
		const char *label = route_table[r.path].label;
		if (strcmp(label, t->want_label) != 0 || r.status != t->want_status)
			fail_msg("%s method_ok=%d debug=%d loopback=%d: got path %s status %d, want path %s status %d",
				 t->path, t->method_ok, t->debug, t->loopback, label, r.status, t->want_label,
				 t->want_status);
	}
}

static void test_everything_else_is_404(void **state)
{
	(void)state;
	/* exact match only: no normalisation, no prefixes, no case folding */
	const char *paths[] = {
		"",
		"//",
		"/metrics/",
		"//metrics",
		"/metrics/../metrics",
		"/./metrics",
		"/Metrics",
		"/METRICS",
		"/metricsx",
		"/metrics?x=1",
		"/metrics#a",
		"/debug/",
		"/debug/../",
		"/Debug",
		"/index.html",
		"/favicon.ico",
		"metrics",
		"/ ",
		" /",
		"/%2e",
		"/\n",
		"*",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		for (int combo = 0; combo < 8; combo++) {
			struct route r = route_request(paths[i], combo & 1, combo & 2, combo & 4);
			if (r.path != ROUTE_OTHER || r.status != 404)
				fail_msg("'%s' combo %d: got path %u status %d", paths[i], combo, r.path, r.status);
		}
}

static void test_null_path(void **state)
{
	(void)state;
	for (int combo = 0; combo < 8; combo++) {
		struct route r = route_request(NULL, combo & 1, combo & 2, combo & 4);
		assert_int_equal(r.path, ROUTE_OTHER);
		assert_int_equal(r.status, 404);
	}
}

static void test_loopback(void **state)
{
	(void)state;
	const char *yes[] = { "127.0.0.1", "127.0.0.53",       "127.255.255.255", "127.1.2.3",
			      "::1",       "::ffff:127.0.0.1", "::ffff:127.9.9.9" };
	const char *no[] = { "",
			     "0.0.0.0",
			     "10.0.0.1",
			     "192.168.1.127",
			     "128.0.0.1",
			     "1.27.0.0",
			     "1270.0.0.1",
			     "127",
			     "::",
			     "::2",
			     "::10",
			     "::1:1",
			     "fe80::1",
			     "::ffff:10.0.0.1",
			     "::ffff:128.0.0.1",
			     "2001:db8::1",
			     "localhost" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!address_is_loopback(yes[i]))
			fail_msg("'%s' should be loopback", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (address_is_loopback(no[i]))
			fail_msg("'%s' should not be loopback", no[i]);
	assert_false(address_is_loopback(NULL));
}

/* DNS rebinding: /debug only for loopback names in Host (or none). */
static void test_host_is_local(void **state)
{
	(void)state;
	const char *yes[] = { NULL,        "localhost", "LocalHost:8000", "127.0.0.1",  "127.0.0.1:8000",
			      "127.1.2.3", "[::1]",     "[::1]:9100",     "localhost:1" };
	const char *no[] = { "",
			     "evil.example",
			     "evil.example:8000",
			     "127.0.0.1.evil.example",
			     "127.0.0.1.nip.io:8000",
			     "localhost.evil.example",
			     "localhost:",
			     "localhost:80x",
			     "127.0.0.1:8000:1",
			     "127.0.0.256",
			     "128.0.0.1",
			     "10.0.0.1",
			     "0.0.0.0",
			     "[::1",
			     "[::2]",
			     "[::ffff:7f00:1]x",
			     "::1",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!host_is_local(yes[i]))
			fail_msg("Host '%s' should be local", yes[i] ? yes[i] : "(none)");
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (host_is_local(no[i]))
			fail_msg("Host '%s' should not be local", no[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_host_is_local),
		cmocka_unit_test(test_everything_else_is_404),
		cmocka_unit_test(test_null_path),
		cmocka_unit_test(test_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
