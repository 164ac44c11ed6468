/*
 * monocond.h - a condition variable whose timed waits run on the
 * monotonic clock: a wall clock stepped back (NTP on a board without an
 * RTC) must not stretch a deadline, nor one stepped forward cut it short.
 * Deadlines are monotonic_ns() values (shm/clock.h).
 */
#ifndef SENSOR_COMMON_MONOCOND_H
#define SENSOR_COMMON_MONOCOND_H

#include <pthread.h>
#include <stdint.h>

/* pthread_cond_init with the monotonic clock: 0, or an error number. */
int monocond_init(pthread_cond_t *cond);

/*
 * pthread_cond_timedwait until the monotonic time `until_ns` (a time in
 * the past times out at once): 0 when woken, ETIMEDOUT, or another error
 * number. Wakes may be spurious: wait in a loop over the condition.
 */
int monocond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t until_ns);

#endif
