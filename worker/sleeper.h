/*
 * sleeper.h - what a worker thread that runs every interval sleeps on: a
 * wait until a monotonic deadline that a stop ends at once, and cannot
 * miss (the stop is set under the lock the wait holds).
 */
#ifndef SENSOR_WORKER_SLEEPER_H
#define SENSOR_WORKER_SLEEPER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sleeper {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	atomic_bool stopping; /* set under mu; may also be read without it */
};

/* 0, or the pthread error code. */
int sleeper_init(struct sleeper *s);

/* Sleep until `deadline_ns` (CLOCK_MONOTONIC) or a stop; true when stopping. */
bool sleeper_wait_until(struct sleeper *s, int64_t deadline_ns);

/* Ask the sleeping (or next) wait to end, for good. */
void sleeper_stop(struct sleeper *s);

void sleeper_destroy(struct sleeper *s);

#endif
