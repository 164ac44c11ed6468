/*
 * test_sdnotify.c - the environment systemd hands the supervisor:
 * WATCHDOG_USEC taken only as a number of microseconds in range (the
 * extremes of 64-bit integers, signs, spaces, suffixes and overflowing
 * digit strings are ignored, never wrapped), WATCHDOG_PID naming us or
 * another process, and every variable cleared for the children.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../supervisor/sdnotify.h"

static char path[64];
static int listener = -1;

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/sensor-test-notify-%d.sock", (int)getpid());
	unlink(path);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	memcpy(addr.sun_path, path, strlen(path) + 1);
	listener = socket(AF_UNIX, SOCK_DGRAM, 0);
	return listener >= 0 && bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	close(listener);
	unlink(path);
	return 0;
}

/* The watchdog interval sdnotify_open takes from these variables (pid
 * NULL: WATCHDOG_PID unset). */
static int64_t watchdog_from(const char *usec, const char *pid)
{
	struct sdnotify n;
	char err[256];
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", usec, 1);
	if (pid)
		setenv("WATCHDOG_PID", pid, 1);
	else
		unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_open(&n, err, sizeof err), 0);
	assert_null(getenv("WATCHDOG_USEC"));
	assert_null(getenv("WATCHDOG_PID"));
	assert_null(getenv("NOTIFY_SOCKET"));
	sdnotify_close(&n);
	return n.watchdog_usec;
}

static void test_in_range_taken(void **state)
{
	(void)state;
	assert_int_equal(watchdog_from("1000000", NULL), 1000000);
	assert_int_equal(watchdog_from("10000", NULL), SDNOTIFY_WATCHDOG_MIN_USEC);
	char max[32];
	snprintf(max, sizeof max, "%lld", (long long)SDNOTIFY_WATCHDOG_MAX_USEC);
	assert_int_equal(watchdog_from(max, NULL), SDNOTIFY_WATCHDOG_MAX_USEC);
}

static void test_extremes_ignored(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"9223372036854775807",  /* INT64_MAX: its nanoseconds overflow */
		"9223372036854775808",  /* one more: strtoll clamps it */
		"18446744073709551615", /* UINT64_MAX */
		"99999999999999999999999999",
		"-9223372036854775808",
		"-1",
		"0",
		"1", /* a ping every half microsecond: a spinning loop */
		"9999",
		"31622400000001", /* a year and a day */
		"",
		" 1000000",
		"+1000000",
		"1000000 ",
		"1000000s",
		"1e6",
		"0x100000",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t got = watchdog_from(bad[i], NULL);
		if (got != 0)
			fail_msg("WATCHDOG_USEC '%s' was taken as %lld", bad[i], (long long)got);
	}
}

static void test_watchdog_pid(void **state)
{
	(void)state;
	char self[32], other[32];
	snprintf(self, sizeof self, "%d", (int)getpid());
	snprintf(other, sizeof other, "%d", (int)getpid() + 1);
	assert_int_equal(watchdog_from("1000000", self), 1000000);
	assert_int_equal(watchdog_from("1000000", other), 0);
	static const char *const bad[] = { "", "0", "-1", "abc", "4294967297", "99999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (watchdog_from("1000000", bad[i]) != 0)
			fail_msg("WATCHDOG_PID '%s' was taken as ours", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_range_taken),
		cmocka_unit_test(test_extremes_ignored),
		cmocka_unit_test(test_watchdog_pid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
