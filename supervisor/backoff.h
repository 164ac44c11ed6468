/*
 * backoff.h - how long to wait before restarting a child that died.
 */
#ifndef SENSOR_SUPERVISOR_BACKOFF_H
#define SENSOR_SUPERVISOR_BACKOFF_H

#include <stdint.h>

/* A child that lived at least this long is considered to have started
 * well: its next death restarts the backoff from the minimum. */
#define BACKOFF_STABLE_MS 10000

/* Delay after the n-th consecutive quick death (n >= 1): min, 2*min,
 * 4*min, ... capped at max. */
int64_t backoff_delay_ms(unsigned failures, int64_t min_ms, int64_t max_ms);

#endif
