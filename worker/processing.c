/*
 * processing.c - consume the pending readings and compute window
 * statistics. This is the "CPU spike" the worker measures.
 */
#include "processing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../shm/view.h"
#include "simulated_signal.h"
#include "trig.h"

int processing_init(struct processing *p, size_t window, uint32_t ring_capacity, uint32_t channels,
		    double sample_rate_hz)
{
	memset(p, 0, sizeof *p);
	p->window = window;
	p->sample_rate_hz = sample_rate_hz;
	size_t want = window * channels;
	p->recent_cap = want < ring_capacity ? want : ring_capacity;
	p->recent = calloc(p->recent_cap, sizeof *p->recent);
	p->values = calloc(window, sizeof *p->values);
	p->scratch = calloc(window, sizeof *p->scratch);
	p->tw_cos = calloc(window, sizeof *p->tw_cos);
	p->tw_sin = calloc(window, sizeof *p->tw_sin);
	if (!p->recent || !p->values || !p->scratch || !p->tw_cos || !p->tw_sin) {
		processing_free(p);
		return -1;
	}
	return 0;
}

void processing_free(struct processing *p)
{
	free(p->recent);
	free(p->values);
	free(p->scratch);
	free(p->tw_cos);
	free(p->tw_sin);
	memset(p, 0, sizeof *p);
}

/* In-place heapsort: no allocation. (qsort may malloc, taking an arena
 * lock, and the step runs at SCHED_IDLE, where a lock held while starved
 * would stall the sampling thread.) */
static void sift_down(double *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && a[child] < a[child + 1])
			child++;
		if (!(a[root] < a[child]))
			return;
		double t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void sort_doubles(double *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		double t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

void stats_compute(const double *values, size_t n, double *scratch, struct channel_stats *out)
{
	double sum = 0.0;
	memcpy(scratch, values, n * sizeof *values);
	sort_doubles(scratch, n);
	for (size_t i = 0; i < n; i++)
		sum += values[i];
	out->min = scratch[0];
	out->max = scratch[n - 1];
	out->mean = sum / (double)n;
	/* nearest-rank percentile */
	size_t rank = (size_t)ceil(0.95 * (double)n);
	out->p95 = scratch[rank ? rank - 1 : 0];
}

/* cos and sin of 2*pi*k/n for k in [0, n): the DFT's twiddle factors. */
static void twiddles_fill(size_t n, double *cs, double *sn)
{
	const double two_pi = 6.283185307179586;
	for (size_t k = 0; k < n; k++) {
		cs[k] = trig_cos(two_pi * (double)k / (double)n);
		sn[k] = trig_sin(two_pi * (double)k / (double)n);
	}
}

static bool stopping(const atomic_bool *stop)
{
	return stop && atomic_load_explicit(stop, memory_order_relaxed);
}

/* Direct DFT over precomputed twiddles: still O(n^2) multiply-adds, but
 * no trigonometry in the inner loop. A stop ends it between two bins (n
 * steps each), so a stop never waits for a whole window: returns -1. */
static double strongest_bin(const double *values, size_t n, const double *cs, const double *sn, const atomic_bool *stop)
{
	double best = 0.0, best_power = -1.0;
	for (size_t f = 1; f <= n / 2; f++) {
		if (stopping(stop))
			return -1.0;
		double re = 0.0, im = 0.0;
		for (size_t i = 0, k = 0; i < n; i++) {
			re += values[i] * cs[k];
			im -= values[i] * sn[k];
			k += f;
			if (k >= n)
				k -= n;
		}
		double power = re * re + im * im;
		if (power > best_power) {
			best_power = power;
			best = (double)f / (double)n;
		}
	}
	return best;
}

double dominant_frequency(const double *values, size_t n)
{
	double *tw = malloc(2 * n * sizeof *tw);
	if (!tw)
		return 0.0;
	twiddles_fill(n, tw, tw + n);
	double f = strongest_bin(values, n, tw, tw + n, NULL);
	free(tw);
	return f;
}

/* Vibration-like channels get a spectrum: the supervisor decided which
 * when it described the channels (source_describe_channels). */
static bool wants_spectrum(const struct shm_channel_desc *c)
{
	return c->spectrum != 0;
}

double processing_worst_step_s(long window, long ring_capacity, long spectrum_channels)
{
	double n = (double)(window < ring_capacity ? window : ring_capacity);
	double fed = n > 0 ? floor((double)ring_capacity / n) : 0; /* channels with a full window at once */
	double k = (double)spectrum_channels < fed ? (double)spectrum_channels : fed;
	return k * n * n / 2 / PROCESSING_DFT_STEPS_PER_S;
}

uint64_t processing_run(struct processing *p, struct shm_segment *seg)
{
	uint64_t consumed = ring_consume_all(seg);
	size_t got = ring_peek_recent(seg, p->recent, p->recent_cap);
	const struct shm_view *v = shm_view_of(seg); /* our copy of the structure */
	uint32_t channels = shm_view_channels(v);    /* and the late channels, bounded */

	for (uint32_t ch = 0; ch < channels; ch++) {
		if (stopping(p->stop))
			break; /* the worker is stopping: the rest can wait for the next worker */
		/* newest `window` readings of this channel, oldest first */
		size_t n = 0;
		for (size_t i = got; i-- > 0 && n < p->window;)
			if (p->recent[i].channel == ch)
				p->values[p->window - 1 - n++] = p->recent[i].value;
		if (n == 0)
			continue;
		const double *vals = p->values + (p->window - n);
		struct channel_stats st;
		stats_compute(vals, n, p->scratch, &st);
		struct shm_channel_desc scratch;
		const struct shm_channel_desc *c = shm_view_chan(v, ch, &scratch);
		if (!c)
			continue;
		double rate_hz = c->interval_ms ? 1000.0 / c->interval_ms : p->sample_rate_hz;
		st.dominant_hz = 0.0;
		if (wants_spectrum(c)) {
			if (p->tw_n != n) { /* the window length changes only while it fills */
				twiddles_fill(n, p->tw_cos, p->tw_sin);
				p->tw_n = n;
			}
			double bin = strongest_bin(vals, n, p->tw_cos, p->tw_sin, p->stop);
			if (bin < 0)
				break; /* stopped inside the spectrum: nothing half-done is published */
			st.dominant_hz = bin * rate_hz;
		}
		channel_stats_publish(&seg->channels[ch], &st);
	}
	return consumed;
}
