/*
 * test_pool.c - the bounded pool of blocking jobs (worker/pool.h): many
 * jobs run on at most `size` threads; a job in flight is not queued
 * twice; jobs held past the hold time get threads in their place up to
 * `max`, beyond which jobs wait (and can be taken back); the extra
 * threads retire once the held jobs return; a stop joins what returns
 * and reports what does not, and a second stop joins it once it returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "../../shm/clock.h"
#include "../../worker/pool.h"

#define MS INT64_C(1000000)
#define STACK (256u * 1024u)

/* A job that blocks in read() on its pipe until a byte is written, as a
 * read of a stuck bus does; fd -1: returns at once. */
struct pipe_job {
	struct pool_job job;
	int fd[2];
	atomic_int runs;
};

static void pipe_run(struct pool_job *job)
{
	struct pipe_job *j = (struct pipe_job *)job;
	char c;
	if (j->fd[0] >= 0)
		(void)!read(j->fd[0], &c, 1);
	atomic_fetch_add(&j->runs, 1);
}

static void job_init(struct pipe_job *j, bool blocking)
{
	*j = (struct pipe_job){ .job = { .run = pipe_run }, .fd = { -1, -1 } };
	if (blocking)
		assert_int_equal(pipe(j->fd), 0);
}

static void job_release(struct pipe_job *j)
{
	if (j->fd[1] >= 0)
		assert_int_equal(write(j->fd[1], "x", 1), 1);
}

static void job_close(struct pipe_job *j)
{
	for (int i = 0; i < 2; i++)
		if (j->fd[i] >= 0)
			close(j->fd[i]);
}

static int task_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Wait up to 2 s for the pool to reach a state. */
static struct pool_stats stats_when(struct pool *p, bool (*ok)(const struct pool_stats *, unsigned), unsigned arg)
{
	struct pool_stats st;
	for (int i = 0; i < 200; i++) {
		pool_tick(p);
		pool_get_stats(p, &st);
		if (ok(&st, arg))
			break;
		usleep(10000);
	}
	return st;
}

static bool busy_is(const struct pool_stats *st, unsigned n)
{
	return st->busy == n;
}

static bool threads_at_most(const struct pool_stats *st, unsigned n)
{
	return st->threads <= n && st->busy == 0;
}

static void *nothing(void *arg)
{
	return arg;
}

static void test_many_jobs_few_threads(void **state)
{
	(void)state;
	static struct pool p;
	static struct pipe_job j[40];
	/* a thread first: a sanitizer's own runtime thread, started with the
	 * first one, is then counted in `before` */
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, nothing, NULL), 0);
	pthread_join(t, NULL);
	int before = task_count();
	assert_int_equal(pool_init(&p, 2, 8, 1000 * MS, STACK), 0);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 40; i++) {
			if (round == 0)
				job_init(&j[i], false);
			assert_int_equal(pool_submit(&p, &j[i].job), 0);
		}
		for (int i = 0; i < 40; i++) {
			while (!pool_take(&p, &j[i].job))
				pool_wait(&p, pool_finished(&p), 100 * MS);
			assert_int_equal(atomic_load(&j[i].runs), round + 1);
		}
		assert_true(task_count() <= before + 2);
	}
	struct pool_stats st;
	pool_get_stats(&p, &st);
	assert_true(st.threads <= 2);
	assert_int_equal(st.waiting, 0);
	assert_int_equal(st.start_failures, 0);
	assert_true(pool_stop(&p, monotonic_ns() + 1000 * MS));
}

static void test_a_job_in_flight_is_not_queued_again(void **state)
{
	(void)state;
	static struct pool p;
	static struct pipe_job j;
	job_init(&j, true);
	assert_int_equal(pool_init(&p, 1, 1, 1000 * MS, STACK), 0);
	assert_int_equal(pool_submit(&p, &j.job), 0);
	errno = 0;
	assert_int_equal(pool_submit(&p, &j.job), -1);
	assert_int_equal(errno, EBUSY);
	job_release(&j);
	while (!pool_take(&p, &j.job))
		pool_wait(&p, pool_finished(&p), 100 * MS);
	assert_int_equal(atomic_load(&j.runs), 1);
	assert_int_equal(pool_submit(&p, &j.job), 0); /* taken: its owner's again */
	job_release(&j);
	assert_true(pool_stop(&p, monotonic_ns() + 1000 * MS));
	job_close(&j);
}

/* size 2, max 4: six stuck jobs hold four threads, two wait; a quick job
 * behind them waits too and is taken back; released, the jobs finish and
 * the pool shrinks to its size. */
static void test_held_jobs_are_replaced_up_to_the_bound(void **state)
{
	(void)state;
	static struct pool p;
	static struct pipe_job stuck[6], quick;
	int before = task_count();
	/* a hold time far beyond a thread's start-up on a loaded machine */
	assert_int_equal(pool_init(&p, 2, 4, 500 * MS, STACK), 0);
	for (int i = 0; i < 6; i++) {
		job_init(&stuck[i], true);
		assert_int_equal(pool_submit(&p, &stuck[i].job), 0);
	}
	struct pool_stats st = stats_when(&p, busy_is, 2);
	assert_int_equal(st.threads, 2); /* within the hold time: size threads */
	assert_int_equal(st.waiting, 4);
	usleep(600000); /* both held now: one thread in place of each */
	st = stats_when(&p, busy_is, 4);
	assert_int_equal(st.busy, 4);
	usleep(600000);
	st = stats_when(&p, busy_is, 5); /* never: the bound */
	assert_int_equal(st.threads, 4);
	assert_int_equal(st.busy, 4);
	assert_int_equal(st.held, 4);
	assert_int_equal(st.waiting, 2);
	assert_true(task_count() <= before + 4);

	job_init(&quick, false);
	assert_int_equal(pool_submit(&p, &quick.job), 0);
	usleep(20000);
	assert_true(pool_cancel(&p, &quick.job)); /* never started */
	assert_int_equal(atomic_load(&quick.runs), 0);
	pool_get_stats(&p, &st);
	assert_int_equal(st.waiting, 2);

	for (int i = 0; i < 6; i++)
		job_release(&stuck[i]);
	st = stats_when(&p, threads_at_most, 2);
	assert_true(st.threads <= 2);
	assert_int_equal(st.waiting, 0);
	for (int i = 0; i < 6; i++) {
		assert_true(pool_take(&p, &stuck[i].job));
		assert_int_equal(atomic_load(&stuck[i].runs), 1);
	}
	assert_false(pool_cancel(&p, &stuck[0].job)); /* idle: nothing to take back */
	assert_true(pool_stop(&p, monotonic_ns() + 1000 * MS));
	for (int i = 0; i < 6; i++)
		job_close(&stuck[i]);
}

/* A stop drops the queued jobs, joins the threads whose job returns
 * in time, and reports the one still blocked (left behind). */
static void test_stop_reports_a_job_that_never_returns(void **state)
{
	(void)state;
	static struct pool p;
	static struct pipe_job stuck, queued;
	job_init(&stuck, true);
	job_init(&queued, false);
	assert_int_equal(pool_init(&p, 1, 1, 1000 * MS, STACK), 0);
	assert_int_equal(pool_submit(&p, &stuck.job), 0);
	assert_int_equal(pool_submit(&p, &queued.job), 0);
	struct pool_stats st = stats_when(&p, busy_is, 1);
	assert_int_equal(st.waiting, 1);
	int64_t t0 = monotonic_ns();
	assert_false(pool_stop(&p, t0 + 100 * MS));
	assert_true(monotonic_ns() - t0 >= 100 * MS);
	assert_int_equal(queued.job.state, POOL_JOB_IDLE);
	assert_int_equal(atomic_load(&queued.runs), 0);
	/* the pool stays allocated for the thread left behind: once its job
	 * returns, a second stop joins it */
	job_release(&stuck);
	for (int i = 0; i < 200 && !pool_take(&p, &stuck.job); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&stuck.runs), 1);
	assert_true(pool_stop(&p, monotonic_ns() + 1000 * MS));
	job_close(&stuck);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_jobs_few_threads),
		cmocka_unit_test(test_a_job_in_flight_is_not_queued_again),
		cmocka_unit_test(test_held_jobs_are_replaced_up_to_the_bound),
		cmocka_unit_test(test_stop_reports_a_job_that_never_returns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
