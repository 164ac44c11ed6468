/*
 * test_log_limit.c - the rate limit of repeated log lines: the first is
 * written, the repeats within the minute only counted, then one summary
 * line gives the count; and the exporter's connection cap is lowered to
 * fit the descriptor limit.
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
#include "../../exporter/connections.h"

static FILE *captured;
static int saved_stderr;

static int capture(void **state)
{
	(void)state;
	fflush(stderr);
	saved_stderr = dup(2);
	captured = tmpfile();
	dup2(fileno(captured), 2);
	return 0;
}

static int release(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	fclose(captured);
	return 0;
}

/* Everything written to stderr since the last call. */
static char *written(void)
{
	static char buf[8192];
	static long pos;
	fflush(stderr);
	fseek(captured, pos, SEEK_SET);
	size_t n = fread(buf, 1, sizeof buf - 1, captured);
	buf[n] = '\0';
	pos += (long)n;
	return buf;
}

static int lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_first_line_then_silence(void **state)
{
	(void)state;
	static struct log_limit lim;
	written();
	for (int i = 0; i < 10000; i++)
		log_warn_limited(&lim, "accept: failure %d", i);
	char *out = written();
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "warn: accept: failure 0\n"));
	assert_int_equal(lim.suppressed, 9999);
	log_limit_flush(); /* the minute is not over: nothing yet */
	assert_string_equal(written(), "");
}

static void test_count_once_the_minute_is_over(void **state)
{
	(void)state;
	static struct log_limit lim;
	written();
	log_error_limited(&lim, "first");
	for (int i = 0; i < 41; i++)
		log_error_limited(&lim, "repeat %d", i);
	written();
	lim.next_ns = 1; /* as if a minute had passed */
	log_error_limited(&lim, "repeat 41");
	char *out = written();
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "error: 42 more in the last minute like: repeat 41\n"));
	assert_int_equal(lim.suppressed, 0);
	/* and the minute starts again: the next repeat is counted, not written */
	log_error_limited(&lim, "repeat 42");
	assert_string_equal(written(), "");
}

static void test_flush_sums_up_a_flood_that_stopped(void **state)
{
	(void)state;
	static struct log_limit lim;
	written();
	for (int i = 0; i < 5; i++)
		log_warn_limited(&lim, "closing connection %d", i);
	written();
	lim.next_ns = 1;
	log_limit_flush();
	char *out = written();
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "warn: 4 more in the last minute like: closing connection 4\n"));
	log_limit_flush(); /* nothing left to say */
	assert_string_equal(written(), "");
}

static void test_connection_cap_fits_the_fd_limit(void **state)
{
	(void)state;
	assert_int_equal(conns_effective_cap(256, 1024), 256);
	assert_int_equal(conns_effective_cap(5000, 1024), 1024 - CONNS_FD_HEADROOM);
	assert_int_equal(conns_effective_cap(256, 100), 100 - CONNS_FD_HEADROOM);
	assert_int_equal(conns_effective_cap(256, 50), 8);  /* a tiny limit: still serves */
	assert_int_equal(conns_effective_cap(256, 0), 256); /* unlimited */
}

/* The accept batch is a quarter of the cap in force: when EMFILE lowers
 * the cap, fewer are accepted a turn (a fixed batch of the first cap's
 * quarter would take every descriptor left). */
static void test_accept_batch_follows_the_cap(void **state)
{
	(void)state;
	assert_int_equal(conns_batch(256), 64);
	assert_int_equal(conns_batch(36), 9);
	assert_int_equal(conns_batch(8), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_line_then_silence, capture, release),
		cmocka_unit_test_setup_teardown(test_count_once_the_minute_is_over, capture, release),
		cmocka_unit_test_setup_teardown(test_flush_sums_up_a_flood_that_stopped, capture, release),
		cmocka_unit_test(test_connection_cap_fits_the_fd_limit),
		cmocka_unit_test(test_accept_batch_follows_the_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
