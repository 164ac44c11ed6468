/*
 * test_gzip.c - which Accept-Encoding values get gzip, and that a body
 * spread over many evbuffer chains compresses into one gzip member that
 * inflates back to the same bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../exporter/gzip.h"

static void test_accepted(void **state)
{
	(void)state;
	const char *yes[] = {
		"gzip",
		"GZIP",
		"x-gzip",
		"deflate, gzip",
		"gzip;q=0.5",
		"gzip; q=1.0",
		"br;q=1.0, gzip;q=0.8, *;q=0.1",
		"*",
		"identity, *;q=0.2",
		" \tgzip ",
		"deflate,gzip,br",
	};
	const char *no[] = {
		"",          "identity",     "deflate, br",
		"gzip;q=0",  "gzip;q=0.000", "gzip;q=0, *", /* gzip named and refused: * does not bring it back */
		"*;q=0",     "gzipx",        "xgzip",
		"gzip2;q=1", "g zip",
	};
	assert_false(gzip_accepted(NULL));
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!gzip_accepted(yes[i]))
			fail_msg("\"%s\" should accept gzip", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (gzip_accepted(no[i]))
			fail_msg("\"%s\" should not accept gzip", no[i]);
}

static void test_long_header(void **state)
{
	(void)state;
	size_t n = 100000;
	char *h = malloc(n + 8);
	assert_non_null(h);
	memset(h, 'a', n);
	strcpy(h + n, ", gzip");
	assert_true(gzip_accepted(h)); /* a long unknown coding does not hide gzip */
	memset(h, ',', n);
	h[n] = '\0';
	assert_false(gzip_accepted(h));
	free(h);
}

/* Inflate a gzip member; returns the length written to out. */
static size_t gunzip(const unsigned char *in, size_t inlen, unsigned char *out, size_t outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = out;
	zs.avail_out = (uInt)outlen;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0); /* one member, nothing after it */
	size_t n = outlen - zs.avail_out;
	inflateEnd(&zs);
	return n;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	assert_non_null(in);
	assert_non_null(out);
	/* many small appends and a few big ones, as rendering makes them */
	for (int i = 0; i < 20000; i++)
		evbuffer_add_printf(in, "sensor_value{channel=\"ch%d\",unit=\"C\"} %d.%d\n", i, i * 7, i % 10);
	size_t n = evbuffer_get_length(in);
	unsigned char *plain = malloc(n), *back = malloc(n + 1);
	assert_non_null(plain);
	assert_non_null(back);
	evbuffer_copyout(in, plain, n);

	assert_true(gzip_compress(in, out, GZIP_LEVEL));
	assert_int_equal(evbuffer_get_length(in), n); /* input untouched */
	size_t zn = evbuffer_get_length(out);
	assert_true(zn > 18 && zn < n / 3);
	unsigned char *z = evbuffer_pullup(out, -1);
	assert_int_equal(z[0], 0x1f); /* gzip magic */
	assert_int_equal(z[1], 0x8b);
	assert_int_equal(gunzip(z, zn, back, n + 1), n);
	assert_memory_equal(back, plain, n);

	free(plain);
	free(back);
	evbuffer_free(in);
	evbuffer_free(out);
}

static void test_empty(void **state)
{
	(void)state;
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	assert_true(gzip_compress(in, out, 6));
	unsigned char back[4];
	size_t zn = evbuffer_get_length(out);
	assert_true(zn >= 18);
	assert_int_equal(gunzip(evbuffer_pullup(out, -1), zn, back, sizeof back), 0);
	evbuffer_free(in);
	evbuffer_free(out);
}

static void test_bad_level(void **state)
{
	(void)state;
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	evbuffer_add(in, "x", 1);
	assert_false(gzip_compress(in, out, 42));
	evbuffer_free(in);
	evbuffer_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted), cmocka_unit_test(test_long_header), cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),    cmocka_unit_test(test_bad_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
