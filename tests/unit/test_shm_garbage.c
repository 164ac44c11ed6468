/*
 * test_shm_garbage.c - readers of the segment never crash or read out of
 * bounds on garbage: ring positions at the edge of the 64-bit range, slots
 * and channel records full of random bytes, every byte of the segment,
 * header and strings included, overwritten at random after the readers
 * took their copy of the structure (view.h); the supervisor's repair then
 * restores the structure. Under `make asan` any stray read is a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../../exporter/render.h"
#include "../../shm/ring.h"
#include "../../shm/segment.h"
#include "../../shm/view.h"
#include "fixture.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dU;
}

static void fill_random(void *p, size_t n)
{
	unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)rng();
}

/* Every reader the exporter and the worker's processing step use. */
static void read_everything(const struct shm_segment *seg)
{
	struct reading out[64];
	uint64_t cap = shm_view_of(seg)->hdr.ring_capacity;
	assert_true(ring_depth(seg) <= cap);
	size_t n = ring_peek_recent(seg, out, 64);
	assert_true(n <= 64 && n <= cap);
	for (size_t i = 1; i < n; i++)
		assert_true(out[i].index > out[i - 1].index);

	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_metrics(b, seg, 12345);
	int status = render_health(b, seg, 12345);
	assert_true(status == 200 || status == 503);
	render_debug(b, seg, 12345, 256);
	assert_true(evbuffer_get_length(b) > 0);
	evbuffer_free(b);
}

static void test_positions_at_the_edges(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 3);
	const uint64_t edges[] = { 0, 1, 15, 16, 17, UINT64_MAX / 2, UINT64_MAX - 16, UINT64_MAX - 1, UINT64_MAX };
	for (size_t h = 0; h < sizeof edges / sizeof edges[0]; h++)
		for (size_t t = 0; t < sizeof edges / sizeof edges[0]; t++) {
			atomic_store(&seg->ring.head, edges[h]);
			atomic_store(&seg->ring.tail, edges[t]);
			read_everything(seg);
		}
	fixture_free(seg);
}

static void test_slots_full_of_garbage(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(64, 4);
	for (int round = 0; round < 200; round++) {
		fill_random(shm_ring_slots(seg), 64 * sizeof(struct shm_ring_slot));
		atomic_store(&seg->ring.head, rng() % 4 ? rng() % 1000 : rng());
		/* some slots look complete for their position, with garbage channels */
		uint64_t head = atomic_load(&seg->ring.head);
		for (uint64_t i = head > 8 ? head - 8 : 0; i < head; i++)
			atomic_store(&shm_ring_slots(seg)[i & 63].seq, 2 * i + 2);
		read_everything(seg);
	}
	fixture_free(seg);
}

static void test_every_byte_random(void **state)
{
	(void)state;
	const uint32_t caps[] = { 16, 1024 };
	const uint32_t channels[] = { 1, 3, SHM_MAX_CHANNELS };
	for (size_t c = 0; c < 2; c++)
		for (size_t k = 0; k < 3; k++) {
			struct shm_segment *seg = fixture_segment(caps[c], channels[k]);
			for (uint32_t ch = 0; ch < channels[k]; ch++)
				snprintf(seg->channels[ch].name, sizeof seg->channels[ch].name, "c%u", ch);
			fixture_seal(seg);
			size_t size = shm_segment_size(caps[c]);
			char err[200], what[200];
			for (int round = 0; round < 20; round++) {
				/* the header, unterminated names, units and labels, sources... */
				fill_random(seg, size);
				read_everything(seg);
				assert_true(shm_view_repair(seg, what, sizeof what) > 0);
				assert_int_equal(shm_validate(seg, size, err, sizeof err), 0);
				assert_int_equal(seg->hdr.channel_count, channels[k]);
				assert_string_equal(seg->channels[channels[k] - 1].name,
						    shm_view_of(seg)->chan[channels[k] - 1].name);
				read_everything(seg);
			}
			fixture_free(seg);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_at_the_edges),
		cmocka_unit_test(test_slots_full_of_garbage),
		cmocka_unit_test(test_every_byte_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
