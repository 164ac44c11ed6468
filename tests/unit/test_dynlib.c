/*
 * test_dynlib.c - libraries opened at run time: a table filled from a
 * real library; a library that is not there and a function it lacks are
 * each one line naming the library and its package, said again to every
 * later caller without another attempt; the exporter's optional
 * libraries all load on this machine with every function their tables
 * name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <zlib.h>

#include "../../exporter/dynlib.h"
#include "../../exporter/optlibs.h"

struct zfns {
	__typeof__(zlibVersion) *zlibVersion;
	__typeof__(crc32) *crc32;
};
static const char *const znames[] = { "zlibVersion", "crc32" };

static void test_fills_the_table(void **state)
{
	(void)state;
	struct zfns z = { 0 };
	struct dynlib lib = { .soname = "libz.so.1", .package = "zlib1g", .names = znames, .table = &z, .count = 2 };
	char err[256] = "";
	assert_true(dynlib_load(&lib, err, sizeof err));
	assert_non_null(z.zlibVersion);
	assert_string_equal(z.zlibVersion(), zlibVersion());
	assert_int_equal(z.crc32(0, (const Bytef *)"abc", 3), crc32(0, (const Bytef *)"abc", 3));
	assert_true(dynlib_load(&lib, err, sizeof err)); /* again: the same table */
}

static void test_missing_library(void **state)
{
	(void)state;
	struct zfns z = { 0 };
	struct dynlib lib = {
		.soname = "libsensor-none.so.9", .package = "nothing-here", .names = znames, .table = &z, .count = 2
	};
	char err[256] = "";
	assert_false(dynlib_load(&lib, err, sizeof err));
	assert_non_null(strstr(err, "cannot load libsensor-none.so.9 (Debian package nothing-here): "));
	assert_null(strchr(err, '\n'));
	assert_null(z.zlibVersion);
	char again[256] = "";
	assert_false(dynlib_load(&lib, again, sizeof again));
	assert_string_equal(again, err);
	assert_false(dynlib_load(&lib, NULL, 0)); /* no room for the reason: still false */
}

static void test_missing_function(void **state)
{
	(void)state;
	static const char *const names[] = { "zlibVersion", "deflate_that_is_not" };
	struct zfns z = { 0 };
	struct dynlib lib = { .soname = "libz.so.1", .package = "zlib1g", .names = names, .table = &z, .count = 2 };
	char err[256] = "";
	assert_false(dynlib_load(&lib, err, sizeof err));
	assert_string_equal(err, "libz.so.1 (Debian package zlib1g) has no function deflate_that_is_not");
}

static void test_optional_libraries_load(void **state)
{
	(void)state;
	char err[256] = "";
	assert_true(optlibs_zlib(err, sizeof err));
	assert_true(optlibs_yaml(err, sizeof err));
	assert_true(optlibs_auth(err, sizeof err));
	if (!optlibs_tls(err, sizeof err))
		fail_msg("%s", err);
	assert_non_null(libssl.SSL_CTX_new);
	assert_non_null(libz.deflateInit2_);
	assert_non_null(libyaml.yaml_parser_parse);
	assert_non_null(libcrypt.crypt_r);
	assert_non_null(libevent_ssl.bufferevent_openssl_socket_new);
	assert_int_equal(libcrypto.CRYPTO_memcmp("abc", "abd", 3) != 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fills_the_table),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
		cmocka_unit_test(test_optional_libraries_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
