/*
 * test_webconfig.c - the web config parser (every key, relative paths,
 * YAML spellings, each refusal) and the bound on bcrypt costs (basic
 * auth itself: test_auth.c), and the start's check failing closed when its
 * child's status cannot be collected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../exporter/web.h"
#include "../../exporter/webconfig.h"

static struct web_config wc;
static char err[512];

static int parse(const char *text)
{
	return webconfig_parse(text, strlen(text), "/etc/s", "test.yml", &wc, err, sizeof err);
}

static const char *HASH = "$2b$04$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS";

static void test_full(void **state)
{
	(void)state;
	char text[1024];
	snprintf(text, sizeof text,
		 "---\n# a comment\n"
		 "tls_server_config:\n"
		 "  cert_file: server.crt\n"
		 "  key_file: \"/abs/server.key\"\n"
		 "  client_auth_type: RequireAndVerifyClientCert\n"
		 "  client_ca_file: 'ca.crt'\n"
		 "  min_version: TLS13\n"
		 "  max_version: TLS13\n"
		 "basic_auth_users: {prom: '%s', other: '%s'}\n",
		 HASH, HASH);
	assert_int_equal(parse(text), 0);
	assert_true(wc.tls);
	assert_string_equal(wc.cert_file, "/etc/s/server.crt");
	assert_string_equal(wc.key_file, "/abs/server.key");
	assert_string_equal(wc.client_ca_file, "/etc/s/ca.crt");
	assert_int_equal(wc.client_auth, CLIENT_AUTH_REQUIRE_VERIFY);
	assert_int_equal(wc.min_version, TLS1_3_VERSION);
	assert_int_equal(wc.max_version, TLS1_3_VERSION);
	assert_int_equal(wc.n_users, 2);
	assert_string_equal(wc.users[1].name, "other");
	assert_string_equal(wc.users[0].hash, HASH);
}

/* node_exporter 1.5.0's keys: Go's names mapped to OpenSSL's, headers kept */
static void test_toolkit_keys(void **state)
{
	(void)state;
	assert_int_equal(parse("tls_server_config:\n"
			       "  cert_file: a\n  key_file: b\n"
			       "  cipher_suites:\n"
			       "    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
			       "    - TLS_AES_128_GCM_SHA256\n"
			       "    - TLS_RSA_WITH_AES_256_CBC_SHA\n"
			       "  curve_preferences: [X25519, CurveP384]\n"
			       "  prefer_server_cipher_suites: no\n"
			       "http_server_config:\n"
			       "  http2: false\n"
			       "  headers:\n"
			       "    X-Frame-Options: sameorigin\n"
			       "    X-XSS-Protection: 1; mode=block\n"),
			 0);
	assert_string_equal(wc.ciphers, "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA");
	assert_int_equal(wc.n_ciphers, 3);
	assert_string_equal(wc.curves, "X25519:P-384");
	assert_false(wc.prefer_server_ciphers);
	assert_true(wc.http_section);
	assert_false(wc.http2);
	assert_int_equal(wc.n_headers, 2);
	assert_string_equal(wc.headers[0].name, "X-Frame-Options");
	assert_string_equal(wc.headers[0].value, "sameorigin");
	assert_string_equal(wc.headers[1].value, "1; mode=block");
	/* exporter-toolkit's defaults */
	assert_int_equal(parse("http_server_config:\n"), 0);
	assert_true(wc.http2);
	assert_true(wc.prefer_server_ciphers);
	assert_int_equal(wc.n_ciphers, 0);
	assert_string_equal(wc.curves, "");
}

static void test_defaults_and_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_false(wc.tls);
	assert_int_equal(wc.n_users, 0);
	assert_int_equal(parse("# nothing\n"), 0);
	assert_int_equal(parse("tls_server_config:\n  cert_file: a\n  key_file: b\n"), 0);
	assert_int_equal(wc.min_version, TLS1_2_VERSION); /* exporter-toolkit's default */
	assert_int_equal(wc.max_version, 0);
	assert_int_equal(wc.client_auth, CLIENT_AUTH_NONE);
	assert_int_equal(parse("basic_auth_users:\n"), 0);
	assert_int_equal(wc.n_users, 0);
}

static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} rows[] = {
		{ "tls_server_config:\n  cert_file: a\n", "needs 'key_file'" },
		{ "tls_server_config:\n  key_file: a\n", "needs 'cert_file'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  bogus: 1\n",
		  "unknown key 'tls_server_config.bogus'" },
		{ "http_server_config:\n  http3: false\n", "unknown key 'http_server_config.http3'" },
		{ "http_server_config:\n  http2: maybe\n", "'http_server_config.http2' must be true or false" },
		{ "http_server_config:\n  headers:\n    Server: x\n", "HTTP header 'Server' can not be configured" },
		{ "http_server_config:\n  headers:\n    X-Frame-Options: DENY\n",
		  "invalid value for X-Frame-Options: expected deny or sameorigin" },
		{ "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", "expected nosniff" },
		{ "http_server_config:\n  headers:\n    X-XSS-Protection: \"1\\r\\nSet-Cookie: a\"\n",
		  "control character" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]\n",
		  "unknown cipher 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: ECDHE-RSA-AES128-SHA\n",
		  "'cipher_suites' must be a list" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n",
		  "lacks the AES_128_GCM_SHA256 suite HTTP/2 requires" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P-256]\n",
		  "unknown curve 'P-256'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  max_version: TLS12\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
		  "TLS 1.3 suites only" },
		{ "basic_auth_users:\n  u: plain\n", "password of 'u' is not a bcrypt hash" },
		{ "basic_auth_users:\n  u: $6$x$y\n", "not a bcrypt hash" },
		{ "basic_auth_users:\n  'a:b': x\n", "without ':'" },
		{ "basic_auth_users: [a, b]\n", "must be a mapping" },
		{ "tls_server_config: yes\n", "must be a mapping" },
		{ "- a\n- b\n", "the document must be a mapping" },
		{ "tls_server_config: *x\n", "aliases" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS9\n", "'min_version' must be" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n",
		  "needs 'client_ca_file'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", "does not verify" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
		  "older than" },
		{ "tls_server_config:\n  cert_file: [a]\n  key_file: b\n", "'cert_file' must be a file name" },
		{ "a: 1\n---\nb: 2\n", "unknown key 'a'" },
		{ "tls_server_config:\n  cert_file: \"a\n", "not valid YAML" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		err[0] = '\0';
		if (parse(rows[i].text) == 0)
			fail_msg("accepted: %s", rows[i].text);
		if (!strstr(err, rows[i].want) || !strstr(err, "test.yml") || strchr(err, '\n'))
			fail_msg("for %s: got '%s', want '%s' in one line naming the file", rows[i].text, err,
				 rows[i].want);
	}
}

static void test_is_bcrypt(void **state)
{
	(void)state;
	assert_true(webconfig_is_bcrypt(HASH));
	assert_true(webconfig_is_bcrypt("$2y$10$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS"));
	assert_true(webconfig_is_bcrypt("$2a$31$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS"));
	assert_false(webconfig_is_bcrypt("$2x$10$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS"));
	assert_false(webconfig_is_bcrypt("$2b$03$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS"));
	assert_false(webconfig_is_bcrypt("$2b$32$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS"));
	assert_false(webconfig_is_bcrypt("$2b$10$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXj"));
	assert_false(webconfig_is_bcrypt("$2b$10$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKX!S"));
	assert_false(webconfig_is_bcrypt("$6$salt$hash"));
	assert_false(webconfig_is_bcrypt(""));
}

/* "Basic base64(user:pass)" */
static void test_cost_bound(void **state)
{
	(void)state;
	char text[256];
	snprintf(text, sizeof text, "basic_auth_users:\n  prom: '%s'\n  slow: '%s'\n", HASH,
		 "$2b$17$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS");
	assert_int_equal(parse(text), 0);
	assert_int_equal(webconfig_bcrypt_cost(wc.users[0].hash), 4);
	assert_int_equal(webconfig_bcrypt_cost(wc.users[1].hash), 17);
	assert_int_equal(webconfig_bcrypt_cost("plain"), 0);
	assert_int_equal(webconfig_check_cost(&wc, 17, "test.yml", err, sizeof err), 0);
	assert_int_equal(webconfig_check_cost(&wc, 12, "test.yml", err, sizeof err), -1);
	assert_non_null(strstr(err, "'slow' has bcrypt cost 17, above auth-max-bcrypt-cost 12"));
}

/* The start's check in a child: a child whose status cannot be collected
 * (SIGCHLD ignored, so waitpid fails with ECHILD) fails the check. */
static void test_check_fails_closed(void **state)
{
	(void)state;
	char path[] = "/tmp/test_webconfig.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char text[256];
	int len = snprintf(text, sizeof text, "basic_auth_users:\n  prom: '%s'\n", HASH);
	assert_int_equal(write(fd, text, (size_t)len), len);
	close(fd);
	assert_int_equal(web_check(path, 12, err, sizeof err), 0);

	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	int rc = web_check(path, 12, err, sizeof err);
	sigaction(SIGCHLD, &old, NULL);
	unlink(path);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "waitpid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_toolkit_keys),
		cmocka_unit_test(test_defaults_and_empty),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_is_bcrypt),
		cmocka_unit_test(test_cost_bound),
		cmocka_unit_test(test_check_fails_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
