/*
 * test_dashboard.c - the /dashboard page: its route (GET/HEAD only,
 * counted under its own path label), the embedded HTML with the VictoriaMetrics
 * URL filled in, its headers, and the vm-url option's validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/config.h"
#include "../../exporter/dashboard.h"
#include "../../exporter/routes.h"
#include "../../exporter/serve.h"

static char *render(const char *url)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	dashboard_render(b, url);
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

static void test_route(void **state)
{
	(void)state;
	/* its own route: counted as path="/dashboard", served by the page */
	struct route r = route_request("/dashboard", true, false, false);
	assert_int_equal(r.status, 0);
	assert_string_equal(route_table[r.path].label, "/dashboard");
	assert_true(serve_by_route[r.path] == serve_dashboard);

	r = route_request("/dashboard", false, false, false);
	assert_string_equal(route_table[r.path].label, "/dashboard");
	assert_int_equal(r.status, 405);

	const char *not_it[] = { "/dashboard/", "/dashboard.html", "//dashboard", "/Dashboard", "/dash" };
	for (size_t i = 0; i < sizeof not_it / sizeof not_it[0]; i++) {
		r = route_request(not_it[i], true, true, true);
		assert_int_equal(r.path, ROUTE_OTHER);
		assert_int_equal(r.status, 404);
	}
	r = route_request("/metrics", true, false, false);
	assert_string_equal(route_table[r.path].label, "/metrics");
}

static void test_page_has_url(void **state)
{
	(void)state;
	char *s = render("http://10.0.0.7:8428");
	assert_non_null(strstr(s, "<!DOCTYPE html>"));
	assert_non_null(strstr(s, "<meta name=\"vm-url\" content=\"http://10.0.0.7:8428\">"));
	assert_null(strstr(s, "@VM_URL@"));
	assert_non_null(strstr(s, "</html>"));
	/* self-contained: nothing fetched from elsewhere */
	assert_null(strstr(s, "<script src"));
	assert_null(strstr(s, "<link"));
	free(s);
}

static void test_url_is_escaped(void **state)
{
	(void)state;
	char *s = render("http://x/\"><script>");
	assert_null(strstr(s, "\"><script>"));
	assert_non_null(strstr(s, "http://x/&quot;&gt;&lt;script&gt;"));
	free(s);
}

static void test_headers(void **state)
{
	(void)state;
	struct evhttp_request *req = evhttp_request_new(NULL, NULL);
	assert_non_null(req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	dashboard_add_headers(h);
	const char *csp = evhttp_find_header(h, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_string_equal(evhttp_find_header(h, "X-Content-Type-Options"), "nosniff");
	evhttp_request_free(req);
}

static void test_vm_url_option(void **state)
{
	(void)state;
	assert_true(config_url_valid("http://127.0.0.1:8428"));
	assert_true(config_url_valid("https://vm.example.org/select/0/prometheus"));
	assert_true(config_url_valid("http://[::1]:8428"));
	assert_false(config_url_valid("ftp://x"));
	assert_false(config_url_valid("http://"));
	assert_false(config_url_valid("http:///x"));
	assert_false(config_url_valid("javascript:alert(1)"));
	assert_false(config_url_valid("http://x/\"onload"));
	assert_false(config_url_valid("http://x/a b"));
	assert_false(config_url_valid("http://x/?q=<"));

	struct config cfg;
	config_defaults(&cfg);
	assert_string_equal(cfg.vm_url, "http://127.0.0.1:8428");
	char err[256] = "";
	const char good[] = "[service]\nvm-url=http://192.168.1.5:8428\n";
	assert_int_equal(config_apply_keyfile_data(&cfg, good, sizeof good - 1, "t", err, sizeof err), 0);
	assert_string_equal(cfg.vm_url, "http://192.168.1.5:8428");
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
	snprintf(cfg.vm_url, sizeof cfg.vm_url, "%s", "http://x/'");
	assert_int_not_equal(config_validate(&cfg, err, sizeof err), 0);
	assert_non_null(strstr(err, "vm-url"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),          cmocka_unit_test(test_page_has_url),
		cmocka_unit_test(test_url_is_escaped), cmocka_unit_test(test_headers),
		cmocka_unit_test(test_vm_url_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
