/*
 * optlibs.c - the exporter's optional libraries, opened when first needed
 * (see optlibs.h).
 *
 * The sonames are those of bookworm's packages on every architecture; the
 * Debian package depends on these packages by name (debian/control),
 * since dpkg-shlibdeps sees only what the binary links.
 */
#include "optlibs.h"

#include "dynlib.h"

struct libcrypto_fns libcrypto;
struct libssl_fns libssl;
struct libevent_ssl_fns libevent_ssl;
struct libyaml_fns libyaml;
struct libz_fns libz;
struct libcrypt_fns libcrypt;

/* X-macros: their arguments are names pasted into declarations, which
 * parentheses would break. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define OPTLIBS_NAME(f) #f,
#define NAMES_OF(var) (sizeof var##_names / sizeof var##_names[0])
#define OPTLIB(var, list, so, pkg)                                                                       \
	static const char *const var##_names[] = { list(OPTLIBS_NAME) };                                 \
	_Static_assert(sizeof var == NAMES_OF(var) * sizeof(void *), "a table is one pointer per name"); \
	static struct dynlib var##_lib = {                                                               \
		.soname = so,                                                                            \
		.package = pkg,                                                                          \
		.names = var##_names,                                                                    \
		.table = &var,                                                                           \
		.count = NAMES_OF(var),                                                                  \
	}
/* NOLINTEND(bugprone-macro-parentheses) */

OPTLIB(libcrypto, LIBCRYPTO_FUNCS, "libcrypto.so.3", "libssl3");
OPTLIB(libssl, LIBSSL_FUNCS, "libssl.so.3", "libssl3");
OPTLIB(libevent_ssl, LIBEVENT_SSL_FUNCS, "libevent_openssl-2.1.so.7", "libevent-openssl-2.1-7");
OPTLIB(libyaml, LIBYAML_FUNCS, "libyaml-0.so.2", "libyaml-0-2");
OPTLIB(libz, LIBZ_FUNCS, "libz.so.1", "zlib1g");
OPTLIB(libcrypt, LIBCRYPT_FUNCS, "libcrypt.so.1", "libcrypt1");

bool optlibs_tls(char *err, size_t errlen)
{
	return dynlib_load(&libcrypto_lib, err, errlen) && dynlib_load(&libssl_lib, err, errlen) &&
	       dynlib_load(&libevent_ssl_lib, err, errlen);
}

bool optlibs_auth(char *err, size_t errlen)
{
	return dynlib_load(&libcrypto_lib, err, errlen) && dynlib_load(&libcrypt_lib, err, errlen);
}

bool optlibs_yaml(char *err, size_t errlen)
{
	return dynlib_load(&libyaml_lib, err, errlen);
}

bool optlibs_zlib(char *err, size_t errlen)
{
	return dynlib_load(&libz_lib, err, errlen);
}
