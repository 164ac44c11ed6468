/*
 * tls.c - OpenSSL server context and bufferevents (see tls.h).
 *
 * Each connection's SSL takes a reference on the context it was made
 * from, so a reload swaps the pointer and drops ours: open connections
 * finish with the old certificate, new ones get the new one, and the
 * listener never closes.
 */
#include "tls.h"

#include <event2/bufferevent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "optlibs.h"

struct tls {
	SSL_CTX *ctx;
};

/* OpenSSL's newest error as text ("" when there is none), queue cleared. */
static const char *ssl_error(char *buf, size_t len)
{
	unsigned long e = libcrypto.ERR_peek_last_error();
	buf[0] = '\0';
	if (e)
		libcrypto.ERR_error_string_n(e, buf, len);
	libcrypto.ERR_clear_error();
	return buf;
}

/*
 * A plain HTTP request on the TLS port: OpenSSL recognises one in place
 * of a ClientHello (SSL_R_HTTP_REQUEST) and gives up without a word; we
 * answer as Go's net/http does, so the client (a scraper configured for
 * http://) learns what is wrong instead of seeing the connection drop.
 * Written straight to the socket: no TLS was agreed. The connection is
 * closed by libevent right after.
 */
static void on_tls_state(const SSL *ssl, int where, int ret)
{
	static const char answer[] = "HTTP/1.0 400 Bad Request\r\n"
				     "Content-Type: text/plain; charset=utf-8\r\n"
				     "Connection: close\r\n"
				     "\r\n"
				     "Client sent an HTTP request to an HTTPS server.\n";
	if (!(where & SSL_CB_EXIT) || ret > 0)
		return;
	unsigned long e = libcrypto.ERR_peek_error();
	int fd = libssl.SSL_get_fd(ssl);
	if (fd >= 0 && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    (ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST || ERR_GET_REASON(e) == SSL_R_HTTPS_PROXY_REQUEST)) {
		ssize_t n = send(fd, answer, sizeof answer - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)n; /* a small answer into an empty socket buffer; if not, nothing more to do */
	}
}

/* Asked for, not checked (RequestClientCert, RequireAnyClientCert). */
static int accept_any(int preverify_ok, X509_STORE_CTX *ctx)
{
	(void)preverify_ok;
	(void)ctx;
	return 1;
}

/* sk_X509_NAME_pop_free's element destructor, through the table */
static void free_name(void *name)
{
	libcrypto.X509_NAME_free(name);
}

static SSL_CTX *build(const struct web_config *wc, char *err, size_t errlen)
{
	char why[256];
	if (!optlibs_tls(why, sizeof why)) {
		snprintf(err, errlen, "TLS: %s", why);
		return NULL;
	}
	libcrypto.ERR_clear_error();
	SSL_CTX *ctx = libssl.SSL_CTX_new(libssl.TLS_server_method());
	if (!ctx) {
		snprintf(err, errlen, "TLS: cannot create a context: %s", ssl_error(why, sizeof why));
		return NULL;
	}
	libssl.SSL_CTX_set_options(ctx,
				   SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	libssl.SSL_CTX_set_info_callback(ctx, on_tls_state);
	if (wc->min_version < TLS1_2_VERSION) {
		/* OpenSSL 3's default security level 1 refuses TLS 1.0 and 1.1
		 * (their SHA-1 signatures) with alert 80: level 0 is the only
		 * one that lets them through, as the file asked */
		libssl.SSL_CTX_set_security_level(ctx, 0);
	}
	/* prefer_server_cipher_suites: the server's order wins whatever it
	 * says, as in node_exporter, whose Go (1.18 on) ignores it */
	/* cipher_suites governs TLS 1.0-1.2 only, as in Go; naming TLS 1.3
	 * suites only leaves no suite for the older versions */
	int min_version = wc->min_version;
	if (wc->n_ciphers > 0 && !wc->ciphers[0])
		min_version = TLS1_3_VERSION;
	else if (wc->ciphers[0] && libssl.SSL_CTX_set_cipher_list(ctx, wc->ciphers) != 1) {
		snprintf(err, errlen, "TLS: this OpenSSL refuses cipher_suites (%s): %s", wc->ciphers,
			 ssl_error(why, sizeof why));
		goto bad;
	}
	/* SSL_CTX_set1_groups_list and SSL_CTX_set_{min,max}_proto_version
	 * are macros over SSL_CTX_ctrl */
	if (wc->curves[0] &&
	    libssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_GROUPS_LIST, 0, (void *)(uintptr_t)wc->curves) != 1) {
		snprintf(err, errlen, "TLS: this OpenSSL refuses curve_preferences (%s): %s", wc->curves,
			 ssl_error(why, sizeof why));
		goto bad;
	}
	if (!libssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, min_version, NULL) ||
	    !libssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, wc->max_version, NULL)) {
		snprintf(err, errlen, "TLS: this OpenSSL refuses the version bounds: %s", ssl_error(why, sizeof why));
		goto bad;
	}
	if (libssl.SSL_CTX_use_certificate_chain_file(ctx, wc->cert_file) != 1) {
		snprintf(err, errlen, "TLS: cannot load cert_file %s: %s", wc->cert_file, ssl_error(why, sizeof why));
		goto bad;
	}
	if (libssl.SSL_CTX_use_PrivateKey_file(ctx, wc->key_file, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL 3 compares the key with the certificate right here */
		if (ERR_GET_REASON(libcrypto.ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(err, errlen, "TLS: cert_file %s does not match key_file %s", wc->cert_file,
				 wc->key_file);
		else
			snprintf(err, errlen, "TLS: cannot load key_file %s: %s", wc->key_file,
				 ssl_error(why, sizeof why));
		libcrypto.ERR_clear_error();
		goto bad;
	}
	if (libssl.SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "TLS: cert_file %s does not match key_file %s", wc->cert_file, wc->key_file);
		libcrypto.ERR_clear_error();
		goto bad;
	}
	switch (wc->client_auth) {
	case CLIENT_AUTH_NONE: libssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); break;
	case CLIENT_AUTH_REQUEST: libssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any); break;
	case CLIENT_AUTH_REQUIRE_ANY:
		libssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
		break;
	case CLIENT_AUTH_VERIFY_IF_GIVEN: libssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL); break;
	case CLIENT_AUTH_REQUIRE_VERIFY:
		libssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		break;
	}
	if (wc->client_ca_file[0]) {
		STACK_OF(X509_NAME) *names = libssl.SSL_load_client_CA_file(wc->client_ca_file);
		if (libssl.SSL_CTX_load_verify_locations(ctx, wc->client_ca_file, NULL) != 1 || !names) {
			if (names)
				libcrypto.OPENSSL_sk_pop_free((OPENSSL_STACK *)names, free_name);
			snprintf(err, errlen, "TLS: cannot load client_ca_file %s: %s", wc->client_ca_file,
				 ssl_error(why, sizeof why));
			goto bad;
		}
		libssl.SSL_CTX_set_client_CA_list(ctx, names);
	}
	return ctx;
bad:
	libssl.SSL_CTX_free(ctx);
	return NULL;
}

struct tls *tls_new(const struct web_config *wc, char *err, size_t errlen)
{
	struct tls *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "TLS: out of memory");
		return NULL;
	}
	t->ctx = build(wc, err, errlen);
	if (!t->ctx) {
		free(t);
		return NULL;
	}
	return t;
}

int tls_reload(struct tls *t, const struct web_config *wc, char *err, size_t errlen)
{
	SSL_CTX *ctx = build(wc, err, errlen);
	if (!ctx)
		return -1;
	libssl.SSL_CTX_free(t->ctx); /* connections made from it hold their own reference */
	t->ctx = ctx;
	return 0;
}

void tls_free(struct tls *t)
{
	if (!t)
		return;
	libssl.SSL_CTX_free(t->ctx);
	free(t);
}

struct bufferevent *tls_bufferevent(struct event_base *base, void *arg)
{
	struct tls *t = arg;
	SSL *ssl = libssl.SSL_new(t->ctx);
	if (!ssl)
		return NULL;
	/* CLOSE_ON_FREE: freeing the bufferevent frees the SSL and the socket */
	struct bufferevent *bev = libevent_ssl.bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
									      BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		libssl.SSL_free(ssl);
		return NULL;
	}
	/* Scrapers often close without a close_notify: not an error. */
	libevent_ssl.bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

bool tls_is_tls(struct bufferevent *bev)
{
	return bev && libevent_ssl.bufferevent_openssl_get_ssl(bev) != NULL;
}
