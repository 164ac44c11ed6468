/*
 * test_processing_thread.c - the processing step's own thread: it runs
 * steps every interval and records them, under the policy asked for, it
 * reports the CPU of a step in progress (the worker's liveness figure),
 * and a stop does not wait out the interval.
 */
#define _GNU_SOURCE /* SCHED_IDLE */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../common/config.h"
#include "../../common/fault.h"
#include "../../shm/clock.h"
#include "../../shm/ring.h"
#include "../../shm/seqlock.h"
#include "../../worker/processing_thread.h"
#define FIXTURE_WITH_CHANNELS
#include "fixture.h"

#define CHANNELS 3u

/* Start t on seg with the defaults but for the priority and interval. */
static void start(struct processing_thread *t, struct shm_segment *seg, const char *priority, int interval_ms)
{
	struct config cfg;
	config_defaults(&cfg);
	cfg.channels = (int)CHANNELS;
	cfg.process_interval_ms = interval_ms;
	snprintf(cfg.processing_priority, sizeof cfg.processing_priority, "%s", priority);
	char err[160];
	assert_int_equal(processing_thread_start(t, seg, &cfg, err, sizeof err), 0);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Poll until cond(t, seg) or `limit_ms`; whether it became true. */
static bool eventually(bool (*cond)(struct processing_thread *, struct shm_segment *), struct processing_thread *t,
		       struct shm_segment *seg, int limit_ms)
{
	for (int waited = 0; waited < limit_ms; waited += 5) {
		if (cond(t, seg))
			return true;
		sleep_ms(5);
	}
	return cond(t, seg);
}

static bool two_steps_run(struct processing_thread *t, struct shm_segment *seg)
{
	(void)t;
	return atomic_load(&seg->worker.processing_runs) >= 2;
}

static bool policy_set(struct processing_thread *t, struct shm_segment *seg)
{
	(void)seg;
	return atomic_load(&t->policy) != -1;
}

static bool step_used_100ms(struct processing_thread *t, struct shm_segment *seg)
{
	(void)seg;
	return processing_thread_step_cpu_s(t) > 0.1;
}

/* Steps run on their own every interval: readings pushed are consumed,
 * each channel's statistics published, each step's duration observed. */
static void test_steps_run_and_are_recorded(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_described_segment(1024, CHANNELS);
	for (uint32_t i = 0; i < 30; i++)
		ring_push(seg, i % CHANNELS, (int64_t)i, 10.0 + (double)(i % CHANNELS));
	struct processing_thread t;
	start(&t, seg, "nice", 20);
	assert_true(eventually(two_steps_run, &t, seg, 5000));
	uint64_t seen = 0;
	double cpu_s = -1.0;
	assert_true(processing_thread_step_done(&t, &seen, &cpu_s)); /* for the sampling loop's debug line */
	assert_true(seen >= 2 && cpu_s >= 0.0 && cpu_s < 1.0);
	processing_thread_stop(&t);
	processing_thread_step_done(&t, &seen, &cpu_s);               /* a step that ended meanwhile */
	assert_false(processing_thread_step_done(&t, &seen, &cpu_s)); /* and none after the stop */

	uint64_t runs = atomic_load(&seg->worker.processing_runs);
	assert_int_equal(ring_depth(seg), 0);
	assert_int_equal(atomic_load(&seg->worker.cpu_spike.count), runs);
	struct channel_stats st;
	assert_true(channel_stats_read(&seg->channels[1], &st));
	assert_true(st.mean == 11.0);
	fixture_free(seg);
}

/* Whether this environment lets a thread move to SCHED_IDLE (a seccomp
 * policy may refuse it): tried on a thread of its own, as no unprivileged
 * thread can come back from it. */
static void *try_idle(void *arg)
{
	struct sched_param sp = { .sched_priority = 0 };
	*(int *)arg = pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	return NULL;
}

static bool idle_allowed(void)
{
	int rc = -1;
	pthread_t tid;
	if (pthread_create(&tid, NULL, try_idle, &rc) != 0)
		return false;
	pthread_join(tid, NULL);
	return rc == 0;
}

static void test_idle_priority_is_sched_idle(void **state)
{
	(void)state;
	if (!idle_allowed()) {
		print_message("this environment refuses SCHED_IDLE to a thread: not tested here\n");
		skip();
	}
	struct shm_segment *seg = fixture_described_segment(1024, CHANNELS);
	struct processing_thread t;
	start(&t, seg, "idle", 60000);
	assert_true(eventually(policy_set, &t, seg, 5000));
	assert_int_equal(atomic_load(&t.policy), SCHED_IDLE);
	processing_thread_stop(&t);

	start(&t, seg, "nice", 60000);
	assert_true(eventually(policy_set, &t, seg, 5000));
	assert_int_equal(atomic_load(&t.policy), SCHED_OTHER);
	processing_thread_stop(&t);
	fixture_free(seg);
}

/* The liveness figure: 0 between steps, the step's own CPU during one. */
static void test_step_cpu_is_reported_while_a_step_runs(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_described_segment(1024, CHANNELS);
	fault_begin(FAULT_WORKER, "worker:spike:400"); /* each step burns 400 ms of CPU */
	struct processing_thread t;
	start(&t, seg, "nice", 50);
	assert_true(processing_thread_step_cpu_s(&t) == 0.0); /* the first step is an interval away */
	assert_true(eventually(step_used_100ms, &t, seg, 5000));
	assert_true(processing_thread_step_cpu_s(&t) < 1.0); /* a step's, not the process's */
	processing_thread_stop(&t);
	fault_begin(FAULT_WORKER, "none");
	fixture_free(seg);
}

/* A stop while the thread waits for its next step ends the wait. */
static void test_stop_does_not_wait_out_the_interval(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_described_segment(1024, CHANNELS);
	struct processing_thread t;
	start(&t, seg, "nice", 3600000);
	sleep_ms(20);
	int64_t t0 = monotonic_ns();
	processing_thread_stop(&t);
	assert_true(monotonic_ns() - t0 < 5000000000LL); /* against an hour's interval */
	assert_int_equal(atomic_load(&seg->worker.processing_runs), 0);
	fixture_free(seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_run_and_are_recorded),
		cmocka_unit_test(test_idle_priority_is_sched_idle),
		cmocka_unit_test(test_step_cpu_is_reported_while_a_step_runs),
		cmocka_unit_test(test_stop_does_not_wait_out_the_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
