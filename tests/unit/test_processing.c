/*
 * test_processing.c - the worker's CPU-heavy step: window statistics,
 * the dominant frequency, and a whole run over a segment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "../../common/config.h"
#include "../../shm/seqlock.h"
#include "../../worker/processing.h"
#include "../../worker/source.h"
#define FIXTURE_WITH_CHANNELS
#include "fixture.h"

static const double two_pi = 6.283185307179586;

/* ---- stats_compute ---- */

static void test_stats_small(void **state)
{
	(void)state;
	const double v[] = { 5, 1, 4, 2, 3 };
	double copy[5], scratch[5];
	memcpy(copy, v, sizeof v);
	struct channel_stats st;
	stats_compute(copy, 5, scratch, &st);
	assert_true(st.min == 1);
	assert_true(st.max == 5);
	assert_true(st.mean == 3);
	assert_true(st.p95 == 5); /* rank ceil(0.95 * 5) = 5 */
	/* the input is left as it was */
	assert_memory_equal(copy, v, sizeof v);
}

static void test_stats_single_and_negative(void **state)
{
	(void)state;
	double one = -2.5, scratch[4];
	struct channel_stats st;
	stats_compute(&one, 1, scratch, &st);
	assert_true(st.min == -2.5 && st.max == -2.5 && st.mean == -2.5 && st.p95 == -2.5);

	const double v[] = { 6, -1, 2, 1 };
	stats_compute(v, 4, scratch, &st);
	assert_true(st.min == -1);
	assert_true(st.max == 6);
	assert_true(st.mean == 2);
	assert_true(st.p95 == 6); /* rank ceil(3.8) = 4 */
}

static void test_stats_nearest_rank_p95(void **state)
{
	(void)state;
	/* values n, n-1, ..., 1: the p95 is the value of rank ceil(0.95 n) */
	double v[200], scratch[200];
	for (size_t n = 1; n <= 200; n++) {
		for (size_t i = 0; i < n; i++)
			v[i] = (double)(n - i);
		struct channel_stats st;
		stats_compute(v, n, scratch, &st);
		size_t rank = (95 * n + 99) / 100; /* integer ceil(0.95 n) */
		if (st.p95 != (double)rank)
			fail_msg("n=%zu: p95 %g, want %zu", n, st.p95, rank);
		assert_true(st.min == 1);
		assert_true(st.max == (double)n);
		assert_true(st.mean == (double)(n + 1) / 2);
	}
}

static void test_stats_known_percentile(void **state)
{
	(void)state;
	/* 20 values 1..20: rank 19; 100 values 1..100: rank 95 */
	double v[100], scratch[100];
	struct channel_stats st;
	for (int i = 0; i < 20; i++)
		v[i] = i + 1;
	stats_compute(v, 20, scratch, &st);
	assert_true(st.p95 == 19);
	assert_true(st.mean == 10.5);
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i;
	stats_compute(v, 100, scratch, &st);
	assert_true(st.p95 == 95);
	assert_true(st.mean == 50.5);
}

/* ---- dominant_frequency ---- */

static void test_dominant_frequency_sine(void **state)
{
	(void)state;
	double v[128];
	for (size_t i = 0; i < 128; i++)
		v[i] = sin(two_pi * 10.0 * (double)i / 128.0);
	assert_true(dominant_frequency(v, 128) == 10.0 / 128.0);

	/* a DC offset and a phase do not matter */
	double w[200];
	for (size_t i = 0; i < 200; i++)
		w[i] = 5.0 + 0.3 * cos(two_pi * 0.1 * (double)i + 1.0);
	assert_float_equal(dominant_frequency(w, 200), 0.1, 1e-12);
}

static void test_dominant_frequency_strongest_wins(void **state)
{
	(void)state;
	double v[64];
	for (size_t i = 0; i < 64; i++)
		v[i] = 0.3 * sin(two_pi * 5.0 * (double)i / 64.0) + 1.0 * sin(two_pi * 17.0 * (double)i / 64.0);
	assert_true(dominant_frequency(v, 64) == 17.0 / 64.0);
	for (size_t i = 0; i < 64; i++)
		v[i] = 1.0 * sin(two_pi * 5.0 * (double)i / 64.0) + 0.3 * sin(two_pi * 17.0 * (double)i / 64.0);
	assert_true(dominant_frequency(v, 64) == 5.0 / 64.0);
}

static void test_dominant_frequency_edges(void **state)
{
	(void)state;
	double v[16];
	for (size_t i = 0; i < 16; i++)
		v[i] = (i % 2) ? -1.0 : 1.0; /* Nyquist */
	assert_true(dominant_frequency(v, 16) == 0.5);
	double one = 3.0;
	assert_true(dominant_frequency(&one, 1) == 0.0); /* no non-DC component */
}

/* ---- processing_init / processing_run ---- */

static void test_init_sizes(void **state)
{
	(void)state;
	struct processing p;
	assert_int_equal(processing_init(&p, 64, 256, 3, 10.0), 0);
	assert_int_equal(p.window, 64);
	assert_int_equal(p.recent_cap, 192); /* window x channels */
	assert_true(p.sample_rate_hz == 10.0);
	assert_non_null(p.recent);
	assert_non_null(p.values);
	assert_non_null(p.scratch);
	processing_free(&p);
	assert_null(p.recent);
	assert_null(p.values);
	assert_int_equal(p.window, 0);

	assert_int_equal(processing_init(&p, 64, 128, 3, 10.0), 0);
	assert_int_equal(p.recent_cap, 128); /* never more than the ring */
	processing_free(&p);
}

/* Push `steps` sampling ticks over 3 channels: channel 0 is the step
 * number, channel 1 is 7, channel 2 a sine of period 8 samples. */
static void push_steps(struct shm_segment *seg, unsigned from, unsigned steps)
{
	for (unsigned s = from; s < from + steps; s++) {
		ring_push(seg, 0, s, (double)s);
		ring_push(seg, 1, s, 7.0);
		ring_push(seg, 2, s, sin(two_pi * (double)s / 8.0));
	}
}

static void test_run_publishes_window_stats(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_described_segment(512, 3);
	struct processing p;
	assert_int_equal(processing_init(&p, 32, 512, 3, 10.0), 0);
	push_steps(seg, 0, 100);
	assert_int_equal(ring_depth(seg), 300);

	assert_int_equal(processing_run(&p, seg), 300);
	assert_int_equal(ring_depth(seg), 0);
	assert_int_equal(ring_depth(seg), 0);

	struct channel_stats st;
	/* the newest 32 of channel 0: 68..99 */
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.min == 68);
	assert_true(st.max == 99);
	assert_true(st.mean == 83.5);
	assert_true(st.p95 == 98);          /* rank ceil(30.4) = 31 -> 68 + 30 */
	assert_true(st.dominant_hz == 0.0); /* temperature: no spectrum */

	assert_true(channel_stats_read(&seg->channels[1], &st));
	assert_true(st.min == 7 && st.max == 7 && st.mean == 7 && st.p95 == 7);
	assert_true(st.dominant_hz == 0.0);

	/* vibration: period 8 samples at 10 Hz is 1.25 Hz */
	assert_true(channel_stats_read(&seg->channels[2], &st));
	assert_float_equal(st.min, -1.0, 1e-12);
	assert_float_equal(st.max, 1.0, 1e-12);
	assert_float_equal(st.mean, 0.0, 1e-12);
	assert_float_equal(st.dominant_hz, 1.25, 1e-12);

	/* a run with nothing new consumes nothing and publishes the same window again */
	uint32_t seq = atomic_load(&seg->channels[0].stats_seq);
	assert_int_equal(processing_run(&p, seg), 0);
	assert_int_equal(atomic_load(&seg->channels[0].stats_seq), seq + 2);
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.max == 99);

	/* new readings move the window */
	push_steps(seg, 100, 10);
	assert_int_equal(processing_run(&p, seg), 30);
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.min == 78);
	assert_true(st.max == 109);

	processing_free(&p);
	fixture_free(seg);
}

static void *stop_soon(void *arg)
{
	struct timespec ts = { 0, 100 * 1000000 };
	nanosleep(&ts, NULL);
	atomic_store((atomic_bool *)arg, true);
	return NULL;
}

/* A stop set while a long spectrum is being computed ends the run inside
 * it (within one bin), without publishing the half-done channel: a whole
 * spectrum of this window would take seconds. */
static void test_stop_ends_a_run_inside_a_spectrum(void **state)
{
	(void)state;
	const uint32_t n = 65536;
	struct shm_segment *seg = fixture_described_segment(n, 3);
	struct processing p;
	assert_int_equal(processing_init(&p, n, n, 3, 10.0), 0);
	for (uint32_t i = 0; i < n; i++)
		ring_push(seg, 2, i, sin(two_pi * (double)i / 8.0)); /* vibration: takes a spectrum */
	atomic_bool stop;
	atomic_init(&stop, false);
	p.stop = &stop;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stop_soon, &stop), 0);
	processing_run(&p, seg);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&seg->channels[2].stats_seq), 0);
	processing_free(&p);
	fixture_free(seg);
}

static void test_run_with_fewer_readings_than_window(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(512, 4);
	struct processing p;
	assert_int_equal(processing_init(&p, 64, 512, 4, 10.0), 0);
	push_steps(seg, 0, 5); /* channels 0..2 only */
	assert_int_equal(processing_run(&p, seg), 15);

	struct channel_stats st;
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.min == 0 && st.max == 4 && st.mean == 2 && st.p95 == 4);
	/* channel 3 had no readings: nothing published */
	assert_int_equal(atomic_load(&seg->channels[3].stats_seq), 0);
	processing_free(&p);
	fixture_free(seg);
}

static void test_run_after_overflow(void **state)
{
	(void)state;
	/* a 64-slot ring that overflowed: only what survived is consumed */
	struct shm_segment *seg = fixture_segment(64, 3);
	struct processing p;
	assert_int_equal(processing_init(&p, 32, 64, 3, 10.0), 0);
	push_steps(seg, 0, 100);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 300 - 64);
	assert_int_equal(processing_run(&p, seg), 64);
	assert_int_equal(ring_depth(seg), 0);

	struct channel_stats st;
	/* the 64 newest readings are 236..299: step 78 (channel 2 only) to step 99 */
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.min == 79);
	assert_true(st.max == 99);
	processing_free(&p);
	fixture_free(seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_small),
		cmocka_unit_test(test_stats_single_and_negative),
		cmocka_unit_test(test_stats_nearest_rank_p95),
		cmocka_unit_test(test_stats_known_percentile),
		cmocka_unit_test(test_dominant_frequency_sine),
		cmocka_unit_test(test_dominant_frequency_strongest_wins),
		cmocka_unit_test(test_dominant_frequency_edges),
		cmocka_unit_test(test_init_sizes),
		cmocka_unit_test(test_run_publishes_window_stats),
		cmocka_unit_test(test_run_with_fewer_readings_than_window),
		cmocka_unit_test(test_stop_ends_a_run_inside_a_spectrum),
		cmocka_unit_test(test_run_after_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
