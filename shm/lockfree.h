/*
 * lockfree.h - every atomic type the segment holds must be lock-free in
 * hardware on the target, or the build fails here.
 *
 * Why: the worker, the exporter and the supervisor are separate processes
 * sharing these cells through one mapping. Where the CPU has no atomic
 * instruction of a type's width (64 bits on ARMv5, i486, some 32-bit
 * microcontrollers), the compiler falls back to libatomic, which guards
 * the access with a lock table private to each process: two processes
 * then "atomically" update the same cell without excluding each other,
 * and readings, counters and seqlocks tear silently. So a target without
 * lock-free 32- and 64-bit atomics cannot run this design, and is told so
 * at compile time. shm_atomics_lock_free() (segment.h) repeats the check
 * on the live cells at start, for a build whose compiler claims more than
 * the CPU it runs on can do.
 */
#ifndef SENSOR_SHM_LOCKFREE_H
#define SENSOR_SHM_LOCKFREE_H

#include <stdatomic.h>
#include <stdint.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "sensor-service needs lock-free 32-bit atomics in shared memory (see shm/lockfree.h)");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
	       "sensor-service needs lock-free 64-bit atomics in shared memory; this target would lock them per "
	       "process (see shm/lockfree.h)");
_Static_assert(__atomic_always_lock_free(sizeof(uint32_t), 0) && __atomic_always_lock_free(sizeof(uint64_t), 0),
	       "sensor-service needs lock-free uint32_t and uint64_t atomics in shared memory (see shm/lockfree.h)");

#endif
