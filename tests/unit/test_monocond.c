/*
 * test_monocond.c - condition variables timed on the monotonic clock: a
 * deadline taken from monotonic_ns() is waited for in full (a condition
 * on the wall clock would read it as a date in 1970 and return at once),
 * a past deadline returns at once, and a signal wakes a waiter early.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "../../common/monocond.h"
#include "../../shm/clock.h"

#define MS 1000000LL

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool ready;
};

static void waiter_init(struct waiter *w)
{
	*w = (struct waiter){ .ready = false };
	assert_int_equal(pthread_mutex_init(&w->mu, NULL), 0);
	assert_int_equal(monocond_init(&w->cond), 0);
}

static void waiter_destroy(struct waiter *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
}

static void test_waits_until_the_monotonic_deadline(void **state)
{
	(void)state;
	struct waiter w;
	waiter_init(&w);
	int64_t until = monotonic_ns() + 30 * MS;
	pthread_mutex_lock(&w.mu);
	int rc;
	while ((rc = monocond_wait_until(&w.cond, &w.mu, until)) == 0)
		; /* spurious wakes */
	pthread_mutex_unlock(&w.mu);
	assert_int_equal(rc, ETIMEDOUT);
	assert_true(monotonic_ns() >= until);
	waiter_destroy(&w);
}

static void test_past_deadline_times_out_at_once(void **state)
{
	(void)state;
	struct waiter w;
	waiter_init(&w);
	pthread_mutex_lock(&w.mu);
	assert_int_equal(monocond_wait_until(&w.cond, &w.mu, monotonic_ns() - 1000 * MS), ETIMEDOUT);
	assert_int_equal(monocond_wait_until(&w.cond, &w.mu, 0), ETIMEDOUT);
	assert_int_equal(monocond_wait_until(&w.cond, &w.mu, -1), ETIMEDOUT);
	pthread_mutex_unlock(&w.mu);
	waiter_destroy(&w);
}

static void *signal_after(void *arg)
{
	struct waiter *w = arg;
	struct timespec pause = { .tv_sec = 0, .tv_nsec = 20 * MS };
	nanosleep(&pause, NULL);
	pthread_mutex_lock(&w->mu);
	w->ready = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void test_signal_wakes_before_the_deadline(void **state)
{
	(void)state;
	struct waiter w;
	waiter_init(&w);
	pthread_t t;
	int64_t until = monotonic_ns() + 60000 * MS;
	pthread_mutex_lock(&w.mu);
	assert_int_equal(pthread_create(&t, NULL, signal_after, &w), 0);
	int rc = 0;
	while (!w.ready && rc == 0)
		rc = monocond_wait_until(&w.cond, &w.mu, until);
	pthread_mutex_unlock(&w.mu);
	assert_int_equal(rc, 0);
	assert_true(w.ready);
	assert_true(monotonic_ns() < until);
	pthread_join(t, NULL);
	waiter_destroy(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_until_the_monotonic_deadline),
		cmocka_unit_test(test_past_deadline_times_out_at_once),
		cmocka_unit_test(test_signal_wakes_before_the_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
