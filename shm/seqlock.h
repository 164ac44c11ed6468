/*
 * seqlock.h - single-writer sequence counters over shared memory.
 *
 * The writer makes the counter odd, stores the fields (each an atomic, so
 * there is no data race in the C11 sense), then makes it even again. A
 * reader copies the fields between two loads of the counter and accepts
 * the copy only when both loads are equal and even. Readers never write,
 * so a writer that dies mid-update leaves an odd counter that readers
 * detect and give up on after a bounded number of tries: nothing blocks.
 *
 * The writer forces the parity rather than adding one: begin stores an
 * odd value, end an even one, whatever the counter held. A counter left
 * odd by a dead writer, or hit by a stray store, is therefore right again
 * after the next write, with no reset for a successor to remember. Both
 * stores also move the counter on, so a reader that loaded any value
 * before a write never finds it again after.
 */
#ifndef SENSOR_SHM_SEQLOCK_H
#define SENSOR_SHM_SEQLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SEQLOCK_READ_TRIES 64

static inline void seqlock_write_begin(_Atomic uint32_t *seq)
{
	uint32_t s = atomic_load_explicit(seq, memory_order_relaxed);
	atomic_store_explicit(seq, (s + 1u) | 1u, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void seqlock_write_end(_Atomic uint32_t *seq)
{
	uint32_t s = atomic_load_explicit(seq, memory_order_relaxed);
	atomic_store_explicit(seq, (s | 1u) + 1u, memory_order_release);
}

static inline uint32_t seqlock_read_begin(const _Atomic uint32_t *seq)
{
	return atomic_load_explicit((_Atomic uint32_t *)seq, memory_order_acquire);
}

/* True when the copy taken since `start` is consistent. */
static inline bool seqlock_read_ok(const _Atomic uint32_t *seq, uint32_t start)
{
	atomic_thread_fence(memory_order_acquire);
	return (start & 1u) == 0 && atomic_load_explicit((_Atomic uint32_t *)seq, memory_order_relaxed) == start;
}

/* Relaxed loads and stores for fields published under a seqlock. */
#define SHM_LOAD(p) atomic_load_explicit((p), memory_order_relaxed)
#define SHM_STORE(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
#define SHM_ADD(p, v) atomic_fetch_add_explicit((p), (v), memory_order_relaxed)

static inline uint64_t shm_double_to_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static inline double shm_bits_to_double(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

#endif
