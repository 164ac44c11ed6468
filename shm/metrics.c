/*
 * metrics.c - writers and snapshot readers for the segment's multi-word
 * records. Plain counters are updated in place with SHM_ADD.
 */
#include "metrics.h"

#include "seqlock.h"

/* Store the pending write's values into the record (idempotent: they
 * are absolute values, so completing a write twice changes nothing). */
static void histogram_apply_pending(struct shm_histogram *h)
{
	uint32_t b = SHM_LOAD(&h->pending_bucket);
	if (b > SHM_SPIKE_BUCKETS)
		return; /* not one of ours: nothing to complete */
	SHM_STORE(&h->buckets[b], SHM_LOAD(&h->pending_bucket_value));
	SHM_STORE(&h->count, SHM_LOAD(&h->pending_count));
	SHM_STORE(&h->sum_bits, SHM_LOAD(&h->pending_sum_bits));
}

void histogram_observe(struct shm_histogram *h, double value)
{
	unsigned b = 0;
	while (b < SHM_SPIKE_BUCKETS && value > shm_spike_bounds[b])
		b++;
	seqlock_write_begin(&h->seq);
	SHM_STORE(&h->pending_armed, 0u);
	SHM_STORE(&h->pending_bucket, b);
	SHM_STORE(&h->pending_bucket_value, SHM_LOAD(&h->buckets[b]) + 1);
	SHM_STORE(&h->pending_count, SHM_LOAD(&h->count) + 1);
	SHM_STORE(&h->pending_sum_bits, shm_double_to_bits(shm_bits_to_double(SHM_LOAD(&h->sum_bits)) + value));
	atomic_thread_fence(memory_order_release);
	SHM_STORE(&h->pending_armed, 1u);
	histogram_apply_pending(h);
	seqlock_write_end(&h->seq);
}

/* Does the record hold the armed write's values already? */
static bool pending_applied(struct shm_histogram *h)
{
	uint32_t b = SHM_LOAD(&h->pending_bucket);
	return b <= SHM_SPIKE_BUCKETS && SHM_LOAD(&h->buckets[b]) == SHM_LOAD(&h->pending_bucket_value) &&
	       SHM_LOAD(&h->count) == SHM_LOAD(&h->pending_count) &&
	       SHM_LOAD(&h->sum_bits) == SHM_LOAD(&h->pending_sum_bits);
}

void histogram_recover(struct shm_histogram *h)
{
	bool redo = SHM_LOAD(&h->pending_armed) == 1u && !pending_applied(h);
	uint64_t run = 0;
	for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++)
		run += SHM_LOAD(&h->buckets[b]);
	if (!redo && SHM_LOAD(&h->count) == run && (SHM_LOAD(&h->seq) & 1u) == 0)
		return; /* whole */
	seqlock_write_begin(&h->seq);
	if (redo)
		histogram_apply_pending(h); /* the dead writer's last observation, completed */
	else if (SHM_LOAD(&h->count) != run)
		SHM_STORE(&h->count, run); /* not a write of ours (a stray store): the buckets are the record */
	seqlock_write_end(&h->seq);
}

bool histogram_read(const struct shm_histogram *h, struct histogram_snapshot *out)
{
	struct shm_histogram *hh = (struct shm_histogram *)h; /* loads only */
	for (int tries = 0; tries < SEQLOCK_READ_TRIES; tries++) {
		uint32_t s = seqlock_read_begin(&hh->seq);
		uint64_t run = 0;
		for (unsigned b = 0; b <= SHM_SPIKE_BUCKETS; b++) {
			run += SHM_LOAD(&hh->buckets[b]);
			out->buckets[b] = run;
		}
		out->count = SHM_LOAD(&hh->count);
		out->sum = shm_bits_to_double(SHM_LOAD(&hh->sum_bits));
		if (seqlock_read_ok(&hh->seq, s) && out->count == run)
			return true;
	}
	return false;
}

void child_publish(struct shm_child *c, enum shm_child_state state, int32_t pid, enum shm_exit_reason reason,
		   int32_t detail, int64_t started_ns)
{
	seqlock_write_begin(&c->seq);
	SHM_STORE(&c->state, (uint32_t)state);
	SHM_STORE(&c->pid, pid);
	SHM_STORE(&c->last_exit_reason, (uint32_t)reason);
	SHM_STORE(&c->last_exit_detail, detail);
	SHM_STORE(&c->started_monotonic_ns, started_ns);
	seqlock_write_end(&c->seq);
}

bool child_read(const struct shm_child *c, struct child_snapshot *out)
{
	struct shm_child *cc = (struct shm_child *)c; /* loads only */
	bool ok = false;
	for (int tries = 0; tries < SEQLOCK_READ_TRIES && !ok; tries++) {
		uint32_t s = seqlock_read_begin(&cc->seq);
		uint32_t state = SHM_LOAD(&cc->state);
		uint32_t reason = SHM_LOAD(&cc->last_exit_reason);
		out->state = state <= SHM_CHILD_BACKOFF ? (enum shm_child_state)state : SHM_CHILD_UNKNOWN;
		out->pid = SHM_LOAD(&cc->pid);
		out->last_exit_reason = reason < SHM_EXIT_REASON_COUNT ? (enum shm_exit_reason)reason : SHM_EXIT_NONE;
		out->last_exit_detail = SHM_LOAD(&cc->last_exit_detail);
		out->started_monotonic_ns = SHM_LOAD(&cc->started_monotonic_ns);
		ok = seqlock_read_ok(&cc->seq, s);
	}
	/* Independent single-word cells: no need for the sequence. */
	out->restarts = SHM_LOAD(&cc->restarts);
	for (unsigned r = 0; r < SHM_EXIT_REASON_COUNT; r++)
		out->exits_by_reason[r] = SHM_LOAD(&cc->exits_by_reason[r]);
	out->heartbeat_monotonic_ns = SHM_LOAD(&cc->heartbeat_monotonic_ns);
	out->rss_bytes = SHM_LOAD(&cc->rss_bytes);
	out->memory_limit_bytes = SHM_LOAD(&cc->memory_limit_bytes);
	return ok;
}

void child_heartbeat(struct shm_child *c)
{
	atomic_store_explicit(&c->heartbeat_monotonic_ns, monotonic_ns(), memory_order_release);
}

void channel_stats_publish(struct shm_channel *ch, const struct channel_stats *st)
{
	seqlock_write_begin(&ch->stats_seq);
	SHM_STORE(&ch->stat_min_bits, shm_double_to_bits(st->min));
	SHM_STORE(&ch->stat_max_bits, shm_double_to_bits(st->max));
	SHM_STORE(&ch->stat_mean_bits, shm_double_to_bits(st->mean));
	SHM_STORE(&ch->stat_p95_bits, shm_double_to_bits(st->p95));
	SHM_STORE(&ch->stat_dominant_hz_bits, shm_double_to_bits(st->dominant_hz));
	seqlock_write_end(&ch->stats_seq);
}

bool channel_stats_read(const struct shm_channel *ch, struct channel_stats *out)
{
	struct shm_channel *c = (struct shm_channel *)ch; /* loads only */
	for (int tries = 0; tries < SEQLOCK_READ_TRIES; tries++) {
		uint32_t s = seqlock_read_begin(&c->stats_seq);
		out->min = shm_bits_to_double(SHM_LOAD(&c->stat_min_bits));
		out->max = shm_bits_to_double(SHM_LOAD(&c->stat_max_bits));
		out->mean = shm_bits_to_double(SHM_LOAD(&c->stat_mean_bits));
		out->p95 = shm_bits_to_double(SHM_LOAD(&c->stat_p95_bits));
		out->dominant_hz = shm_bits_to_double(SHM_LOAD(&c->stat_dominant_hz_bits));
		if (seqlock_read_ok(&c->stats_seq, s))
			return true;
	}
	return false;
}
