/*
 * sleeper.c - a stoppable wait until a monotonic deadline (see sleeper.h).
 */
#include "sleeper.h"

#include <errno.h>
#include <time.h>

int sleeper_init(struct sleeper *s)
{
	atomic_init(&s->stopping, false);
	pthread_condattr_t ca;
	int rc = pthread_condattr_init(&ca);
	if (rc == 0) {
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		rc = pthread_cond_init(&s->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (rc == 0 && (rc = pthread_mutex_init(&s->mu, NULL)) != 0)
		pthread_cond_destroy(&s->wake);
	return rc;
}

bool sleeper_wait_until(struct sleeper *s, int64_t deadline_ns)
{
	struct timespec at = { .tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000 };
	pthread_mutex_lock(&s->mu);
	while (!atomic_load(&s->stopping) && pthread_cond_timedwait(&s->wake, &s->mu, &at) != ETIMEDOUT)
		;
	bool stop = atomic_load(&s->stopping);
	pthread_mutex_unlock(&s->mu);
	return stop;
}

void sleeper_stop(struct sleeper *s)
{
	pthread_mutex_lock(&s->mu); /* so the wait cannot miss it */
	atomic_store(&s->stopping, true);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

void sleeper_destroy(struct sleeper *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->wake);
}
