/*
 * test_promtext.c - the label value escaper shared by the configured
 * labels and the exporter: what it escapes, the length it reports, and
 * that a short buffer gets a terminated prefix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../common/promtext.h"

static size_t esc(char *dst, size_t dstlen, const char *src)
{
	return prom_escape_label_value(dst, dstlen, src, strlen(src));
}

static void test_escapes(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(esc(buf, sizeof buf, "plain"), 5);
	assert_string_equal(buf, "plain");
	assert_int_equal(esc(buf, sizeof buf, "a\\b\"c\nd"), 10);
	assert_string_equal(buf, "a\\\\b\\\"c\\nd");
	assert_int_equal(esc(buf, sizeof buf, ""), 0);
	assert_string_equal(buf, "");
	/* other control characters and UTF-8 pass as they are */
	assert_int_equal(esc(buf, sizeof buf, "\t°C"), strlen("\t°C"));
	assert_string_equal(buf, "\t°C");
}

static void test_length_and_truncation(void **state)
{
	(void)state;
	assert_int_equal(esc(NULL, 0, "x\"y"), 4);
	char small[4] = "zzz";
	assert_int_equal(esc(small, sizeof small, "ab\"cd"), 6);
	assert_string_equal(small, "ab\\"); /* a terminated prefix */
	char one[1] = { 'z' };
	assert_int_equal(esc(one, sizeof one, "abc"), 3);
	assert_int_equal(one[0], '\0');
	/* only srclen bytes are read */
	char buf[8];
	assert_int_equal(prom_escape_label_value(buf, sizeof buf, "ab\"cd", 2), 2);
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_length_and_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
