/*
 * test_metrics.c - the segment's multi-word metric cells: histogram
 * bucketing (le semantics), snapshots, torn-write detection and a new
 * writer's recovery from it, child records and channel statistics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../shm/metrics.h"
#include "../../shm/seqlock.h"

static struct shm_histogram *new_histogram(void)
{
	struct shm_histogram *h = test_calloc(1, sizeof *h);
	assert_non_null(h);
	return h;
}

static void test_bucket_bounds_are_inclusive(void **state)
{
	(void)state;
	/* a value equal to a bound belongs to that bound's bucket (le="bound") */
	for (unsigned b = 0; b < SHM_SPIKE_BUCKETS; b++) {
		struct shm_histogram *h = new_histogram();
		histogram_observe(h, shm_spike_bounds[b]);
		for (unsigned k = 0; k <= SHM_SPIKE_BUCKETS; k++)
			assert_int_equal(atomic_load(&h->buckets[k]), k == b ? 1 : 0);
		test_free(h);
	}
}

static void test_just_above_bound_goes_to_next_bucket(void **state)
{
	(void)state;
	for (unsigned b = 0; b < SHM_SPIKE_BUCKETS; b++) {
		struct shm_histogram *h = new_histogram();
		histogram_observe(h, nextafter(shm_spike_bounds[b], INFINITY));
		for (unsigned k = 0; k <= SHM_SPIKE_BUCKETS; k++)
			assert_int_equal(atomic_load(&h->buckets[k]), k == b + 1 ? 1 : 0);
		test_free(h);
	}
}

static void test_bounds_table(void **state)
{
	(void)state;
	/* strictly increasing, and the label text is the bound */
	for (unsigned b = 0; b < SHM_SPIKE_BUCKETS; b++) {
		if (b > 0)
			assert_true(shm_spike_bounds[b] > shm_spike_bounds[b - 1]);
		assert_true(strtod(shm_spike_bound_labels[b], NULL) == shm_spike_bounds[b]);
	}
	assert_string_equal(shm_spike_bound_labels[0], "0.0005");
	assert_string_equal(shm_spike_bound_labels[SHM_SPIKE_BUCKETS - 1], "10");
}

static void test_inf_bucket_sum_count_and_cumulative_snapshot(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	histogram_observe(h, 0.0);   /* first bucket */
	histogram_observe(h, 0.003); /* (0.0025, 0.005] */
	histogram_observe(h, 0.5);   /* exactly 0.5 */
	histogram_observe(h, 0.75);  /* (0.5, 1] */
	histogram_observe(h, 16.0);  /* above 10: +Inf only */
	histogram_observe(h, 1e9);   /* +Inf */

	assert_int_equal(atomic_load(&h->buckets[SHM_SPIKE_BUCKETS]), 2);
	assert_int_equal(atomic_load(&h->count), 6);

	struct histogram_snapshot s;
	assert_true(histogram_read(h, &s));
	/* le:                 .0005 .001 .0025 .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 +Inf */
	const uint64_t want[] = { 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 4, 4, 4, 4, 6 };
	for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++)
		assert_int_equal(s.buckets[b], want[b]);
	assert_int_equal(s.count, 6);
	assert_int_equal(s.buckets[SHM_SPIKE_BUCKETS], s.count);
	assert_true(s.sum == 0.0 + 0.003 + 0.5 + 0.75 + 16.0 + 1e9);
	test_free(h);
}

static void test_sum_of_exact_values(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	const double v[] = { 0.25, 0.5, 2.0, 0.125, 8.0 };
	for (size_t i = 0; i < 5; i++)
		histogram_observe(h, v[i]);
	struct histogram_snapshot s;
	assert_true(histogram_read(h, &s));
	assert_true(s.sum == 10.875);
	assert_int_equal(s.count, 5);
	/* the seqlock counter went through begin/end once per observation */
	assert_int_equal(atomic_load(&h->seq), 10);
	test_free(h);
}

static void test_empty_histogram_reads_zero(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	struct histogram_snapshot s;
	memset(&s, 0xff, sizeof s);
	assert_true(histogram_read(h, &s));
	for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++)
		assert_int_equal(s.buckets[b], 0);
	assert_int_equal(s.count, 0);
	assert_true(s.sum == 0.0);
	test_free(h);
}

static void test_read_fails_when_writer_died_mid_update(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	histogram_observe(h, 0.01);
	struct histogram_snapshot s;
	assert_true(histogram_read(h, &s));

	/* the writer made the counter odd and never came back */
	atomic_store(&h->seq, atomic_load(&h->seq) + 1);
	assert_false(histogram_read(h, &s));

	/* once even again it reads */
	atomic_store(&h->seq, atomic_load(&h->seq) + 1);
	assert_true(histogram_read(h, &s));
	assert_int_equal(s.count, 1);
	test_free(h);
}

static void test_read_rejects_count_not_matching_buckets(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	histogram_observe(h, 0.01);
	histogram_observe(h, 0.02);
	atomic_store(&h->count, 3); /* inconsistent with the buckets */
	struct histogram_snapshot s;
	assert_false(histogram_read(h, &s));
	test_free(h);
}

/* A writer died after the bucket's store, before the count's and the
 * sum's, its pending observation armed: its successor completes it, and
 * the histogram reads again with count, buckets and sum agreeing. */
static void test_new_writer_completes_an_armed_observation(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	histogram_observe(h, 0.25);
	/* what histogram_observe(h, 2.0) stores, up to the bucket */
	uint32_t odd = atomic_load(&h->seq) + 1;
	atomic_store(&h->seq, odd);
	atomic_store(&h->pending_bucket, 11);
	atomic_store(&h->pending_bucket_value, 1);
	atomic_store(&h->pending_count, 2);
	atomic_store(&h->pending_sum_bits, shm_double_to_bits(2.25));
	atomic_store(&h->pending_armed, 1);
	atomic_store(&h->buckets[11], 1);
	struct histogram_snapshot s;
	assert_false(histogram_read(h, &s));
	atomic_store(&h->seq, 1234); /* and a stray store over its counter */
	assert_false(histogram_read(h, &s));

	histogram_recover(h);
	assert_int_equal(atomic_load(&h->seq) % 2, 0);
	assert_true(histogram_read(h, &s));
	assert_int_equal(s.count, 2);
	assert_true(s.sum == 2.25);
	histogram_recover(h); /* twice changes nothing */
	assert_true(histogram_read(h, &s));
	assert_int_equal(s.count, 2);
	assert_true(s.sum == 2.25);
	histogram_observe(h, 0.5); /* and the parity stays right from then on */
	assert_true(histogram_read(h, &s));
	assert_int_equal(s.count, 3);
	assert_true(s.sum == 2.75);

	uint32_t seq = atomic_load(&h->seq);
	histogram_recover(h); /* a whole histogram is left alone */
	assert_int_equal(atomic_load(&h->seq), seq);
	test_free(h);
}

/* Died before arming: the record is the old one, and stays it. */
static void test_new_writer_ignores_an_unarmed_observation(void **state)
{
	(void)state;
	struct shm_histogram *h = new_histogram();
	histogram_observe(h, 0.25);
	uint32_t odd = atomic_load(&h->seq) + 1;
	atomic_store(&h->seq, odd);
	atomic_store(&h->pending_armed, 0);
	atomic_store(&h->pending_bucket, 3);
	atomic_store(&h->pending_bucket_value, 9); /* half-written pending cells */
	histogram_recover(h);
	struct histogram_snapshot s;
	assert_true(histogram_read(h, &s));
	assert_int_equal(s.count, 1);
	assert_true(s.sum == 0.25);
	assert_int_equal(s.buckets[3], 0);
	test_free(h);
}

/* One observation's value per bucket, exact in binary, so the sum must
 * equal the buckets' counts times them, whatever the order of addition. */
static const double bucket_value[SHM_SPIKE_BUCKETS + 1] = {
	0x1p-11, 0x1p-10, 0x1p-9, 0x1p-8, 0x1p-7, 0x1p-6, 0x1p-5, 0x1p-4, 0x1p-3, 0.375, 1, 2, 4, 8, 16,
};

static double sum_from_buckets(const struct histogram_snapshot *s)
{
	double sum = 0;
	for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++)
		sum += (double)(s->buckets[b] - (b ? s->buckets[b - 1] : 0)) * bucket_value[b];
	return sum;
}

/* A writer process SIGKILLed at random moments of a run of observations
 * (and a stray value stored into its counter after every other death):
 * the successor's recovery leaves a histogram whose count, buckets and
 * sum agree. */
static void test_histogram_whole_after_writer_killed_anywhere(void **state)
{
	(void)state;
	struct shm_histogram *h = mmap(NULL, sizeof *h, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(h != MAP_FAILED);
	memset(h, 0, sizeof *h);
	srand(7);
	for (int kill_no = 0; kill_no < 200; kill_no++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (unsigned i = 0;; i++)
				histogram_observe(h, bucket_value[i % (SHM_SPIKE_BUCKETS + 1)]);
		}
		struct timespec ts = { 0, 20000 + (long)(rand() % 200) * 1000 };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (kill_no % 2)
			atomic_store(&h->seq, (uint32_t)rand()); /* a stray store on top */
		histogram_recover(h);
		struct histogram_snapshot s;
		assert_true(histogram_read(h, &s));
		assert_int_equal(s.buckets[SHM_SPIKE_BUCKETS], s.count);
		assert_true(s.sum == sum_from_buckets(&s));
	}
	munmap(h, sizeof *h);
}

/* A counter left odd (a dead writer, a stray store) is even again after
 * the next write of each kind of record, and the copy reads. */
static void test_a_write_heals_a_counter_left_odd(void **state)
{
	(void)state;
	const uint32_t odd[] = { 1, 3, 7, 0xffffffffu };
	for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
		struct shm_histogram *h = new_histogram();
		histogram_observe(h, 0.5);
		atomic_store(&h->seq, odd[k]);
		histogram_observe(h, 0.5);
		struct histogram_snapshot hs;
		assert_int_equal(atomic_load(&h->seq) % 2, 0);
		assert_true(histogram_read(h, &hs));
		assert_int_equal(hs.count, 2);
		test_free(h);

		struct shm_child *c = test_calloc(1, sizeof *c);
		assert_non_null(c);
		atomic_store(&c->seq, odd[k]);
		child_publish(c, SHM_CHILD_RUNNING, 42, SHM_EXIT_NONE, 0, 7);
		struct child_snapshot cs;
		assert_true(child_read(c, &cs));
		assert_int_equal(cs.pid, 42);
		test_free(c);

		struct shm_channel *ch = test_calloc(1, sizeof *ch);
		assert_non_null(ch);
		atomic_store(&ch->stats_seq, odd[k]);
		struct channel_stats in = { .min = 1, .max = 2, .mean = 1.5, .p95 = 2, .dominant_hz = 0 }, out;
		channel_stats_publish(ch, &in);
		assert_true(channel_stats_read(ch, &out));
		assert_true(out.mean == 1.5);
		test_free(ch);
	}
}

/* A write section moves an even counter on, so a reader that loaded it
 * before the write never finds it again after (a stray even store
 * included). */
static void test_a_write_moves_any_counter_on(void **state)
{
	(void)state;
	_Atomic uint32_t seq;
	const uint32_t start[] = { 0, 2, 6, 0xfffffffeu, 1, 0xffffffffu };
	for (size_t k = 0; k < sizeof start / sizeof start[0]; k++) {
		atomic_store(&seq, start[k]);
		seqlock_write_begin(&seq);
		uint32_t mid = atomic_load(&seq);
		assert_int_equal(mid % 2, 1);
		assert_int_not_equal(mid, start[k]);
		seqlock_write_end(&seq);
		assert_int_equal(atomic_load(&seq) % 2, 0);
		assert_int_not_equal(atomic_load(&seq), start[k]);
	}
}

static void test_child_publish_read(void **state)
{
	(void)state;
	struct shm_child *c = test_calloc(1, sizeof *c);
	assert_non_null(c);
	child_publish(c, SHM_CHILD_BACKOFF, 4242, SHM_EXIT_SIGNAL, 9, 123456789);
	atomic_store(&c->restarts, 3);
	atomic_store(&c->exits_by_reason[SHM_EXIT_SIGNAL], 2);
	atomic_store(&c->exits_by_reason[SHM_EXIT_HANG], 1);
	atomic_store(&c->heartbeat_monotonic_ns, 987654321);
	atomic_store(&c->rss_bytes, 1 << 20);
	atomic_store(&c->memory_limit_bytes, 64u << 20);

	struct child_snapshot s;
	memset(&s, 0xee, sizeof s);
	assert_true(child_read(c, &s));
	assert_int_equal(s.state, SHM_CHILD_BACKOFF);
	assert_int_equal(s.pid, 4242);
	assert_int_equal(s.last_exit_reason, SHM_EXIT_SIGNAL);
	assert_int_equal(s.last_exit_detail, 9);
	assert_int_equal(s.started_monotonic_ns, 123456789);
	assert_int_equal(s.restarts, 3);
	assert_int_equal(s.exits_by_reason[SHM_EXIT_NONE], 0);
	assert_int_equal(s.exits_by_reason[SHM_EXIT_CODE], 0);
	assert_int_equal(s.exits_by_reason[SHM_EXIT_SIGNAL], 2);
	assert_int_equal(s.exits_by_reason[SHM_EXIT_HANG], 1);
	assert_int_equal(s.heartbeat_monotonic_ns, 987654321);
	assert_int_equal(s.rss_bytes, 1 << 20);
	assert_int_equal(s.memory_limit_bytes, 64u << 20);
	assert_int_equal(atomic_load(&c->seq), 2);

	/* a second publish replaces the whole record */
	child_publish(c, SHM_CHILD_RUNNING, 5000, SHM_EXIT_CODE, 1, 42);
	child_read(c, &s);
	assert_int_equal(s.state, SHM_CHILD_RUNNING);
	assert_int_equal(s.pid, 5000);
	assert_int_equal(s.last_exit_reason, SHM_EXIT_CODE);
	assert_int_equal(s.last_exit_detail, 1);
	assert_int_equal(s.started_monotonic_ns, 42);
	assert_int_equal(atomic_load(&c->seq), 4);
	test_free(c);
}

static void test_child_read_sanitises_enums(void **state)
{
	(void)state;
	struct shm_child *c = test_calloc(1, sizeof *c);
	assert_non_null(c);
	atomic_store(&c->state, 77);
	atomic_store(&c->last_exit_reason, 99);
	atomic_store(&c->pid, 12);
	struct child_snapshot s;
	assert_true(child_read(c, &s));
	assert_int_equal(s.state, SHM_CHILD_UNKNOWN); /* not "stopped": nobody said so */
	assert_int_equal(s.last_exit_reason, SHM_EXIT_NONE);
	assert_int_equal(s.pid, 12);
	test_free(c);
}

static void test_child_read_reports_a_busy_record(void **state)
{
	(void)state;
	struct shm_child *c = test_calloc(1, sizeof *c);
	assert_non_null(c);
	child_publish(c, SHM_CHILD_RUNNING, 77, SHM_EXIT_NONE, 0, 5);
	atomic_store(&c->restarts, 8);
	atomic_store(&c->seq, 3); /* supervisor died mid-publish */
	struct child_snapshot s;
	assert_false(child_read(c, &s));                              /* bounded retries, and it says so */
	assert_int_equal(s.restarts, 8);                              /* single-word cells are whole anyway */
	child_publish(c, SHM_CHILD_RUNNING, 78, SHM_EXIT_NONE, 0, 5); /* the next publish heals it */
	assert_true(child_read(c, &s));
	assert_int_equal(s.pid, 78);
	test_free(c);
}

static void test_child_heartbeat_uses_monotonic_clock(void **state)
{
	(void)state;
	struct shm_child *c = test_calloc(1, sizeof *c);
	assert_non_null(c);
	int64_t before = monotonic_ns();
	child_heartbeat(c);
	int64_t after = monotonic_ns();
	int64_t hb = atomic_load(&c->heartbeat_monotonic_ns);
	assert_true(hb >= before);
	assert_true(hb <= after);
	assert_true(before > 0);
	test_free(c);
}

static void test_clocks(void **state)
{
	(void)state;
	int64_t a = monotonic_ns(), b = monotonic_ns();
	assert_true(b >= a);
	/* realtime is after 2020-01-01 */
	assert_true(realtime_ns() > INT64_C(1577836800) * 1000000000);
}

static void test_channel_stats_publish_read(void **state)
{
	(void)state;
	struct shm_channel *ch = test_calloc(1, sizeof *ch);
	assert_non_null(ch);
	struct channel_stats in = { .min = -1.5, .max = 42.25, .mean = 3.0, .p95 = 40.0, .dominant_hz = 1.3 };
	channel_stats_publish(ch, &in);
	assert_int_equal(atomic_load(&ch->stats_seq), 2);

	struct channel_stats out;
	memset(&out, 0, sizeof out);
	assert_true(channel_stats_read(ch, &out));
	assert_true(out.min == -1.5);
	assert_true(out.max == 42.25);
	assert_true(out.mean == 3.0);
	assert_true(out.p95 == 40.0);
	assert_true(out.dominant_hz == 1.3);

	/* NaN survives the round trip as bits */
	in.mean = NAN;
	channel_stats_publish(ch, &in);
	assert_true(channel_stats_read(ch, &out));
	assert_true(isnan(out.mean));
	assert_true(out.max == 42.25);

	/* a torn publication is refused */
	atomic_store(&ch->stats_seq, 5);
	assert_false(channel_stats_read(ch, &out));

	/* until the next write, which makes it even again */
	channel_stats_publish(ch, &in);
	assert_int_equal(atomic_load(&ch->stats_seq) % 2, 0);
	assert_true(channel_stats_read(ch, &out));
	test_free(ch);
}

static void test_double_bits_round_trip(void **state)
{
	(void)state;
	const double v[] = { 0.0, -0.0, 1.0, -2.5, 1e-300, 1e300, INFINITY, -INFINITY };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		double back = shm_bits_to_double(shm_double_to_bits(v[i]));
		assert_memory_equal(&back, &v[i], sizeof back);
	}
	assert_int_equal(shm_double_to_bits(1.0), UINT64_C(0x3ff0000000000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_bounds_are_inclusive),
		cmocka_unit_test(test_just_above_bound_goes_to_next_bucket),
		cmocka_unit_test(test_bounds_table),
		cmocka_unit_test(test_inf_bucket_sum_count_and_cumulative_snapshot),
		cmocka_unit_test(test_sum_of_exact_values),
		cmocka_unit_test(test_empty_histogram_reads_zero),
		cmocka_unit_test(test_read_fails_when_writer_died_mid_update),
		cmocka_unit_test(test_read_rejects_count_not_matching_buckets),
		cmocka_unit_test(test_new_writer_completes_an_armed_observation),
		cmocka_unit_test(test_new_writer_ignores_an_unarmed_observation),
		cmocka_unit_test(test_histogram_whole_after_writer_killed_anywhere),
		cmocka_unit_test(test_a_write_heals_a_counter_left_odd),
		cmocka_unit_test(test_a_write_moves_any_counter_on),
		cmocka_unit_test(test_child_publish_read),
		cmocka_unit_test(test_child_read_sanitises_enums),
		cmocka_unit_test(test_child_read_reports_a_busy_record),
		cmocka_unit_test(test_child_heartbeat_uses_monotonic_clock),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_channel_stats_publish_read),
		cmocka_unit_test(test_double_bits_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
