/*
 * processing.h - the worker's periodic CPU-heavy step: statistics over the
 * ring window for every channel, and a spectrum of vibration channels.
 */
#ifndef SENSOR_WORKER_PROCESSING_H
#define SENSOR_WORKER_PROCESSING_H

#include <stddef.h>
#include <stdint.h>

#include "../shm/metrics.h"
#include "../shm/ring.h"

struct processing {
	size_t window;          /* readings per channel analysed */
	double sample_rate_hz;  /* to turn DFT bins into hertz */
	size_t recent_cap;      /* readings fetched from the ring */
	struct reading *recent; /* allocated once: memory is fixed by config */
	double *values;
	double *scratch;
	double *tw_cos, *tw_sin; /* DFT twiddles for windows of tw_n readings */
	size_t tw_n;
};

int processing_init(struct processing *p, size_t window, uint32_t ring_capacity, uint32_t channels,
		    double sample_rate_hz);
void processing_free(struct processing *p);

/* Summary of `n` values (sorted copy made in scratch). n must be > 0. */
void stats_compute(const double *values, size_t n, double *scratch, struct channel_stats *out);

/* Frequency (cycles per sample, 0..0.5) of the strongest non-DC component
 * of values[0..n), by a direct DFT: deliberately O(n^2) work. */
double dominant_frequency(const double *values, size_t n);

/* One processing run over the segment; returns readings consumed. */
uint64_t processing_run(struct processing *p, struct shm_segment *seg);

#endif
