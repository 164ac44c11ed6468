/*
 * stress_shm.c - the segment's writers and the exporter's readers under
 * faults: `make stress-shm`.
 *
 * A writer process drives the real writers from threads shaped like the
 * service's: a sampling thread (ring pushes, last values, heartbeats, late
 * channel descriptions), a processing thread at SCHED_IDLE (ring consumes,
 * window statistics, the CPU-spike histogram) and a supervisor-like thread
 * (child records). Each thread now and then stores a stray value into the
 * sequence counter of a record it owns between two of its writes, and the
 * sampling thread stray bytes into a late channel's name. The harness
 * SIGKILLs the writer at random moments, stores stray values into
 * counters and strings while it is dead, and starts a new one, which takes
 * over as the worker does (histogram_recover). (A counter the killed writer
 * left odd gets no stray value: an even one there would publish its
 * half-written record, a double fault no sequence counter can detect.)
 *
 * A reader process reads through the exporter's paths (lastgood_*,
 * ring_peek_recent, shm_view_chan) and checks every copy it is handed
 * against invariants the writers keep (each record is written from one
 * number k, so a torn copy mixes two), and counts:
 *   reads: copies handed to it;
 *   torn:  copies that break an invariant;
 *   lost:  reads of a record (histogram, window statistics of a channel
 *          that has some, child record) served before, for which no copy
 *          younger than the segment's copy_max_age_ms could be served.
 * Late channel descriptions are checked for tearing; one that is busy or
 * not UTF-8 is dropped by design and is not counted lost.
 *
 * Usage: stress_shm SECONDS. Prints one line and exits 0 only when both
 * counts are 0 after at least a million reads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../exporter/lastgood.h"
#include "../../shm/metrics.h"
#include "../../shm/ring.h"
#include "../../shm/segment.h"
#include "../../shm/seqlock.h"
#include "../../shm/view.h"

#define CHANNELS 4u           /* initial channels */
#define LATE 2u               /* late slots the sampling thread re-describes */
#define RING 1024u            /* ring slots */
#define COPY_MAX_AGE_MS 6000u /* shm-copy-max-age-ms's default */
#define MIN_READS 1000000ull
#define STRAY_EVERY 997u /* a stray store every this many writes of a thread */

/* One observation's value per bucket, exact in binary: the sum must equal
 * the buckets' counts times them. */
static const double bucket_value[SHM_SPIKE_BUCKETS + 1] = {
	0x1p-11, 0x1p-10, 0x1p-9, 0x1p-8, 0x1p-7, 0x1p-6, 0x1p-5, 0x1p-4, 0x1p-3, 0.375, 1, 2, 4, 8, 16,
};

enum record { HISTOGRAM, WINDOW, CHILD, RING_READING, LATE_DESCRIPTION, RECORD_KINDS };
static const char *const record_name[RECORD_KINDS] = { "histogram", "window statistics", "child record", "ring reading",
						       "late description" };

struct results {
	_Atomic int stop;
	_Atomic unsigned long long reads, torn, lost;
	_Atomic unsigned long long torn_of[RECORD_KINDS], lost_of[RECORD_KINDS];
	char first_torn[160];
};

static struct shm_segment *seg;

static uint32_t rnd(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };
	nanosleep(&ts, NULL);
}

static int64_t now_ns(void)
{
	return monotonic_ns();
}

/* ---- the writer process ---- */

static void describe_late(uint32_t slot, uint32_t k)
{
	struct shm_channel *c = &seg->channels[CHANNELS + slot];
	seqlock_write_begin(&c->desc_seq);
	snprintf(c->name, sizeof c->name, "late%u", k);
	snprintf(c->unit, sizeof c->unit, "u%u", k);
	c->source = SHM_SOURCE_HWMON;
	c->interval_ms = k;
	seqlock_write_end(&c->desc_seq);
}

static void *sampling(void *arg)
{
	uint32_t r = (uint32_t)(uintptr_t)arg | 1u;
	for (uint32_t i = 0;; i++) {
		uint64_t head = SHM_LOAD(&seg->ring.head);
		uint32_t ch = (uint32_t)(head % CHANNELS);
		ring_push(seg, ch, (int64_t)head, (double)head);
		SHM_STORE(&seg->channels[ch].last_value_bits, shm_double_to_bits((double)head));
		SHM_ADD(&seg->channels[ch].readings, 1);
		if (i % 64 == 0) {
			describe_late(i / 64 % LATE, rnd(&r) % 100000);
			atomic_store_explicit(&seg->live_channels, CHANNELS + LATE, memory_order_release);
			child_heartbeat(&seg->children[SHM_CHILD_WORKER]);
		}
		if (i % STRAY_EVERY == 0) {
			struct shm_channel *c = &seg->channels[CHANNELS + rnd(&r) % LATE];
			if (rnd(&r) & 1)
				c->name[rnd(&r) % 4] = (char)0xff; /* not UTF-8: that channel is dropped */
			else
				atomic_store(&c->desc_seq, rnd(&r));
		}
		if (i % 32 == 0)
			pause_us(100);
	}
	return NULL;
}

static void *processing(void *arg)
{
	uint32_t r = (uint32_t)(uintptr_t)arg | 1u;
	struct sched_param idle = { 0 };
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle); /* as processing-priority=idle */
	for (uint32_t k = 1;; k++) {
		ring_consume_all(seg);
		for (uint32_t ch = 0; ch < CHANNELS; ch++) {
			double v = (double)(k * CHANNELS + ch);
			struct channel_stats st = { v, v + 1, v + 0.5, v + 0.25, 2 * v };
			channel_stats_publish(&seg->channels[ch], &st);
		}
		histogram_observe(&seg->worker.cpu_spike, bucket_value[k % (SHM_SPIKE_BUCKETS + 1)]);
		SHM_ADD(&seg->worker.processing_runs, 1);
		if (k % STRAY_EVERY == 0) {
			uint32_t v = rnd(&r);
			if (v & 1)
				atomic_store(&seg->worker.cpu_spike.seq, rnd(&r));
			else
				atomic_store(&seg->channels[v / 2 % CHANNELS].stats_seq, rnd(&r));
		}
	}
	return NULL;
}

static void *supervising(void *arg)
{
	uint32_t r = (uint32_t)(uintptr_t)arg | 1u;
	for (uint32_t k = 1;; k++) {
		int32_t id = (int32_t)(rnd(&r) & 0x3fffffff) | 1;
		struct shm_child *c = &seg->children[k % SHM_CHILD_COUNT];
		child_publish(c, (enum shm_child_state)(id % 3), id, (enum shm_exit_reason)(id % 4), id,
			      (int64_t)id * 1000);
		SHM_ADD(&c->restarts, 1);
		if (k % STRAY_EVERY == 0)
			atomic_store(&seg->children[rnd(&r) % SHM_CHILD_COUNT].seq, rnd(&r));
		if (k % 8 == 0)
			pause_us(50);
	}
	return NULL;
}

static void writer_main(uint32_t seed)
{
	histogram_recover(&seg->worker.cpu_spike); /* the worker's take-over */
	pthread_t t[3];
	if (pthread_create(&t[0], NULL, sampling, (void *)(uintptr_t)(seed * 3 + 1)) != 0 ||
	    pthread_create(&t[1], NULL, processing, (void *)(uintptr_t)(seed * 5 + 2)) != 0 ||
	    pthread_create(&t[2], NULL, supervising, (void *)(uintptr_t)(seed * 7 + 3)) != 0)
		_exit(2);
	pause(); /* until SIGKILL */
	_exit(0);
}

/* ---- the reader process ---- */

static void torn(struct results *res, enum record r, unsigned long long a, unsigned long long b)
{
	atomic_fetch_add(&res->torn_of[r], 1);
	if (atomic_fetch_add(&res->torn, 1) == 0)
		snprintf(res->first_torn, sizeof res->first_torn, "%s (%llu, %llu)", record_name[r], a, b);
}

/* Which series the reader has served once: only those can go missing
 * (a record busy at its very first read was never on the page). */
static bool served_histogram, served_stats[CHANNELS], served_child[SHM_CHILD_COUNT];

static void lost(struct results *res, enum record r, const bool *served)
{
	if (!*served)
		return;
	atomic_fetch_add(&res->lost_of[r], 1);
	atomic_fetch_add(&res->lost, 1);
}

static void check_histogram(struct results *res)
{
	struct histogram_snapshot h;
	if (!lastgood_histogram(seg, &h)) {
		lost(res, HISTOGRAM, &served_histogram);
		return;
	}
	served_histogram = true;
	atomic_fetch_add(&res->reads, 1);
	double sum = 0;
	for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++)
		sum += (double)(h.buckets[b] - (b ? h.buckets[b - 1] : 0)) * bucket_value[b];
	if (h.buckets[SHM_SPIKE_BUCKETS] != h.count || sum != h.sum)
		torn(res, HISTOGRAM, h.count, (unsigned long long)h.sum);
}

static void check_stats(struct results *res, uint32_t ch)
{
	if (SHM_LOAD(&seg->channels[ch].stats_seq) == 0)
		return; /* not computed yet */
	struct channel_stats st;
	if (!lastgood_stats(seg, ch, &st)) {
		lost(res, WINDOW, &served_stats[ch]);
		return;
	}
	served_stats[ch] = true;
	atomic_fetch_add(&res->reads, 1);
	double v = st.min;
	if (v == 0 && st.max == 0 && st.mean == 0 && st.p95 == 0 && st.dominant_hz == 0)
		return; /* never written: a stray store made its counter look published */
	if (st.max != v + 1 || st.mean != v + 0.5 || st.p95 != v + 0.25 || st.dominant_hz != 2 * v)
		torn(res, WINDOW, (unsigned long long)st.min, (unsigned long long)st.max);
}

static void check_child(struct results *res, unsigned c)
{
	struct child_snapshot k;
	if (!lastgood_child(seg, c, &k)) {
		lost(res, CHILD, &served_child[c]);
		return;
	}
	served_child[c] = true;
	atomic_fetch_add(&res->reads, 1);
	if (k.pid == 0)
		return; /* not published yet */
	if ((int32_t)k.state != k.pid % 3 || (int32_t)k.last_exit_reason != k.pid % 4 || k.last_exit_detail != k.pid ||
	    k.started_monotonic_ns != (int64_t)k.pid * 1000)
		torn(res, CHILD, (unsigned long long)k.pid, (unsigned long long)k.last_exit_detail);
}

static void check_ring(struct results *res)
{
	struct reading r[64];
	size_t n = ring_peek_recent(seg, r, 64);
	atomic_fetch_add(&res->reads, n);
	for (size_t i = 0; i < n; i++)
		if (r[i].timestamp_ns != (int64_t)r[i].index || r[i].value != (double)r[i].index ||
		    r[i].channel != r[i].index % CHANNELS)
			torn(res, RING_READING, r[i].index, (unsigned long long)r[i].timestamp_ns);
}

static void check_late(struct results *res)
{
	const struct shm_view *v = shm_view_of(seg);
	uint32_t n = shm_view_channels(v);
	for (uint32_t i = CHANNELS; i < n; i++) {
		struct shm_channel_desc scratch;
		const struct shm_channel_desc *d = shm_view_chan(v, i, &scratch);
		if (!d)
			continue; /* busy or bad bytes: dropped, by design */
		atomic_fetch_add(&res->reads, 1);
		char name[SHM_CHANNEL_NAME_LEN], unit[SHM_CHANNEL_UNIT_LEN];
		snprintf(name, sizeof name, "late%u", d->interval_ms);
		snprintf(unit, sizeof unit, "u%u", d->interval_ms);
		if (strcmp(d->name, name) != 0 || strcmp(d->unit, unit) != 0)
			torn(res, LATE_DESCRIPTION, d->interval_ms, 0);
	}
}

static void reader_main(struct results *res)
{
	while (!atomic_load(&res->stop)) {
		lastgood_begin(seg, now_ns());
		check_histogram(res);
		for (uint32_t ch = 0; ch < CHANNELS; ch++)
			check_stats(res, ch);
		for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
			check_child(res, c);
		check_ring(res);
		check_late(res);
	}
	_exit(0);
}

/* ---- the harness ---- */

/* A stray value into a counter between two writes: not into one the
 * killed writer left odd, mid-write. (An even value stored there would
 * publish the half-written record, and no reader can tell: that double
 * fault is beyond what a sequence counter detects.) */
static void stray_seq(_Atomic uint32_t *seq, uint32_t *r)
{
	if ((atomic_load(seq) & 1u) == 0)
		atomic_store(seq, rnd(r));
}

/* Stray values while no writer runs: counters and a late name. */
static void stray_stores(uint32_t *r)
{
	stray_seq(&seg->worker.cpu_spike.seq, r);
	stray_seq(&seg->channels[rnd(r) % CHANNELS].stats_seq, r);
	stray_seq(&seg->children[rnd(r) % SHM_CHILD_COUNT].seq, r);
	stray_seq(&seg->channels[CHANNELS + rnd(r) % LATE].desc_seq, r);
	seg->channels[CHANNELS + rnd(r) % LATE].name[rnd(r) % 4] = (char)0x80;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10;
	if (!(seconds > 0)) {
		fprintf(stderr, "usage: %s SECONDS\n", argv[0]);
		return 2;
	}
	size_t size = shm_segment_size(RING);
	seg = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct results *res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seg == MAP_FAILED || res == MAP_FAILED) {
		perror("stress-shm: mmap");
		return 2;
	}
	struct shm_params p = { .ring_capacity = RING,
				.channel_count = CHANNELS,
				.heartbeat_timeout_ms = 5000,
				.copy_max_age_ms = COPY_MAX_AGE_MS };
	shm_init_header(seg, size, &p);
	for (uint32_t i = 0; i < CHANNELS; i++) {
		snprintf(seg->channels[i].name, sizeof seg->channels[i].name, "ch%u", i);
		snprintf(seg->channels[i].unit, sizeof seg->channels[i].unit, "u");
	}
	char err[160];
	if (shm_view_capture(seg, size, err, sizeof err) != 0) {
		fprintf(stderr, "stress-shm: %s\n", err);
		return 2;
	}

	pid_t reader = fork();
	if (reader == 0)
		reader_main(res);
	uint32_t r = (uint32_t)getpid() | 1u;
	unsigned long kills = 0;
	int64_t end = now_ns() + (int64_t)(seconds * 1e9);
	while (now_ns() < end) {
		pid_t w = fork();
		if (w == 0)
			writer_main(rnd(&r));
		pause_us(500 + (long)(rnd(&r) % 20000));
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
		kills++;
		if (rnd(&r) & 1)
			stray_stores(&r);
	}
	atomic_store(&res->stop, 1);
	waitpid(reader, NULL, 0);

	unsigned long long reads = atomic_load(&res->reads), nt = atomic_load(&res->torn), nl = atomic_load(&res->lost);
	fprintf(stderr, "stress-shm: %.0f s, %lu writer kills%s%s\n", seconds, kills, nt ? "; first torn: " : "",
		nt ? res->first_torn : "");
	for (unsigned k = 0; k < RECORD_KINDS; k++)
		if (atomic_load(&res->torn_of[k]) || atomic_load(&res->lost_of[k]))
			fprintf(stderr, "stress-shm:   %s: %llu torn, %llu lost\n", record_name[k],
				atomic_load(&res->torn_of[k]), atomic_load(&res->lost_of[k]));
	printf("stress-shm: %llu reads, %llu torn accepted, %llu series lost\n", reads, nt, nl);
	return nt == 0 && nl == 0 && reads >= MIN_READS ? 0 : 1;
}
