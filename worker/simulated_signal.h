/*
 * simulated_signal.h - the signals of the simulated sensor channels.
 *
 * Each channel's value is a pure function of (seed, channel, sample
 * number), so a run is reproducible under a seed and a restarted worker
 * continues the same signal where it left off.
 */
#ifndef SENSOR_WORKER_SIMULATED_SIGNAL_H
#define SENSOR_WORKER_SIMULATED_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../common/sensorkind.h"

/* Kind of channel i: temperature, humidity, vibration, temperature, ... */
enum sensor_kind sensor_kind_of(uint32_t channel);

/* Name ("temperature", "humidity_2", ...) and unit of channel i. */
void sensor_describe(uint32_t channel, char *name, size_t name_len, char *unit, size_t unit_len);

/* fmod(t, period), the same double, for a whole-numbered period: by
 * plain arithmetic while 0 <= t < SIGNAL_CYCLE_EXACT_BELOW (2^47 s: far
 * beyond any uptime), where every step of it is exact, so the sampling
 * loop does not bring libm's fmod code into the worker's memory. */
#define SIGNAL_CYCLE_EXACT_BELOW 140737488355328.0
double signal_cycle_pos(double t, double period);

/* Value of channel i at sample k, sampled every interval_s seconds. */
double sensor_sample(uint64_t seed, uint32_t channel, uint64_t k, double interval_s);

#endif
