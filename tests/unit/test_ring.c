/*
 * test_ring.c - the ring buffer of readings: order, wrap-around,
 * overwrite-oldest with its dropped counter, queue depth, consumption,
 * torn/overwritten slots, a concurrent writer/reader, and a push racing a
 * consume.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "../../shm/ring.h"
#include "../../shm/seqlock.h"
#include "fixture.h"

#define CAP 16u

static int setup(void **state)
{
	*state = fixture_segment(CAP, 3);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

/* Reading number i is pushed with channel i%3, timestamp 1000+i, value 0.5+i. */
static void push_n(struct shm_segment *seg, uint64_t from, uint64_t n)
{
	for (uint64_t i = from; i < from + n; i++)
		ring_push(seg, (uint32_t)(i % 3), (int64_t)(1000 + i), 0.5 + (double)i);
}

static void assert_reading(const struct reading *r, uint64_t index)
{
	assert_int_equal(r->index, index);
	assert_int_equal(r->channel, index % 3);
	assert_int_equal(r->timestamp_ns, 1000 + index);
	assert_true(r->value == 0.5 + (double)index);
}

static void test_empty(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	assert_int_equal(ring_depth(seg), 0);
	assert_int_equal(ring_peek_recent(seg, out, CAP), 0);
	assert_int_equal(ring_consume_all(seg), 0);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 0);
}

static void test_push_and_peek_in_order(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	push_n(seg, 0, 5);

	assert_int_equal(atomic_load(&seg->ring.head), 5);
	assert_int_equal(atomic_load(&seg->ring.tail), 0);
	assert_int_equal(ring_depth(seg), 5);
	assert_int_equal(ring_depth(seg), 5);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 0);

	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], i);
	/* peeking consumes nothing */
	assert_int_equal(ring_depth(seg), 5);
}

static void test_peek_fewer_than_available_gives_newest(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[3];
	push_n(seg, 0, 10);
	size_t n = ring_peek_recent(seg, out, 3);
	assert_int_equal(n, 3);
	assert_reading(&out[0], 7);
	assert_reading(&out[1], 8);
	assert_reading(&out[2], 9);
	assert_int_equal(ring_peek_recent(seg, out, 0), 0);
}

static void test_peek_more_than_capacity_is_capped(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[4 * CAP];
	push_n(seg, 0, 3 * CAP);
	size_t n = ring_peek_recent(seg, out, 4 * CAP);
	assert_int_equal(n, CAP);
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], 2 * CAP + i);
}

static void test_wrap_around_without_drops(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	/* 5 rounds of 10 readings, consumed after each: the indices wrap the
	 * 16 slots three times and nothing is ever dropped. */
	for (uint64_t round = 0; round < 5; round++) {
		push_n(seg, round * 10, 10);
		assert_int_equal(ring_depth(seg), 10);
		assert_int_equal(ring_consume_all(seg), 10);
		assert_int_equal(ring_depth(seg), 0);
	}
	assert_int_equal(atomic_load(&seg->ring.head), 50);
	assert_int_equal(atomic_load(&seg->ring.tail), 50);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 0);

	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, CAP);
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], 50 - CAP + i);
	/* slot of reading 49 is 49 % 16 == 1 */
	assert_int_equal(atomic_load(&shm_ring_slots(seg)[1].seq), 2 * 49 + 2);
}

static void test_overwrite_oldest_counts_drops(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	push_n(seg, 0, CAP);
	assert_int_equal(ring_depth(seg), CAP);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 0);

	push_n(seg, CAP, 4); /* four more than fit: 0..3 are overwritten */
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 4);
	assert_int_equal(ring_depth(seg), CAP);
	assert_int_equal(ring_depth(seg), CAP);
	assert_int_equal(atomic_load(&seg->ring.tail), 4);

	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, CAP);
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], 4 + i);

	/* the pending ones are exactly the CAP that survived */
	assert_int_equal(ring_consume_all(seg), CAP);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 4);
}

static void test_drops_only_count_unconsumed(void **state)
{
	struct shm_segment *seg = *state;
	push_n(seg, 0, 10);
	assert_int_equal(ring_consume_all(seg), 10);
	push_n(seg, 10, 20); /* 20 pending into 16 slots: 4 dropped */
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 4);
	assert_int_equal(ring_depth(seg), CAP);
	assert_int_equal(ring_consume_all(seg), CAP);
	push_n(seg, 30, CAP); /* exactly full again: no drop */
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 4);
	push_n(seg, 30 + CAP, 1);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 5);
}

static void test_consume(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	push_n(seg, 0, 7);
	assert_int_equal(ring_consume_all(seg), 7);
	assert_int_equal(ring_depth(seg), 0);
	assert_int_equal(ring_depth(seg), 0);
	assert_int_equal(ring_consume_all(seg), 0);

	/* consumed readings stay visible to peekers */
	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, 7);
	assert_reading(&out[6], 6);

	push_n(seg, 7, 3);
	assert_int_equal(ring_depth(seg), 3);
	assert_int_equal(ring_depth(seg), 3);
	assert_int_equal(ring_consume_all(seg), 3);
}

static void test_depth_never_garbage(void **state)
{
	struct shm_segment *seg = *state;
	push_n(seg, 0, 5);
	/* a racing reader could see a tail from after the head it loaded */
	atomic_store(&seg->ring.tail, 6);
	assert_int_equal(ring_depth(seg), 0);
	/* and never more than the capacity */
	atomic_store(&seg->ring.tail, 0);
	atomic_store(&seg->ring.head, 100);
	assert_int_equal(ring_depth(seg), CAP);
}

static void test_peek_skips_torn_slot(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	push_n(seg, 0, 8);
	/* reading 3 is being rewritten: its slot's seq is odd */
	struct shm_ring_slot *slot = &shm_ring_slots(seg)[3];
	atomic_store(&slot->seq, 2 * 3 + 1);

	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, 7);
	const uint64_t want[] = { 0, 1, 2, 4, 5, 6, 7 };
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], want[i]);
}

static void test_peek_skips_overwritten_slot(void **state)
{
	struct shm_segment *seg = *state;
	struct reading out[CAP];
	push_n(seg, 0, 8);
	/* slot 5 already holds reading 5 + CAP (a later lap) ... */
	atomic_store(&shm_ring_slots(seg)[5].seq, 2 * (5 + CAP) + 2);
	/* ... and slot 6 is mid-write of a later lap */
	atomic_store(&shm_ring_slots(seg)[6].seq, 2 * (6 + CAP) + 1);
	/* slot 0 has never been completed (seq 0) */
	atomic_store(&shm_ring_slots(seg)[0].seq, 0);

	size_t n = ring_peek_recent(seg, out, CAP);
	assert_int_equal(n, 5);
	const uint64_t want[] = { 1, 2, 3, 4, 7 };
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], want[i]);
}

static void test_larger_ring_uses_header_capacity(void **state)
{
	(void)state;
	/* a bigger ring: the mask uses the header's capacity, not CAP */
	struct shm_segment *seg = fixture_segment(64, 3);
	assert_non_null(seg);
	struct reading out[64];
	push_n(seg, 0, 100);
	assert_int_equal(atomic_load(&seg->worker.readings_dropped), 36);
	size_t n = ring_peek_recent(seg, out, 64);
	assert_int_equal(n, 64);
	for (size_t i = 0; i < n; i++)
		assert_reading(&out[i], 36 + i);
	fixture_free(seg);
}

/* ---- concurrent writer and reader ---- */

#define CONC_CAP 64u
#define CONC_MIN_READINGS 200000u
#define CONC_MAX_READINGS 50000000u
#define CONC_MIN_BUSY_PEEKS 2000u
#define CONC_CHANNELS 5u

struct conc {
	struct shm_segment *seg;
	atomic_bool done;
	/* peeks that found readings while the writer was still writing */
	atomic_uint_least64_t busy_peeks;
	uint64_t pushed;
	/* reader's findings */
	uint64_t peeks, readings_seen, bad_value, bad_order, bad_channel, bad_time, went_back;
};

/*
 * Reading i: channel i%5, value i*8 + channel, timestamp -i. The writer
 * goes on until the reader has seen it at work a good number of times, so
 * the two really overlap however the threads get scheduled (bounded, in
 * case the reader never gets a CPU).
 */
static void *writer(void *arg)
{
	struct conc *c = arg;
	uint64_t i = 0;
	for (; i < CONC_MAX_READINGS; i++) {
		if (i >= CONC_MIN_READINGS && (i & 1023) == 0 && atomic_load(&c->busy_peeks) >= CONC_MIN_BUSY_PEEKS)
			break;
		uint32_t ch = (uint32_t)(i % CONC_CHANNELS);
		ring_push(c->seg, ch, -(int64_t)i, (double)(i * 8 + ch));
		if (i % 97 == 0)
			ring_consume_all(c->seg);
	}
	c->pushed = i;
	atomic_store(&c->done, true);
	return NULL;
}

static void *reader(void *arg)
{
	struct conc *c = arg;
	struct reading out[CONC_CAP];
	uint64_t last_first = 0;
	bool finished = false;
	while (!finished) {
		/* one more pass after the writer ends, so the final state is checked too */
		finished = atomic_load(&c->done);
		size_t n = ring_peek_recent(c->seg, out, CONC_CAP);
		c->peeks++;
		c->readings_seen += n;
		if (n > 0 && !finished)
			atomic_fetch_add(&c->busy_peeks, 1);
		for (size_t i = 0; i < n; i++) {
			const struct reading *r = &out[i];
			uint64_t ch = r->index % CONC_CHANNELS;
			if (r->channel != ch)
				c->bad_channel++;
			if (r->value != (double)(r->index * 8 + ch))
				c->bad_value++;
			if (r->timestamp_ns != -(int64_t)r->index)
				c->bad_time++;
			if (i > 0 && r->index <= out[i - 1].index)
				c->bad_order++;
		}
		if (n > 0) {
			if (out[0].index < last_first)
				c->went_back++;
			last_first = out[0].index;
		}
	}
	return NULL;
}

static void test_concurrent_writer_reader(void **state)
{
	(void)state;
	struct conc c;
	memset(&c, 0, sizeof c);
	c.seg = fixture_segment(CONC_CAP, CONC_CHANNELS);
	assert_non_null(c.seg);
	atomic_init(&c.done, false);
	atomic_init(&c.busy_peeks, 0);

	pthread_t tw, tr;
	assert_int_equal(pthread_create(&tr, NULL, reader, &c), 0);
	assert_int_equal(pthread_create(&tw, NULL, writer, &c), 0);
	assert_int_equal(pthread_join(tw, NULL), 0);
	assert_int_equal(pthread_join(tr, NULL), 0);

	print_message("writer: %llu readings; reader: %llu peeks (%llu during writes), %llu readings checked\n",
		      (unsigned long long)c.pushed, (unsigned long long)c.peeks,
		      (unsigned long long)atomic_load(&c.busy_peeks), (unsigned long long)c.readings_seen);
	assert_true(atomic_load(&c.busy_peeks) > 0);
	assert_true(c.readings_seen > 0);
	assert_int_equal(c.bad_channel, 0);
	assert_int_equal(c.bad_value, 0);
	assert_int_equal(c.bad_time, 0);
	assert_int_equal(c.bad_order, 0);
	assert_int_equal(c.went_back, 0);

	/* the final state, with the writer gone, is complete and exact */
	struct reading out[CONC_CAP];
	size_t n = ring_peek_recent(c.seg, out, CONC_CAP);
	assert_int_equal(n, CONC_CAP);
	for (size_t i = 0; i < n; i++) {
		uint64_t idx = c.pushed - CONC_CAP + i;
		assert_int_equal(out[i].index, idx);
		assert_true(out[i].value == (double)(idx * 8 + idx % CONC_CHANNELS));
	}
	assert_int_equal(atomic_load(&c.seg->ring.head), c.pushed);
	/* consumed after every 97th push: the rest is pending, up to the capacity */
	uint64_t pending_at_end = (c.pushed - 1) % 97;
	assert_int_equal(ring_depth(c.seg), pending_at_end < CONC_CAP ? pending_at_end : CONC_CAP);
	/* 97 pushes between consumptions overflow a 64-slot ring */
	assert_true(atomic_load(&c.seg->worker.readings_dropped) > 0);
	fixture_free(c.seg);
}

/*
 * The worker's two threads on one ring: the sampling thread pushes while
 * the processing thread consumes. Every reading pushed is then consumed
 * once, dropped once, or still pending: none is counted twice (tail moved
 * back over a consume) or lost (tail moved back over a drop). The smallest
 * ring, and a consumer pausing a varying while between consumes, so that
 * the ring fills and the drop path and the consume race on tail often.
 */
#define RACE_CAP SHM_RING_MIN
#define RACE_PUSHES 2000000u

#define RACE_MIN_OVERLAPS 20000u /* consumes that took readings while the producer ran */
#define RACE_MAX_S 20

struct race {
	struct shm_segment *seg;
	atomic_bool done;
	_Atomic uint64_t overlaps;
	uint64_t consumed;
	uint64_t consumes;
};

static void *race_consumer(void *arg)
{
	struct race *r = arg;
	while (!atomic_load(&r->done)) {
		uint64_t got = ring_consume_all(r->seg);
		r->consumed += got;
		r->consumes++;
		if (got > 0)
			atomic_fetch_add(&r->overlaps, 1);
		for (volatile unsigned spin = 0; spin < (r->consumes % 64) * 8; spin++)
			;
	}
	r->consumed += ring_consume_all(r->seg);
	return NULL;
}

static void test_concurrent_push_and_consume_count_each_reading_once(void **state)
{
	(void)state;
	struct race r;
	memset(&r, 0, sizeof r);
	r.seg = fixture_segment(RACE_CAP, 1);
	assert_non_null(r.seg);
	atomic_init(&r.done, false);
	atomic_init(&r.overlaps, 0);
	pthread_t tc;
	assert_int_equal(pthread_create(&tc, NULL, race_consumer, &r), 0);
	/* At least RACE_PUSHES, and on until the two threads have really run
	 * side by side (a consumer that only ran after the pushes proves
	 * nothing), within RACE_MAX_S. */
	uint64_t pushed = 0;
	time_t give_up = time(NULL) + RACE_MAX_S;
	while (pushed < RACE_PUSHES || (atomic_load(&r.overlaps) < RACE_MIN_OVERLAPS && time(NULL) < give_up))
		for (uint32_t k = 0; k < 1000; k++, pushed++)
			ring_push(r.seg, 0, (int64_t)pushed, (double)pushed);
	atomic_store(&r.done, true);
	assert_int_equal(pthread_join(tc, NULL), 0);

	uint64_t dropped = atomic_load(&r.seg->worker.readings_dropped);
	print_message("pushed %llu: consumed %llu in %llu consumes (%llu non-empty), dropped %llu, pending %llu\n",
		      (unsigned long long)pushed, (unsigned long long)r.consumed, (unsigned long long)r.consumes,
		      (unsigned long long)atomic_load(&r.overlaps), (unsigned long long)dropped,
		      (unsigned long long)ring_depth(r.seg));
	assert_true(atomic_load(&r.overlaps) >= RACE_MIN_OVERLAPS); /* they did race */
	assert_true(dropped > 0);                                   /* on the drop path too */
	assert_int_equal(ring_depth(r.seg), 0);
	assert_int_equal(r.consumed + dropped, pushed);
	assert_int_equal(atomic_load(&r.seg->ring.tail), pushed);
	fixture_free(r.seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_and_peek_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_fewer_than_available_gives_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_more_than_capacity_is_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_around_without_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite_oldest_counts_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops_only_count_unconsumed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_never_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_skips_torn_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_skips_overwritten_slot, setup, teardown),
		cmocka_unit_test(test_larger_ring_uses_header_capacity),
		cmocka_unit_test(test_concurrent_writer_reader),
		cmocka_unit_test(test_concurrent_push_and_consume_count_each_reading_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
