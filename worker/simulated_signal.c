/*
 * simulated_signal.c - deterministic, plausible signals: a slow daily-like
 * temperature swing, humidity moving against it, and vibration made of a
 * machine's rotation tone plus noise and occasional bursts.
 */
#include "simulated_signal.h"
#include "trig.h"

#include <math.h>
#include <stdio.h>

enum sensor_kind sensor_kind_of(uint32_t channel)
{
	return (enum sensor_kind)(channel % SENSOR_KIND_COUNT);
}

void sensor_describe(uint32_t channel, char *name, size_t name_len, char *unit, size_t unit_len)
{
	const struct sensor_kind_desc *kind = sensor_kind_desc(sensor_kind_of(channel));
	uint32_t copy = channel / SENSOR_KIND_COUNT;
	if (copy == 0)
		snprintf(name, name_len, "%s", kind->name);
	else
		snprintf(name, name_len, "%s_%u", kind->name, copy);
	snprintf(unit, unit_len, "%s", kind->unit);
}

/* splitmix64: a stateless hash, so noise depends only on its inputs. */
static uint64_t mix(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Uniform in [-1, 1). */
static double noise(uint64_t seed, uint32_t channel, uint64_t k, uint64_t salt)
{
	uint64_t h = mix(seed ^ mix(((uint64_t)channel << 32) ^ mix(k ^ (salt << 56))));
	return (double)(h >> 11) / 4503599627370496.0 - 1.0; /* 2^52 */
}

double signal_cycle_pos(double t, double period)
{
	if (!(t >= 0.0 && t < SIGNAL_CYCLE_EXACT_BELOW))
		return fmod(t, period);
	/* Each step is exact here: n * period is a whole number below 2^53,
	 * t - n * period is a multiple of t's last bit no larger than t, and
	 * the correction lands in [0, period) on that same grid. */
	double n = (double)(uint64_t)(t / period);
	double r = t - n * period;
	if (r < 0.0)
		r += period;
	else if (r >= period)
		r -= period;
	return r;
}

double sensor_sample(uint64_t seed, uint32_t channel, uint64_t k, double interval_s)
{
	const double two_pi = 6.283185307179586;
	double t = (double)k * interval_s;
	double phase = (double)(mix(seed ^ channel) % 1000) / 1000.0 * two_pi;

	switch (sensor_kind_of(channel)) {
	case SENSOR_TEMPERATURE:
		/* 22 C +- 3 over a 10-minute cycle, small sensor noise */
		return 22.0 + 3.0 * trig_sin(two_pi * t / 600.0 + phase) + 0.1 * noise(seed, channel, k, 1);
	case SENSOR_HUMIDITY: {
		double h = 45.0 - 8.0 * trig_sin(two_pi * t / 600.0 + phase) + 0.5 * noise(seed, channel, k, 2);
		return h < 0.0 ? 0.0 : (h > 100.0 ? 100.0 : h);
	}
	case SENSOR_VIBRATION:
	default: {
		/* a rotation tone at 0.13 of the sampling rate (1.3 Hz at 10 Hz,
		 * below the Nyquist frequency whatever the rate) plus noise, and
		 * a burst every ~50 s */
		double v = 0.05 * trig_sin(two_pi * 0.13 * (double)k + phase) + 0.01 * noise(seed, channel, k, 3);
		if (signal_cycle_pos(t, 50.0) < 2.0)
			v += 0.2 * noise(seed, channel, k, 4);
		return v;
	}
	}
}
