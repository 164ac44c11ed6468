/*
 * monocond.c - see monocond.h.
 */
#include "monocond.h"

#include <time.h>

int monocond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int err = pthread_condattr_init(&attr);
	if (err != 0)
		return err;
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (err == 0)
		err = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return err;
}

int monocond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, int64_t until_ns)
{
	if (until_ns < 0)
		until_ns = 0;
	struct timespec until = { .tv_sec = (time_t)(until_ns / 1000000000), .tv_nsec = (long)(until_ns % 1000000000) };
	return pthread_cond_timedwait(cond, mutex, &until);
}
