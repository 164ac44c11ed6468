/*
 * webconfig.h - the exporter's web config file: TLS and basic auth in the
 * format of Prometheus' exporter-toolkit (node_exporter's
 * --web.config.file), the subset that matters on a device:
 *
 *   tls_server_config:
 *     cert_file: server.crt        # PEM, chain allowed
 *     key_file: server.key
 *     client_auth_type: RequireAndVerifyClientCert
 *     client_ca_file: ca.crt
 *     min_version: TLS12           # TLS10..TLS13
 *     max_version: TLS13
 *     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]  # Go's names
 *     curve_preferences: [X25519, CurveP256]
 *     prefer_server_cipher_suites: true
 *   http_server_config:
 *     headers:                     # sent on every response
 *       X-Frame-Options: deny
 *     http2: true                  # accepted: the service speaks HTTP/1.1
 *   basic_auth_users:
 *     prometheus: $2y$10$...       # bcrypt only
 *
 * The keys of node_exporter 1.5.0's exporter-toolkit (0.8), each with its
 * meaning there. Relative paths are relative to the file's directory, as in
 * exporter-toolkit. Any other key is an error, so a typo is never silently
 * ignored.
 */
#ifndef SENSOR_EXPORTER_WEBCONFIG_H
#define SENSOR_EXPORTER_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEBCONFIG_MAX_BYTES 65536 /* the file; more is refused */
#define WEBCONFIG_MAX_USERS 64
#define WEBCONFIG_PATH_LEN 512
#define WEBCONFIG_NAME_LEN 64
#define WEBCONFIG_HASH_LEN 61     /* bcrypt: 60 characters */
#define WEBCONFIG_CIPHERS_LEN 512 /* OpenSSL's names of the cipher_suites, ':' between */
#define WEBCONFIG_CURVES_LEN 64   /* OpenSSL's names of the curve_preferences */
#define WEBCONFIG_MAX_HEADERS 5   /* exporter-toolkit allows five header names */
#define WEBCONFIG_HEADER_VALUE_LEN 1024

/* exporter-toolkit's names, in order of strictness. */
enum client_auth {
	CLIENT_AUTH_NONE,            /* NoClientCert (the default) */
	CLIENT_AUTH_REQUEST,         /* RequestClientCert: asked for, not checked */
	CLIENT_AUTH_REQUIRE_ANY,     /* RequireAnyClientCert: required, not checked */
	CLIENT_AUTH_VERIFY_IF_GIVEN, /* VerifyClientCertIfGiven */
	CLIENT_AUTH_REQUIRE_VERIFY,  /* RequireAndVerifyClientCert */
};

struct web_user {
	char name[WEBCONFIG_NAME_LEN];
	char hash[WEBCONFIG_HASH_LEN];
};

struct web_header {
	char name[32];
	char value[WEBCONFIG_HEADER_VALUE_LEN];
};

struct web_config {
	bool tls; /* tls_server_config present */
	char cert_file[WEBCONFIG_PATH_LEN];
	char key_file[WEBCONFIG_PATH_LEN];
	char client_ca_file[WEBCONFIG_PATH_LEN];
	enum client_auth client_auth;
	int min_version; /* OpenSSL's TLS1_x_VERSION; min defaults to TLS 1.2 */
	int max_version; /* 0: the newest OpenSSL has */
	/* cipher_suites for TLS 1.0-1.2 in OpenSSL's names; n_ciphers counts
	 * the names given, TLS 1.3 ones included (Go does not apply those) */
	char ciphers[WEBCONFIG_CIPHERS_LEN];
	unsigned n_ciphers;
	char curves[WEBCONFIG_CURVES_LEN]; /* "": OpenSSL's default groups */
	bool prefer_server_ciphers;        /* read, and like Go's since 1.18 without effect */
	bool http_section;                 /* http_server_config present */
	bool http2;                        /* as given; default true, as exporter-toolkit's */
	unsigned n_headers;
	struct web_header headers[WEBCONFIG_MAX_HEADERS];
	unsigned n_users;
	struct web_user users[WEBCONFIG_MAX_USERS];
};

/*
 * Read and check `path`. 0 on success; -1 with a one-line reason in err
 * (naming the file and the key) otherwise. Fails closed: a file that is
 * not a regular file, cannot be read whole, changes size while read or
 * configures neither TLS nor users (an empty file) is refused, where
 * exporter-toolkit would serve plain HTTP. Files are not opened here
 * except the config itself: tls.c loads the certificates.
 */
int webconfig_load(const char *path, struct web_config *wc, char *err, size_t errlen);

/* The same from text in memory (`dir` for relative paths; the tests and
 * the fuzzer use it). */
int webconfig_parse(const char *text, size_t len, const char *dir, const char *origin, struct web_config *wc, char *err,
		    size_t errlen);

/* The cost of a bcrypt hash (webconfig_is_bcrypt), else 0. */
int webconfig_bcrypt_cost(const char *hash);

/*
 * Is every user's bcrypt cost at most `max_cost`? -1 with a one-line
 * reason naming the user and the cost otherwise: each step of cost
 * doubles the CPU time of every check.
 */
int webconfig_check_cost(const struct web_config *wc, int max_cost, const char *origin, char *err, size_t errlen);

/* Is `s` a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 more characters
 * of bcrypt's base64)? */
bool webconfig_is_bcrypt(const char *s);

#endif
