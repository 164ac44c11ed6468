/*
 * ring.c - single-producer ring with per-slot sequence numbers. The
 * worker's sampling thread pushes, its processing thread consumes; both
 * move tail (a drop, a consume), so tail only ever moves by CAS.
 */
#include "ring.h"

#include "seqlock.h"
#include "view.h"

/* From this process's copy: 0 (no ring) for a segment it has no view of. */
static uint64_t capacity(const struct shm_segment *seg)
{
	return shm_view_of(seg)->hdr.ring_capacity;
}

void ring_push(struct shm_segment *seg, uint32_t channel, int64_t timestamp_ns, double value)
{
	uint64_t cap = capacity(seg);
	if (cap == 0)
		return;
	uint64_t head = SHM_LOAD(&seg->ring.head);
	uint64_t tail = SHM_LOAD(&seg->ring.tail);
	struct shm_ring_slot *slot = &shm_ring_slots(seg)[head & (cap - 1)];

	/* Full: the oldest unconsumed reading is about to be overwritten. The
	 * worker's processing thread may move tail at the same moment (to
	 * head, consuming everything): a compare-and-swap, so tail never moves
	 * back, and a reading consumed meanwhile is not counted as dropped. */
	while (head - tail >= cap) {
		if (atomic_compare_exchange_weak_explicit(&seg->ring.tail, &tail, head - cap + 1, memory_order_relaxed,
							  memory_order_relaxed)) {
			SHM_ADD(&seg->worker.readings_dropped, 1);
			break;
		}
	}

	SHM_STORE(&slot->seq, 2 * head + 1);
	atomic_thread_fence(memory_order_release);
	SHM_STORE(&slot->timestamp_ns, timestamp_ns);
	SHM_STORE(&slot->value_bits, shm_double_to_bits(value));
	SHM_STORE(&slot->channel, channel);
	atomic_store_explicit(&slot->seq, 2 * head + 2, memory_order_release);
	atomic_store_explicit(&seg->ring.head, head + 1, memory_order_release);
}

/* Runs on the processing thread while the sampling thread pushes: tail
 * moves to head only from the value it had, never back over a drop. */
uint64_t ring_consume_all(struct shm_segment *seg)
{
	uint64_t head = atomic_load_explicit(&seg->ring.head, memory_order_acquire);
	uint64_t tail = SHM_LOAD(&seg->ring.tail);
	while (tail < head && !atomic_compare_exchange_weak_explicit(&seg->ring.tail, &tail, head, memory_order_relaxed,
								     memory_order_relaxed))
		;
	return tail < head ? head - tail : 0;
}

uint64_t ring_depth(const struct shm_segment *seg)
{
	uint64_t head = atomic_load_explicit((_Atomic uint64_t *)&seg->ring.head, memory_order_acquire);
	uint64_t tail = atomic_load_explicit((_Atomic uint64_t *)&seg->ring.tail, memory_order_acquire);
	uint64_t cap = capacity(seg);
	/* A reader may see tail from after head; never report garbage. */
	if (tail > head)
		return 0;
	return head - tail > cap ? cap : head - tail;
}

size_t ring_peek_recent(const struct shm_segment *seg, struct reading *out, size_t max)
{
	const struct shm_ring_slot *slots = shm_ring_slots_const(seg);
	uint64_t cap = capacity(seg);
	uint64_t head = atomic_load_explicit((_Atomic uint64_t *)&seg->ring.head, memory_order_acquire);
	uint64_t want = max < cap ? max : cap;
	if (want > head)
		want = head;

	size_t n = 0;
	for (uint64_t i = head - want; i < head; i++) {
		const struct shm_ring_slot *s = &slots[i & (cap - 1)];
		uint64_t expect = 2 * i + 2;
		if (atomic_load_explicit((_Atomic uint64_t *)&s->seq, memory_order_acquire) != expect)
			continue;
		struct reading r = {
			.index = i,
			.timestamp_ns = SHM_LOAD((_Atomic int64_t *)&s->timestamp_ns),
			.value = shm_bits_to_double(SHM_LOAD((_Atomic uint64_t *)&s->value_bits)),
			.channel = SHM_LOAD((_Atomic uint32_t *)&s->channel),
		};
		atomic_thread_fence(memory_order_acquire);
		if (SHM_LOAD((_Atomic uint64_t *)&s->seq) != expect)
			continue; /* overwritten while we copied */
		out[n++] = r;
	}
	return n;
}
