/*
 * webconfig.c - the web config file (see webconfig.h), parsed with
 * libyaml's event API.
 *
 * Why libyaml and not a parser of our own: the file is written by people
 * and by configuration tools, in any of YAML's spellings of the same
 * mapping (quoted or plain scalars, flow or block style, comments, a
 * leading "---"), and a home-made subset would refuse some of them or,
 * worse, read them wrongly. libyaml is Debian's maintained YAML 1.1
 * parser (about 140 KB), and only its events are used: the document must
 * be a mapping of known keys to mappings of known keys to scalars;
 * anchors, aliases, tags and sequences are refused. The file is bounded
 * (WEBCONFIG_MAX_BYTES) and read whole before parsing.
 */
#include "webconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optlibs.h"

struct parse {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	const char *origin, *dir;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parse *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "web config %s: %s", p->origin, what);
	return -1;
}

/* The next event into p->ev (the previous one freed). */
static int next(struct parse *p)
{
	if (p->have_ev)
		libyaml.yaml_event_delete(&p->ev);
	p->have_ev = false;
	if (!libyaml.yaml_parser_parse(&p->parser, &p->ev)) {
		return fail(p, "not valid YAML (%s, line %zu)", p->parser.problem ? p->parser.problem : "error",
			    p->parser.problem_mark.line + 1);
	}
	p->have_ev = true;
	if (p->ev.type == YAML_ALIAS_EVENT)
		return fail(p, "aliases are not supported");
	return 0;
}

/* The current event as a plain scalar string, or NULL. */
static const char *scalar(const struct parse *p)
{
	return p->ev.type == YAML_SCALAR_EVENT ? (const char *)p->ev.data.scalar.value : NULL;
}

static int copy_path(struct parse *p, const char *key, char *dst, size_t len)
{
	const char *v = scalar(p);
	if (!v)
		return fail(p, "'%s' must be a file name", key);
	if (v[0] == '\0')
		return 0;
	int n = v[0] == '/' || !p->dir ? snprintf(dst, len, "%s", v) : snprintf(dst, len, "%s/%s", p->dir, v);
	if (n < 0 || (size_t)n >= len)
		return fail(p, "'%s' is too long", key);
	return 0;
}

static int tls_version(struct parse *p, const char *key, int *out)
{
	static const struct {
		const char *name;
		int v;
	} names[] = { { "TLS10", TLS1_VERSION },
		      { "TLS11", TLS1_1_VERSION },
		      { "TLS12", TLS1_2_VERSION },
		      { "TLS13", TLS1_3_VERSION } };
	const char *v = scalar(p);
	for (size_t i = 0; v && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i].name) == 0) {
			*out = names[i].v;
			return 0;
		}
	return fail(p, "'%s' must be TLS10, TLS11, TLS12 or TLS13, got '%s'", key, v ? v : "(not a scalar)");
}

static int client_auth(struct parse *p, enum client_auth *out)
{
	static const char *const names[] = { "NoClientCert", "RequestClientCert", "RequireAnyClientCert",
					     "VerifyClientCertIfGiven", "RequireAndVerifyClientCert" };
	const char *v = scalar(p);
	for (size_t i = 0; v && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (enum client_auth)i;
			return 0;
		}
	return fail(p,
		    "'client_auth_type' must be NoClientCert, RequestClientCert, RequireAnyClientCert, "
		    "VerifyClientCertIfGiven or RequireAndVerifyClientCert, got '%s'",
		    v ? v : "(not a scalar)");
}

/*
 * The next key of a mapping into key[64], with the event of its value
 * loaded: 1; the end of the mapping: 0; an error: -1. `where` names the
 * mapping in the error.
 */
static int next_key(struct parse *p, char key[64], const char *where)
{
	if (next(p) != 0)
		return -1;
	if (p->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	const char *k = scalar(p);
	if (!k)
		return fail(p, "a key of %s is not a scalar", where);
	snprintf(key, 64, "%s", k);
	return next(p) != 0 ? -1 : 1;
}

/* Go's crypto/tls names of the suites exporter-toolkit accepts
 * (tls.CipherSuites(), Go 1.19) and OpenSSL's names of the same suites;
 * NULL for TLS 1.3's, which Go's cipher_suites does not govern. */
static const struct {
	const char *go, *openssl;
} cipher_names[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384" },
	{ "TLS_AES_128_GCM_SHA256", NULL },
	{ "TLS_AES_256_GCM_SHA384", NULL },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305" },
};

/* exporter-toolkit's curve names and OpenSSL's. */
static const struct {
	const char *go, *openssl;
} curve_names[] = {
	{ "CurveP256", "P-256" }, { "CurveP384", "P-384" }, { "CurveP521", "P-521" }, { "X25519", "X25519" }
};

/* The headers exporter-toolkit lets a file set, and the values it allows
 * (NULL: any). */
static const struct {
	const char *name, *values[2];
} header_names[] = {
	{ "Strict-Transport-Security", { NULL, NULL } }, { "X-Content-Type-Options", { "nosniff", NULL } },
	{ "X-Frame-Options", { "deny", "sameorigin" } }, { "X-XSS-Protection", { NULL, NULL } },
	{ "Content-Security-Policy", { NULL, NULL } },
};

/* YAML 1.1's booleans, as Go's yaml.v2 reads them. */
static int boolean(struct parse *p, const char *key, bool *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
	const char *v = scalar(p);
	for (size_t i = 0; v && i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return fail(p, "'%s' must be true or false, got '%s'", key, v ? v : "(not a scalar)");
}

/* Append `name` to the ':'-separated list `list`. */
static int append_name(struct parse *p, const char *key, char *list, size_t len, const char *name)
{
	size_t n = strlen(list);
	int w = snprintf(list + n, len - n, "%s%s", n ? ":" : "", name);
	if (w < 0 || (size_t)w >= len - n)
		return fail(p, "'%s' lists too many names", key);
	return 0;
}

static int cipher(struct parse *p, const char *key, const char *v, struct web_config *wc)
{
	for (size_t i = 0; i < sizeof cipher_names / sizeof cipher_names[0]; i++)
		if (strcmp(v, cipher_names[i].go) == 0) {
			wc->n_ciphers++;
			return cipher_names[i].openssl
				       ? append_name(p, key, wc->ciphers, sizeof wc->ciphers, cipher_names[i].openssl)
				       : 0;
		}
	return fail(p,
		    "'%s': unknown cipher '%s' (Go's crypto/tls names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
		    key, v);
}

static int curve(struct parse *p, const char *key, const char *v, struct web_config *wc)
{
	for (size_t i = 0; i < sizeof curve_names / sizeof curve_names[0]; i++)
		if (strcmp(v, curve_names[i].go) == 0)
			return append_name(p, key, wc->curves, sizeof wc->curves, curve_names[i].openssl);
	return fail(p, "'%s': unknown curve '%s' (CurveP256, CurveP384, CurveP521 or X25519)", key, v);
}

/* A sequence of scalars, each given to fn; a null value is an empty one. */
static int names_list(struct parse *p, const char *key, struct web_config *wc,
		      int (*fn)(struct parse *, const char *, const char *, struct web_config *))
{
	if (p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0 && p->ev.data.scalar.plain_implicit)
		return 0;
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "'%s' must be a list", key);
	for (;;) {
		if (next(p) != 0)
			return -1;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		const char *v = scalar(p);
		if (!v)
			return fail(p, "'%s' must be a list of names", key);
		if (fn(p, key, v, wc) != 0)
			return -1;
	}
}

static int header(struct parse *p, const char *name, struct web_config *wc)
{
	const char *v = scalar(p);
	if (!v)
		return fail(p, "http_server_config.headers: the value of '%s' must be a string", name);
	size_t i = 0;
	for (; i < sizeof header_names / sizeof header_names[0]; i++)
		if (strcmp(name, header_names[i].name) == 0)
			break;
	if (i == sizeof header_names / sizeof header_names[0])
		return fail(p,
			    "http_server_config.headers: HTTP header '%s' can not be configured (only "
			    "Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, "
			    "Content-Security-Policy)",
			    name);
	if (header_names[i].values[0] && strcmp(v, header_names[i].values[0]) != 0 &&
	    !(header_names[i].values[1] && strcmp(v, header_names[i].values[1]) == 0))
		return fail(p, "http_server_config.headers: invalid value for %s: expected %s%s%s, got '%s'", name,
			    header_names[i].values[0], header_names[i].values[1] ? " or " : "",
			    header_names[i].values[1] ? header_names[i].values[1] : "", v);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			return fail(p, "http_server_config.headers: the value of '%s' holds a control character", name);
	if (strlen(v) >= WEBCONFIG_HEADER_VALUE_LEN)
		return fail(p, "http_server_config.headers: the value of '%s' is longer than %d bytes", name,
			    WEBCONFIG_HEADER_VALUE_LEN - 1);
	for (unsigned k = 0; k < wc->n_headers; k++)
		if (strcmp(wc->headers[k].name, name) == 0)
			return fail(p, "http_server_config.headers: '%s' is given twice", name);
	struct web_header *h = &wc->headers[wc->n_headers++]; /* at most one per allowed name */
	snprintf(h->name, sizeof h->name, "%.31s", name);     /* one of header_names */
	snprintf(h->value, sizeof h->value, "%s", v);
	return 0;
}

static int headers_section(struct parse *p, struct web_config *wc)
{
	if (p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0 && p->ev.data.scalar.plain_implicit)
		return 0;
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "'http_server_config.headers' must be a mapping of header names to values");
	char key[64];
	int more;
	while ((more = next_key(p, key, "'http_server_config.headers'")) > 0)
		if (header(p, key, wc) != 0)
			return -1;
	return more;
}

static int http_section(struct parse *p, struct web_config *wc)
{
	wc->http_section = true;
	if (p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0 && p->ev.data.scalar.plain_implicit)
		return 0;
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "'http_server_config' must be a mapping");
	char key[64];
	int more;
	bool seen_headers = false, seen_http2 = false;
	while ((more = next_key(p, key, "'http_server_config'")) > 0) {
		int rc;
		if (strcmp(key, "headers") == 0 && !seen_headers) {
			seen_headers = true;
			rc = headers_section(p, wc);
		} else if (strcmp(key, "http2") == 0 && !seen_http2) {
			seen_http2 = true;
			rc = boolean(p, "http_server_config.http2", &wc->http2);
		} else if (strcmp(key, "headers") == 0 || strcmp(key, "http2") == 0) {
			rc = fail(p, "'http_server_config.%s' is given twice", key);
		} else {
			rc = fail(p, "unknown key 'http_server_config.%s' (known: headers, http2)", key);
		}
		if (rc != 0)
			return -1;
	}
	return more;
}

static int tls_section(struct parse *p, struct web_config *wc)
{
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "'tls_server_config' must be a mapping");
	wc->tls = true;
	char key[64];
	int more;
	while ((more = next_key(p, key, "'tls_server_config'")) > 0) {
		int rc;
		if (strcmp(key, "cert_file") == 0)
			rc = copy_path(p, key, wc->cert_file, sizeof wc->cert_file);
		else if (strcmp(key, "key_file") == 0)
			rc = copy_path(p, key, wc->key_file, sizeof wc->key_file);
		else if (strcmp(key, "client_ca_file") == 0)
			rc = copy_path(p, key, wc->client_ca_file, sizeof wc->client_ca_file);
		else if (strcmp(key, "client_auth_type") == 0)
			rc = client_auth(p, &wc->client_auth);
		else if (strcmp(key, "min_version") == 0)
			rc = tls_version(p, key, &wc->min_version);
		else if (strcmp(key, "max_version") == 0)
			rc = tls_version(p, key, &wc->max_version);
		else if (strcmp(key, "cipher_suites") == 0)
			rc = names_list(p, key, wc, cipher);
		else if (strcmp(key, "curve_preferences") == 0)
			rc = names_list(p, key, wc, curve);
		else if (strcmp(key, "prefer_server_cipher_suites") == 0)
			rc = boolean(p, key, &wc->prefer_server_ciphers);
		else
			rc = fail(p, "unknown key 'tls_server_config.%s'", key);
		if (rc != 0)
			return -1;
	}
	return more;
}

static int users_section(struct parse *p, struct web_config *wc)
{
	if (p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0)
		return 0; /* "basic_auth_users:" with nothing: no users */
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "'basic_auth_users' must be a mapping of user names to bcrypt hashes");
	for (;;) {
		if (next(p) != 0)
			return -1;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		const char *name = scalar(p);
		if (!name || name[0] == '\0' || strchr(name, ':') || strlen(name) >= WEBCONFIG_NAME_LEN)
			return fail(p, "basic_auth_users: a user name must be 1 to 63 characters without ':'");
		if (wc->n_users >= WEBCONFIG_MAX_USERS)
			return fail(p, "basic_auth_users: more than 64 users");
		for (unsigned i = 0; i < wc->n_users; i++)
			if (strcmp(wc->users[i].name, name) == 0)
				return fail(p, "basic_auth_users: user '%s' is listed twice", name);
		struct web_user *u = &wc->users[wc->n_users];
		snprintf(u->name, sizeof u->name, "%s", name);
		if (next(p) != 0)
			return -1;
		const char *hash = scalar(p);
		if (!hash || !webconfig_is_bcrypt(hash))
			return fail(p,
				    "basic_auth_users: the password of '%s' is not a bcrypt hash ($2a$, $2b$ or $2y$)",
				    u->name);
		snprintf(u->hash, sizeof u->hash, "%s", hash);
		wc->n_users++;
	}
	return 0;
}

static int document(struct parse *p, struct web_config *wc)
{
	for (int i = 0; i < 2; i++) /* stream start, then document start (or stream end) */
		if (next(p) != 0)
			return -1;
	if (p->ev.type == YAML_STREAM_END_EVENT)
		return 0; /* an empty file: plain HTTP, no users */
	if (next(p) != 0)
		return -1;
	if (p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0)
		return 0; /* only comments, or "---" */
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "the document must be a mapping (tls_server_config, basic_auth_users)");
	bool seen_tls = false, seen_users = false, seen_http = false;
	char key[64];
	int more;
	while ((more = next_key(p, key, "the document")) > 0) {
		int rc;
		if (strcmp(key, "tls_server_config") == 0 && !seen_tls) {
			seen_tls = true;
			rc = tls_section(p, wc);
		} else if (strcmp(key, "basic_auth_users") == 0 && !seen_users) {
			seen_users = true;
			rc = users_section(p, wc);
		} else if (strcmp(key, "http_server_config") == 0 && !seen_http) {
			seen_http = true;
			rc = http_section(p, wc);
		} else if (strcmp(key, "tls_server_config") == 0 || strcmp(key, "basic_auth_users") == 0 ||
			   strcmp(key, "http_server_config") == 0) {
			rc = fail(p, "'%s' is given twice", key);
		} else {
			rc = fail(p,
				  "unknown key '%s' (known: tls_server_config, http_server_config, basic_auth_users)",
				  key);
		}
		if (rc != 0)
			return -1;
	}
	if (more < 0 || next(p) != 0)
		return -1;
	if (p->ev.type != YAML_DOCUMENT_END_EVENT || next(p) != 0 || p->ev.type != YAML_STREAM_END_EVENT)
		return fail(p, "only one YAML document is allowed");
	return 0;
}

/* Is `name` one of the ':'-separated `list`? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *at = list; (at = strstr(at, name)) != NULL; at += n)
		if ((at == list || at[-1] == ':') && (at[n] == ':' || at[n] == '\0'))
			return true;
	return false;
}

static int check(struct parse *p, struct web_config *wc)
{
	if (!wc->tls)
		return 0;
	if (!wc->cert_file[0])
		return fail(p, "tls_server_config needs 'cert_file'");
	if (!wc->key_file[0])
		return fail(p, "tls_server_config needs 'key_file'");
	bool verify = wc->client_auth == CLIENT_AUTH_VERIFY_IF_GIVEN || wc->client_auth == CLIENT_AUTH_REQUIRE_VERIFY;
	if (verify && !wc->client_ca_file[0])
		return fail(p, "client_auth_type verifies client certificates: it needs 'client_ca_file'");
	if (!verify && wc->client_ca_file[0])
		return fail(p, "'client_ca_file' is given but client_auth_type does not verify certificates");
	if (wc->max_version && wc->max_version < wc->min_version)
		return fail(p, "'max_version' is older than 'min_version'");
	if (wc->n_ciphers > 0 && !wc->ciphers[0] && wc->max_version && wc->max_version < TLS1_3_VERSION)
		return fail(p, "'cipher_suites' names TLS 1.3 suites only, and max_version is below TLS 1.3: "
			       "no handshake could succeed");
	/* Go's HTTP/2 server refuses a suite list without one of these, so
	 * node_exporter does not start with such a file (unless http2 is off) */
	if (wc->tls && wc->http2 && wc->n_ciphers > 0 && !list_has(wc->ciphers, "ECDHE-RSA-AES128-GCM-SHA256") &&
	    !list_has(wc->ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256"))
		return fail(p,
			    "'cipher_suites' lacks the AES_128_GCM_SHA256 suite HTTP/2 requires (one of "
			    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), which "
			    "node_exporter refuses too; or set http_server_config.http2: false");
	return 0;
}

int webconfig_parse(const char *text, size_t len, const char *dir, const char *origin, struct web_config *wc, char *err,
		    size_t errlen)
{
	memset(wc, 0, sizeof *wc);
	wc->min_version = TLS1_2_VERSION;
	wc->prefer_server_ciphers = true; /* exporter-toolkit's defaults */
	wc->http2 = true;
	struct parse p = { .origin = origin, .dir = dir, .err = err, .errlen = errlen };
	char why[256];
	if (!optlibs_yaml(why, sizeof why)) {
		snprintf(err, errlen, "web config %s: %s", origin, why);
		return -1;
	}
	if (!libyaml.yaml_parser_initialize(&p.parser)) {
		snprintf(err, errlen, "web config %s: out of memory", origin);
		return -1;
	}
	libyaml.yaml_parser_set_input_string(&p.parser, (const unsigned char *)text, len);
	int rc = document(&p, wc);
	if (rc == 0)
		rc = check(&p, wc);
	if (p.have_ev)
		libyaml.yaml_event_delete(&p.ev);
	libyaml.yaml_parser_delete(&p.parser);
	return rc;
}

int webconfig_load(const char *path, struct web_config *wc, char *err, size_t errlen)
{
	static char text[WEBCONFIG_MAX_BYTES + 1];
	/* O_NONBLOCK: a FIFO given by mistake must not hang the start */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "web config %s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "web config %s: not a regular file", path);
		return -1;
	}
	size_t got = 0;
	ssize_t n = 0;
	while (got < sizeof text && (n = read(fd, text + got, sizeof text - got)) > 0)
		got += (size_t)n;
	int read_errno = n < 0 ? errno : 0;
	close(fd);
	if (read_errno) {
		snprintf(err, errlen, "web config %s: cannot read: %s", path, strerror(read_errno));
		return -1;
	}
	if (got > WEBCONFIG_MAX_BYTES) {
		snprintf(err, errlen, "web config %s: larger than %d bytes", path, WEBCONFIG_MAX_BYTES);
		return -1;
	}
	if ((off_t)got != st.st_size) {
		snprintf(err, errlen, "web config %s: changed while being read (%zu of %lld bytes): truncated?", path,
			 got, (long long)st.st_size);
		return -1;
	}
	char dir[WEBCONFIG_PATH_LEN];
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	if (webconfig_parse(text, got, slash == path ? "/" : dir, path, wc, err, errlen) != 0)
		return -1;
	if (!wc->tls && wc->n_users == 0 && !wc->http_section) {
		/* exporter-toolkit serves plain HTTP for such a file; an
		 * emptied or half-written file must not turn auth off */
		snprintf(
			err, errlen,
			"web config %s: configures neither TLS nor basic auth nor HTTP headers (empty?); for plain HTTP set "
			"web-config-file=none",
			path);
		return -1;
	}
	return 0;
}

int webconfig_bcrypt_cost(const char *hash)
{
	return webconfig_is_bcrypt(hash) ? (hash[4] - '0') * 10 + (hash[5] - '0') : 0;
}

int webconfig_check_cost(const struct web_config *wc, int max_cost, const char *origin, char *err, size_t errlen)
{
	for (unsigned i = 0; i < wc->n_users; i++) {
		int cost = webconfig_bcrypt_cost(wc->users[i].hash);
		if (cost > max_cost) {
			snprintf(err, errlen,
				 "web config %s: basic_auth_users: the hash of '%s' has bcrypt cost %d, above "
				 "auth-max-bcrypt-cost %d",
				 origin, wc->users[i].name, cost, max_cost);
			return -1;
		}
	}
	return 0;
}

bool webconfig_is_bcrypt(const char *s)
{
	static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	if (strlen(s) != 60 || s[0] != '$' || s[1] != '2' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') ||
	    s[3] != '$' || s[6] != '$')
		return false;
	if (s[4] < '0' || s[4] > '3' || s[5] < '0' || s[5] > '9')
		return false;
	int cost = (s[4] - '0') * 10 + (s[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	return strspn(s + 7, b64) == 53;
}
