/*
 * test_log.c - log lines are written at or above the configured level and
 * dropped below it; level names parse and print as documented, joined
 * by the helper every name table uses for its messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../../common/names.h"

/* Run the four log calls at `level` with stderr captured into `out`. */
static void log_all_at(enum log_level level, char *out, size_t outlen)
{
	char path[] = "/tmp/sensor-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	log_set_level(level);
	log_error("line e");
	log_warn("line w");
	log_info("line i");
	log_debug("line d");
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	ssize_t n = pread(fd, out, outlen - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	log_set_level(LOG_LEVEL_INFO);
}

static void test_levels_filter(void **state)
{
	(void)state;
	char out[2048];
	log_set_role("tester");

	log_all_at(LOG_LEVEL_ERROR, out, sizeof out);
	assert_non_null(strstr(out, "tester error: line e\n"));
	assert_null(strstr(out, "line w"));
	assert_null(strstr(out, "line i"));

	log_all_at(LOG_LEVEL_WARN, out, sizeof out);
	assert_non_null(strstr(out, "tester warn: line w\n"));
	assert_null(strstr(out, "line i"));

	log_all_at(LOG_LEVEL_INFO, out, sizeof out);
	assert_non_null(strstr(out, "tester info: line i\n"));
	assert_null(strstr(out, "line d"));

	log_all_at(LOG_LEVEL_DEBUG, out, sizeof out);
	assert_non_null(strstr(out, "line e"));
	assert_non_null(strstr(out, "line w"));
	assert_non_null(strstr(out, "line i"));
	assert_non_null(strstr(out, "tester debug: line d\n"));
}

static void test_level_names(void **state)
{
	(void)state;
	enum log_level l = LOG_LEVEL_INFO;
	assert_int_equal(log_level_parse("error", &l), 0);
	assert_int_equal(l, LOG_LEVEL_ERROR);
	assert_int_equal(log_level_parse("warn", &l), 0);
	assert_int_equal(l, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("info", &l), 0);
	assert_int_equal(l, LOG_LEVEL_INFO);
	assert_int_equal(log_level_parse("INFO", &l), -1);
	assert_int_equal(log_level_parse("", &l), -1);
	assert_string_equal(log_level_names(), "error, warn, info, debug");
}

static const char *const abc[] = { "a", "bb", "c" };
static const char *abc_name(unsigned i)
{
	return abc[i];
}

static void test_names_join(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(names_join(buf, sizeof buf, 3, abc_name, " or "), "a, bb or c");
	assert_string_equal(names_join(buf, sizeof buf, 3, abc_name, ", "), "a, bb, c");
	assert_string_equal(names_join(buf, sizeof buf, 2, abc_name, " or "), "a or bb");
	assert_string_equal(names_join(buf, sizeof buf, 1, abc_name, " or "), "a");
	assert_string_equal(names_join(buf, sizeof buf, 0, abc_name, " or "), "");
	/* a buffer too small: truncated, still terminated */
	char small[5];
	assert_string_equal(names_join(small, sizeof small, 3, abc_name, ", "), "a, b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_filter),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_names_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
