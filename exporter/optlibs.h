/*
 * optlibs.h - the libraries only the exporter uses, and only for some
 * configurations, opened when first needed (dynlib.h): OpenSSL and
 * libevent's OpenSSL bufferevents for TLS, libyaml for the web config,
 * libcrypt and libcrypto for basic auth, zlib for gzip.
 *
 * Each library's functions are called through a table named after the
 * library (libz.deflate(...)); a table is usable once its loader has
 * returned true. The loaders are idempotent and thread-safe.
 */
#ifndef SENSOR_EXPORTER_OPTLIBS_H
#define SENSOR_EXPORTER_OPTLIBS_H

#include <crypt.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include <zlib.h>

/* Each list is the one place a library's functions are named: the table's
 * members (typed from the library's own declarations) and the names
 * looked up are both made from it. */
#define LIBCRYPTO_FUNCS(X)     \
	X(CRYPTO_memcmp)       \
	X(ERR_clear_error)     \
	X(ERR_error_string_n)  \
	X(ERR_peek_error)      \
	X(ERR_peek_last_error) \
	X(EVP_sha256)          \
	X(HMAC)                \
	X(OPENSSL_cleanse)     \
	X(OPENSSL_sk_pop_free) \
	X(RAND_bytes)          \
	X(X509_NAME_free)
#define LIBSSL_FUNCS(X)                       \
	X(SSL_CTX_check_private_key)          \
	X(SSL_CTX_ctrl)                       \
	X(SSL_CTX_free)                       \
	X(SSL_CTX_load_verify_locations)      \
	X(SSL_CTX_new)                        \
	X(SSL_CTX_set_client_CA_list)         \
	X(SSL_CTX_set_info_callback)          \
	X(SSL_CTX_set_cipher_list)            \
	X(SSL_CTX_set_options)                \
	X(SSL_CTX_set_security_level)         \
	X(SSL_CTX_set_verify)                 \
	X(SSL_CTX_use_PrivateKey_file)        \
	X(SSL_CTX_use_certificate_chain_file) \
	X(SSL_free)                           \
	X(SSL_get_fd)                         \
	X(SSL_load_client_CA_file)            \
	X(SSL_new)                            \
	X(TLS_server_method)
#define LIBEVENT_SSL_FUNCS(X)                           \
	X(bufferevent_openssl_get_ssl)                  \
	X(bufferevent_openssl_set_allow_dirty_shutdown) \
	X(bufferevent_openssl_socket_new)
#define LIBYAML_FUNCS(X)          \
	X(yaml_event_delete)      \
	X(yaml_parser_delete)     \
	X(yaml_parser_initialize) \
	X(yaml_parser_parse)      \
	X(yaml_parser_set_input_string)
#define LIBZ_FUNCS(X) \
	X(deflate)    \
	X(deflateEnd) \
	X(deflateInit2_)
#define LIBCRYPT_FUNCS(X) X(crypt_r)

/* NOLINTNEXTLINE(bugprone-macro-parentheses): a name pasted into a declaration */
#define OPTLIBS_MEMBER(f) __typeof__(f) *f;
struct libcrypto_fns {
	LIBCRYPTO_FUNCS(OPTLIBS_MEMBER)
};
struct libssl_fns {
	LIBSSL_FUNCS(OPTLIBS_MEMBER)
};
struct libevent_ssl_fns {
	LIBEVENT_SSL_FUNCS(OPTLIBS_MEMBER)
};
struct libyaml_fns {
	LIBYAML_FUNCS(OPTLIBS_MEMBER)
};
struct libz_fns {
	LIBZ_FUNCS(OPTLIBS_MEMBER)
};
struct libcrypt_fns {
	LIBCRYPT_FUNCS(OPTLIBS_MEMBER)
};
#undef OPTLIBS_MEMBER

extern struct libcrypto_fns libcrypto;
extern struct libssl_fns libssl;
extern struct libevent_ssl_fns libevent_ssl;
extern struct libyaml_fns libyaml;
extern struct libz_fns libz;
extern struct libcrypt_fns libcrypt;

/* Each loads what its feature needs; false with a one-line reason (which
 * library, which Debian package, dlerror's words) in err. */
bool optlibs_tls(char *err, size_t errlen);  /* libcrypto, libssl, libevent_openssl */
bool optlibs_auth(char *err, size_t errlen); /* libcrypto, libcrypt */
bool optlibs_yaml(char *err, size_t errlen);
bool optlibs_zlib(char *err, size_t errlen);

#endif
