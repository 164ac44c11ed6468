/*
 * clock.h - the service's two clocks in nanoseconds: monotonic for every
 * interval, deadline and heartbeat; realtime only for timestamps shown to
 * people or other systems. At the bottom of the tree (shm/), so that
 * every process and layer reads time the same way.
 */
#ifndef SENSOR_SHM_CLOCK_H
#define SENSOR_SHM_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static inline int64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

#endif
