/*
 * lastgood.c - last good copies of the records read under a seqlock.
 */
#include "lastgood.h"

#include <string.h>

#include "../shm/view.h"

struct copy_time {
	int64_t at_ns; /* monotonic time of the read that gave it */
	bool have;
};

static struct {
	const struct shm_segment *seg;
	uint64_t capture; /* with seg: which segment (an address can be reused) */
	int64_t now_ns;
	int64_t served_age_ns[LASTGOOD_RECORD_COUNT];
	struct copy_time hist_t;
	struct histogram_snapshot hist;
	struct copy_time stats_t[SHM_MAX_CHANNELS];
	struct channel_stats stats[SHM_MAX_CHANNELS];
	struct copy_time child_t[SHM_CHILD_COUNT];
	struct child_snapshot child[SHM_CHILD_COUNT];
} lg;

const char *lastgood_record_label(enum lastgood_record r)
{
	static const char *const labels[LASTGOOD_RECORD_COUNT] = { "cpu_spike", "window", "child" };
	return (unsigned)r < LASTGOOD_RECORD_COUNT ? labels[r] : "unknown";
}

void lastgood_begin(const struct shm_segment *seg, int64_t now_mono_ns)
{
	uint64_t capture = shm_view_of(seg)->capture;
	if (lg.seg != seg || lg.capture != capture) {
		memset(&lg, 0, sizeof lg);
		lg.seg = seg;
		lg.capture = capture;
	}
	lg.now_ns = now_mono_ns;
	memset(lg.served_age_ns, 0, sizeof lg.served_age_ns);
}

/* After a read: keep a whole copy, or say whether the kept one may stand
 * in for it. `fresh` and `kept` are records of `size` bytes. */
static bool settle(const struct shm_segment *seg, enum lastgood_record r, bool whole, const void *fresh, void *kept,
		   size_t size, struct copy_time *t)
{
	if (lg.seg != seg)
		return whole; /* no lastgood_begin for this segment: nothing kept */
	if (whole) {
		memcpy(kept, fresh, size);
		t->at_ns = lg.now_ns;
		t->have = true;
		return true;
	}
	int64_t age = lg.now_ns - t->at_ns;
	int64_t bound = (int64_t)shm_view_of(seg)->hdr.copy_max_age_ms * 1000000;
	if (!t->have || age < 0 || age > bound)
		return false;
	if (age > lg.served_age_ns[r])
		lg.served_age_ns[r] = age;
	return true;
}

bool lastgood_histogram(const struct shm_segment *seg, struct histogram_snapshot *out)
{
	struct histogram_snapshot now;
	bool whole = histogram_read(&seg->worker.cpu_spike, &now);
	if (!settle(seg, LASTGOOD_HISTOGRAM, whole, &now, &lg.hist, sizeof now, &lg.hist_t))
		return false;
	*out = whole || lg.seg != seg ? now : lg.hist;
	return true;
}

bool lastgood_stats(const struct shm_segment *seg, uint32_t channel, struct channel_stats *out)
{
	if (channel >= SHM_MAX_CHANNELS)
		return false;
	struct channel_stats now;
	bool whole = channel_stats_read(&seg->channels[channel], &now);
	if (!settle(seg, LASTGOOD_WINDOW, whole, &now, &lg.stats[channel], sizeof now, &lg.stats_t[channel]))
		return false;
	*out = whole || lg.seg != seg ? now : lg.stats[channel];
	return true;
}

bool lastgood_child(const struct shm_segment *seg, unsigned child, struct child_snapshot *out)
{
	if (child >= SHM_CHILD_COUNT)
		return false;
	bool whole = child_read(&seg->children[child], out);
	struct child_snapshot now = *out;
	if (!settle(seg, LASTGOOD_CHILD, whole, &now, &lg.child[child], sizeof now, &lg.child_t[child]))
		return false;
	if (!whole && lg.seg == seg) {
		/* the record from the copy, the single-word cells as they are now */
		*out = lg.child[child];
		out->restarts = now.restarts;
		memcpy(out->exits_by_reason, now.exits_by_reason, sizeof now.exits_by_reason);
		out->heartbeat_monotonic_ns = now.heartbeat_monotonic_ns;
		out->rss_bytes = now.rss_bytes;
		out->memory_limit_bytes = now.memory_limit_bytes;
	}
	return true;
}

double lastgood_served_age_s(enum lastgood_record r)
{
	return (unsigned)r < LASTGOOD_RECORD_COUNT ? (double)lg.served_age_ns[r] / 1e9 : 0.0;
}
