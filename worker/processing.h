/*
 * processing.h - the worker's periodic CPU-heavy step: statistics over the
 * ring window for every channel, and a spectrum of vibration channels.
 */
#ifndef SENSOR_WORKER_PROCESSING_H
#define SENSOR_WORKER_PROCESSING_H

#include <stdatomic.h>
#include <stdbool.h>
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
	const atomic_bool *stop; /* when set, a run ends before its next channel or spectrum bin; NULL: never */
};

int processing_init(struct processing *p, size_t window, uint32_t ring_capacity, uint32_t channels,
		    double sample_rate_hz);
void processing_free(struct processing *p);

/* Summary of `n` values (sorted copy made in scratch). n must be > 0. */
void stats_compute(const double *values, size_t n, double *scratch, struct channel_stats *out);

/* Frequency (cycles per sample, 0..0.5) of the strongest non-DC component
 * of values[0..n), by a direct DFT: deliberately O(n^2) work. */
double dominant_frequency(const double *values, size_t n);

/* Inner DFT steps a second the slowest supported core is assumed to
 * manage (this machine, x86-64: ~670 million): the basis of the bound
 * below, on the safe side by a factor of six or so. */
#define PROCESSING_DFT_STEPS_PER_S 100e6

/*
 * Seconds a processing step may take at worst on that core, for a
 * `window` over a ring of `ring_capacity` readings with `spectrum_channels`
 * channels taking a spectrum: n = min(window, ring) readings each for as
 * many of them as the ring can feed at once, n * n / 2 steps each.
 */
double processing_worst_step_s(long window, long ring_capacity, long spectrum_channels);

/* One processing run over the segment; returns readings consumed. */
uint64_t processing_run(struct processing *p, struct shm_segment *seg);

#endif
