/*
 * test_push.c - the push input: the line format, and the intake through
 * a real Unix datagram socket: accepted, malformed, unknown_channel and
 * over_rate counts, the per-tick datagram bound, oversized and binary
 * datagrams, timestamps (and the window around the clock they must fall
 * in, without overflow). (The sockets themselves: test_pushsock.c.)
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

#include "../../shm/metrics.h"
#include "../../supervisor/pushsock.h"
#include "../../worker/source_push.h"

static char dir[64], path[128];
static int sender = -1;

/* A sink that knows channels "a" (0) and "b" (1) and remembers the last reading. */
struct seen {
	int n, channel;
	double value;
	int64_t ts;
};
static struct seen seen;

static int lookup(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "a") == 0 ? 0 : strcmp(name, "b") == 0 ? 1 : -1;
}

static int accept_reading(void *ctx, int channel, double value, int64_t ts)
{
	(void)ctx;
	seen = (struct seen){ seen.n + 1, channel, value, ts };
	return value > 1e6 ? -1 : 0; /* the sink may refuse a value */
}

static const struct push_sink sink = { NULL, lookup, accept_reading };

/* The socket at path, made as the supervisor makes it, read by intake p. */
static struct pushsock socks;
static void intake_open(struct push_intake *p, int max_per_tick, int rate)
{
	char err[256] = "";
	if (pushsock_open(&socks, path, 0600, 0, err, sizeof err) != 0)
		fail_msg("%s", err);
	push_init(p, socks.fd, max_per_tick, rate);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sensor-test-push-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/push.sock", dir);
	sender = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&seen, 0, sizeof seen);
	return sender >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	close(sender);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void send_text(const char *text, size_t len)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	memcpy(to.sun_path, path, strlen(path) + 1);
	assert_int_equal(sendto(sender, text, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
}

static void send_str(const char *text)
{
	send_text(text, strlen(text));
}

static void test_parse_line(void **state)
{
	(void)state;
	char name[32];
	double v;
	int64_t ts;
	assert_int_equal(push_parse_line("outside 12.5", name, sizeof name, &v, &ts), 0);
	assert_string_equal(name, "outside");
	assert_true(v == 12.5 && ts == 0);
	assert_int_equal(push_parse_line("  a\t-3e2   1700000000.25 \r", name, sizeof name, &v, &ts), 0);
	assert_true(v == -300.0 && ts == INT64_C(1700000000250000000));
	const char *bad[] = {
		"",
		"a",
		"a b",
		"a 1 2 3",
		"a nan",
		"a inf",
		"a 1 -5",
		"a 1 0",
		"a 1 1e12",
		"a 1 9.3e9", /* its nanoseconds would overflow an int64_t */
		"a 1 1e300",
		"a 1 soon",
		"abcdefghijklmnopqrstuvwxyz0123456789 1",
		"a 123456789012345678901234567890123456789012345678901234567890123456789",
		NULL,
	};
	for (int i = 0; bad[i]; i++)
		if (push_parse_line(bad[i], name, sizeof name, &v, &ts) == 0)
			fail_msg("'%s' was accepted", bad[i]);
}

/* "name value T" with T the clock now plus `offset_s` seconds (and a fraction). */
static const char *line_at(const char *name_value, double offset_s)
{
	static char line[128];
	snprintf(line, sizeof line, "%s %.3f", name_value, (double)(realtime_ns() / 1000000) / 1e3 + offset_s);
	return line;
}

static void test_counts_each_result(void **state)
{
	(void)state;
	struct push_intake p;
	_Atomic uint64_t counts[SHM_PUSH_RESULT_COUNT] = { 0 };
	char two[160];
	intake_open(&p, 64, 1000);
	send_str("a 1\n");
	snprintf(two, sizeof two, "%s\nnope 3\n\n", line_at("b 2", -1));
	send_str(two); /* two lines; the blank one is not a message */
	send_str("a twelve");
	send_str("");             /* an empty datagram is malformed */
	send_text("a 1\0b 2", 7); /* so is a binary one */
	send_str("a 2e6");        /* refused by the sink */
	push_drain(&p, 0, &sink, counts);
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 2);
	assert_int_equal(counts[SHM_PUSH_UNKNOWN_CHANNEL], 1);
	assert_int_equal(counts[SHM_PUSH_MALFORMED], 4);
	assert_int_equal(counts[SHM_PUSH_OVER_RATE], 0);
	assert_int_equal(counts[SHM_PUSH_BAD_TIMESTAMP], 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.channel, 0);
	assert_true(seen.value == 2e6);
	pushsock_close(&socks);
	assert_int_equal(access(path, F_OK), -1); /* the socket is removed */
}

static void test_timestamp_reaches_the_sink(void **state)
{
	(void)state;
	struct push_intake p;
	_Atomic uint64_t counts[SHM_PUSH_RESULT_COUNT] = { 0 };
	intake_open(&p, 64, 1000);
	const char *line = line_at("b 7.5", -30);
	double t = atof(strchr(line + 2, ' ') + 1);
	send_str(line);
	push_drain(&p, 0, &sink, counts);
	assert_int_equal(seen.channel, 1);
	assert_true(seen.value == 7.5);
	assert_true(llabs(seen.ts - (int64_t)(t * 1e9)) < 1000); /* to the nanosecond, give or take rounding */
	pushsock_close(&socks);
}

/* Timestamps outside [now - max age, now + max skew] are refused and counted. */
static void test_timestamp_window(void **state)
{
	(void)state;
	struct push_intake p;
	_Atomic uint64_t counts[SHM_PUSH_RESULT_COUNT] = { 0 };
	intake_open(&p, 64, 1000);
	push_set_window(&p, 3600, 2000);
	send_str("a 1 1");               /* 1970 */
	send_str(line_at("a 2", -7200)); /* two hours old */
	send_str(line_at("a 3", 3600));  /* an hour ahead */
	send_str("a 4 9000000000");      /* the year 2255, still parsed */
	send_str(line_at("a 5", -3000)); /* within the hour */
	send_str(line_at("a 6", 0.5));   /* slightly ahead: clock skew */
	send_str("a 7 9300000000");      /* beyond what nanoseconds can hold: malformed */
	push_drain(&p, 0, &sink, counts);
	assert_int_equal(counts[SHM_PUSH_BAD_TIMESTAMP], 4);
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 2);
	assert_int_equal(counts[SHM_PUSH_MALFORMED], 1);
	assert_true(seen.value == 6.0);
	pushsock_close(&socks);
}

static void test_oversized_datagram_is_malformed(void **state)
{
	(void)state;
	struct push_intake p;
	_Atomic uint64_t counts[SHM_PUSH_RESULT_COUNT] = { 0 };
	char big[PUSH_DATAGRAM_MAX + 100];
	intake_open(&p, 64, 1000);
	memset(big, ' ', sizeof big);
	memcpy(big, "a 1\n", 4);
	send_text(big, sizeof big);
	push_drain(&p, 0, &sink, counts);
	assert_int_equal(counts[SHM_PUSH_MALFORMED], 1);
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 0);
	pushsock_close(&socks);
}

static void test_rate_limit_and_tick_bound(void **state)
{
	(void)state;
	struct push_intake p;
	_Atomic uint64_t counts[SHM_PUSH_RESULT_COUNT] = { 0 };
	/* 3 lines per second, at most 4 datagrams per tick */
	intake_open(&p, 4, 3);
	for (int i = 0; i < 6; i++)
		send_str("a 1");
	push_drain(&p, 0, &sink, counts);
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 3);
	assert_int_equal(counts[SHM_PUSH_OVER_RATE], 1); /* 4 read, 2 still queued */
	push_drain(&p, 0, &sink, counts);                /* same instant: no new tokens */
	assert_int_equal(counts[SHM_PUSH_OVER_RATE], 3);
	for (int i = 0; i < 2; i++)
		send_str("a 1");
	push_drain(&p, 1000000000 / 3 * 2 + 1, &sink, counts); /* 2/3 s later: two tokens */
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 5);
	push_drain(&p, INT64_C(100000000000), &sink, counts); /* refill is capped at one second */
	for (int i = 0; i < 4; i++)
		send_str("a 1");
	push_drain(&p, INT64_C(100000000000), &sink, counts);
	assert_int_equal(counts[SHM_PUSH_ACCEPTED], 8);
	assert_int_equal(counts[SHM_PUSH_OVER_RATE], 4);
	pushsock_close(&socks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test_setup_teardown(test_counts_each_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_reaches_the_sink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_datagram_is_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_and_tick_bound, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
