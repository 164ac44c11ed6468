/*
 * sampler.c - read each channel's source when it is due and record the
 * reading: ring, last value, counters. A failed read is counted under its
 * reason, makes the last value NaN (there is no current reading) and is
 * retried at the channel's next interval. Failures and recoveries are
 * logged through a rate limit per channel (common/log.h): the first line,
 * then a count a minute, so a failing or flapping source cannot flood the
 * log.
 *
 * Sources that can block (everything read from a file) are read by the
 * worker's pool of reader threads (worker/pool.h, worker/reader.h): a tick
 * hands the due reads over, waits for them at most tick-budget-ms, and
 * returns, so the worker heartbeats on time whatever the hardware does. A
 * read still out after read-timeout-ms is given up: counted as a timeout,
 * the value NaN; until it returns, the channel is not handed over again
 * and is counted as a timeout at each interval. A read that waited that
 * long for a free thread is taken back and counted the same way.
 *
 * With discovered sensors, a rescan every discovery-rescan-ms (a job of
 * the pool, as it reads sysfs) adds those that appeared since (up to
 * CHANNEL_MAX channels): the worker describes
 * each in the next free slot beyond the initial channels, then publishes
 * seg->live_channels (shm/view.h: those slots are the worker's, bounded
 * and validated by readers, and never repaired by the supervisor). Names
 * for the log come from the view for the initial channels and from the
 * worker's own set for the late ones, never from the segment.
 *
 * Every limits-interval-ms a read also takes the kernel's limits, alarm
 * flags and trip points beside the value (worker/limits.h).
 */
#include "sampler.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../shm/metrics.h"
#include "../shm/ring.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "discovery.h"
#include "limits.h"
#include "reader.h"
#include "thresholds.h"
#include "source.h"
#include "source_push.h"
#include "textfile.h"

/* What a late slot's description is (shm_view_chan reads these). */
struct late_desc {
	char name[SHM_CHANNEL_NAME_LEN];
	char unit[SHM_CHANNEL_UNIT_LEN];
	uint32_t source, interval_ms, spectrum;
};

struct channel_slot {
	struct source src;
	int64_t interval_ns;
	int64_t next_due_ns;
	bool failing;
	struct log_limit fail_log, recover_log;
	/* sources that can block: read by the pool */
	bool threaded;
	bool in_flight;           /* handed to the pool, result not taken */
	bool abandoned;           /* in flight past the read budget */
	int64_t read_started_ns;  /* tick clock */
	int64_t read_deadline_ns; /* tick clock */
	int64_t next_limits_ns;   /* when to read the kernel's limits again */
	enum shm_state state;     /* from the thresholds of its own */
	struct reader reader;
	struct late_desc late; /* a late slot's description, as published */
};

/* A rescan reads sysfs (directories, name and label files), which the
 * loop never does itself: a job of the pool finds the sensors that no
 * channel samples yet, and the tick that takes its result adds them. */
struct rescan_job {
	struct pool_job job; /* first: the job is the rescan */
	struct sampler *s;
	struct channel_set *found; /* the sensors no channel covers */
};

struct sampler {
	struct shm_segment *seg;
	const struct shm_view *view; /* names and geometry: our copy */
	uint32_t count;
	bool push_on;
	struct push_intake push;
	struct pool pool;
	int64_t read_timeout_ns;
	int64_t tick_budget_ns;
	int64_t limits_ns;
	/* discovered sensors: rescans add those that appear later */
	const struct config *cfg;
	struct channel_set *set; /* NULL when there are no rescans */
	uint32_t capacity;       /* slots */
	int64_t rescan_ns, next_rescan_ns;
	bool full_logged;
	bool rescanning; /* the rescan job is in the pool */
	struct rescan_job rescan;
	struct textfile *textfile; /* NULL: off */
	struct channel_slot slot[];
};

/* A channel's name for the log: the view's for an initial channel, the
 * worker's own set's for a late one (never the segment's bytes). */
static const char *chan_name(const struct sampler *s, uint32_t ch)
{
	if (ch < s->view->hdr.channel_count)
		return s->view->chan[ch].name;
	return s->set && ch < s->set->count ? s->set->chan[ch].name : "?";
}

/* The state the thresholds give value v; transitions are logged. */
static void update_state(struct sampler *s, uint32_t ch, double v);

static void record(struct shm_segment *seg, uint32_t ch, int64_t realtime, double v)
{
	ring_push(seg, ch, realtime, v);
	SHM_STORE(&seg->channels[ch].last_value_bits, shm_double_to_bits(v));
	SHM_ADD(&seg->channels[ch].readings, 1);
	SHM_ADD(&seg->worker.readings, 1);
}

static int push_lookup(void *ctx, const char *name)
{
	struct sampler *s = ctx;
	for (uint32_t i = 0; i < s->count; i++) {
		const struct channel_config *cc = s->slot[i].src.cc;
		if (cc && cc->source == SHM_SOURCE_PUSH && strcmp(cc->name, name) == 0)
			return (int)i;
	}
	return -1;
}

static int push_accept(void *ctx, int channel, double value, int64_t realtime)
{
	struct sampler *s = ctx;
	const struct channel_config *cc = s->slot[channel].src.cc;
	double v = value * cc->scale + cc->offset;
	if (!isfinite(v))
		return -1;
	record(s->seg, (uint32_t)channel, realtime ? realtime : realtime_ns(), v);
	update_state(s, (uint32_t)channel, v);
	return 0;
}

static void init_push(struct sampler *s, const struct config *cfg, const int push_fd[PUSH_FD_COUNT])
{
	s->push_on = config_push_on(cfg);
	if (!s->push_on)
		return;
	push_init(&s->push, push_fd, cfg->push_max_per_tick, cfg->push_rate);
	push_set_window(&s->push, cfg->push_max_age_s, cfg->push_max_skew_ms);
	bool unix_on = push_fd[PUSH_FD_UNIX] >= 0, udp_on = push_fd[PUSH_FD_UDP] >= 0;
	log_info("push input on %s%s%s", unix_on ? cfg->push_socket : "", unix_on && udp_on ? " and " : "",
		 udp_on ? "UDP 127.0.0.1" : "");
}

/* Slot i reads configured channel cc, or built-in simulated channel i. */
static void init_slot(struct sampler *s, uint32_t i, const struct channel_config *cc, int64_t now)
{
	const struct config *cfg = s->cfg;
	struct channel_slot *c = &s->slot[i];
	int64_t base = (int64_t)cfg->sample_interval_ms * 1000000, origin = s->view->hdr.created_monotonic_ns;
	if (cc) {
		c->interval_ns = cc->interval_ms ? (int64_t)cc->interval_ms * 1000000 : base;
		source_init(&c->src, cc, i, cfg->sysfs_root, (uint64_t)cfg->seed, c->interval_ns, origin);
	} else {
		c->interval_ns = base;
		source_init_builtin(&c->src, i, (uint64_t)cfg->seed, base, origin);
	}
	c->next_due_ns = now;
	c->threaded = source_may_block(&c->src);
	reader_init(&c->reader, &s->pool, &c->src);
}

static void rescan_run(struct pool_job *job);

struct sampler *sampler_new(struct shm_segment *seg, const struct config *cfg, const int push_fd[PUSH_FD_COUNT])
{
	const struct shm_view *view = shm_view_of(seg);
	uint32_t n = view->hdr.channel_count;
	/* discovered sensors: room, and a copy of the set, for those a
	 * rescan finds later */
	bool rescans = cfg->discovered && cfg->discovery_rescan_ms > 0 && cfg->chans.count == n;
	uint32_t cap = rescans ? CHANNEL_MAX : n;
	struct sampler *s = calloc(1, sizeof *s + cap * sizeof s->slot[0]);
	if (!s)
		return NULL;
	s->seg = seg;
	s->view = view;
	s->cfg = cfg;
	s->count = n;
	s->capacity = cap;
	s->read_timeout_ns = (int64_t)cfg->read_timeout_ms * 1000000;
	s->tick_budget_ns = (int64_t)cfg->tick_budget_ms * 1000000;
	s->limits_ns = (int64_t)cfg->limits_interval_ms * 1000000;
	if (rescans &&
	    (!(s->set = malloc(sizeof *s->set)) || !(s->rescan.found = calloc(1, sizeof *s->rescan.found)))) {
		free(s->set);
		free(s);
		return NULL;
	}
	/* a read longer than a tick waits for it holds its thread: a slow bus
	 * (a 1-Wire sensor's 750 ms) or a stuck one gets a thread in its place,
	 * so the other channels keep their intervals */
	int64_t hold_ns = s->tick_budget_ns > 1000000 ? s->tick_budget_ns : 1000000;
	if (pool_init(&s->pool, (unsigned)cfg->reader_threads, (unsigned)cfg->reader_threads_max, hold_ns,
		      READER_STACK_BYTES) != 0) {
		free(s->rescan.found);
		free(s->set);
		free(s);
		return NULL;
	}
	const struct channel_set *set = &cfg->chans;
	if (rescans) {
		memcpy(s->set, &cfg->chans, sizeof *s->set);
		set = s->set;
		s->rescan_ns = (int64_t)cfg->discovery_rescan_ms * 1000000;
		s->rescan.job.run = rescan_run;
		s->rescan.s = s;
	}
	int64_t now = monotonic_ns();
	/* a restarted worker finds again at once what its predecessor added */
	s->next_rescan_ns = now;
	if (rescans)
		atomic_store_explicit(&seg->live_channels, n, memory_order_release);
	for (uint32_t i = 0; i < n; i++)
		init_slot(s, i, set->count > 0 && i < set->count ? &set->chan[i] : NULL, now);
	init_push(s, cfg, push_fd);
	s->textfile = textfile_new(seg, cfg);
	return s;
}

/* Late slots stay inside the segment's fixed array of channels. */
_Static_assert(CHANNEL_MAX <= SHM_MAX_CHANNELS, "late channels beyond the segment's slots");

/* A sensor that appeared since the start (hot-plug, a module loaded
 * late): described in the next free slot, then published. */
static void add_found(struct sampler *s, const struct channel_config *f, int64_t now)
{
	if (s->count >= s->capacity) {
		if (!s->full_logged)
			log_warn("sensor %s appeared, but all %u channels are taken: not sampled", f->name,
				 s->capacity);
		s->full_logged = true;
		return;
	}
	struct channel_config *c = &s->set->chan[s->set->count];
	char name[SHM_CHANNEL_NAME_LEN];
	discovery_unique_name(s->set, f->name, name);
	*c = *f;
	memcpy(c->name, name, sizeof name);
	channels_apply_threshold_rules(s->set, c);
	s->set->count++;
	uint32_t i = s->count;
	/* under its own sequence: an exporter may read the slot meanwhile
	 * (a restarted worker rewrites what its predecessor described) */
	struct shm_channel *live = &s->seg->channels[i];
	seqlock_write_begin(&live->desc_seq);
	source_describe_channel(live, c, s->cfg);
	seqlock_write_end(&live->desc_seq);
	init_slot(s, i, c, now);
	struct late_desc *d = &s->slot[i].late;
	memcpy(d->name, live->name, sizeof d->name);
	memcpy(d->unit, live->unit, sizeof d->unit);
	d->source = live->source;
	d->interval_ms = live->interval_ms;
	d->spectrum = live->spectrum;
	s->count++;
	atomic_store_explicit(&s->seg->live_channels, s->count, memory_order_release);
	log_info("channel %s: a new sensor (%s), sampling it", c->name, c->device);
}

/* Late slots are the worker's and nobody else repairs them: at each rescan
 * one whose description differs from what the worker published (stray
 * bytes) or whose desc_seq is odd (a stray store) is written again, so a
 * damaged late channel is back within discovery-rescan-ms. */
static void refresh_late(struct sampler *s)
{
	for (uint32_t i = s->view->hdr.channel_count; i < s->count; i++) {
		struct shm_channel *live = &s->seg->channels[i];
		const struct late_desc *d = &s->slot[i].late;
		if ((SHM_LOAD(&live->desc_seq) & 1u) == 0 && memcmp(live->name, d->name, sizeof d->name) == 0 &&
		    memcmp(live->unit, d->unit, sizeof d->unit) == 0 && live->source == d->source &&
		    live->interval_ms == d->interval_ms && live->spectrum == d->spectrum)
			continue;
		seqlock_write_begin(&live->desc_seq);
		memcpy(live->name, d->name, sizeof d->name);
		memcpy(live->unit, d->unit, sizeof d->unit);
		live->source = d->source;
		live->interval_ms = d->interval_ms;
		live->spectrum = d->spectrum;
		seqlock_write_end(&live->desc_seq);
	}
}

/* In a pool thread: s->set is only read here, and changes only when the
 * loop takes this job's result (add_found), never while it runs. */
static void rescan_run(struct pool_job *job)
{
	struct rescan_job *r = (struct rescan_job *)job;
	const struct config *cfg = r->s->cfg;
	const struct channel_set *known = r->s->set;
	struct channel_set *found = r->found;
	struct discovery_files files;
	found->count = 0;
	discovery_scan(cfg->sysfs_root, cfg->discovery_include, cfg->discovery_exclude, found);
	if (discovery_files_init(&files, known, cfg->sysfs_root) != 0) {
		found->count = 0;
		return;
	}
	unsigned kept = 0;
	for (unsigned i = 0; i < found->count; i++)
		if (discovery_covered_by(known, &files, &found->chan[i], cfg->sysfs_root) < 0)
			found->chan[kept++] = found->chan[i];
	found->count = kept;
	discovery_files_free(&files);
}

/* Take the last rescan's sensors; start the next one when it is due. */
static void rescan(struct sampler *s, int64_t now)
{
	if (s->rescanning && pool_take(&s->pool, &s->rescan.job)) {
		s->rescanning = false;
		for (unsigned i = 0; i < s->rescan.found->count; i++)
			add_found(s, &s->rescan.found->chan[i], now);
	}
	if (now < s->next_rescan_ns)
		return;
	/* due again an interval from now, whether or not the last rescan is
	 * still out in the pool (a stuck bus): a due time left in the past
	 * would wake the loop at once, for ever */
	s->next_rescan_ns = now + s->rescan_ns;
	/* the late descriptions are the loop's own: refreshed when a rescan
	 * is due, even while the last one is still out */
	refresh_late(s);
	if (!s->rescanning)
		s->rescanning = pool_submit(&s->pool, &s->rescan.job) == 0;
}

static void on_failure(struct sampler *s, uint32_t ch, enum shm_read_error why, const char *detail)
{
	struct channel_slot *c = &s->slot[ch];
	struct shm_channel *sc = &s->seg->channels[ch];
	SHM_ADD(&sc->read_errors[why], 1);
	SHM_STORE(&sc->last_value_bits, shm_double_to_bits(NAN));
	log_warn_limited(&c->fail_log, "channel %s: %s (%s); retrying every %" PRId64 " ms", chan_name(s, ch), detail,
			 shm_read_error_label(why), c->interval_ns / 1000000);
	c->failing = true;
}

/* A reading taken: record it, and log the recovery of a failing channel. */
static void on_reading(struct sampler *s, uint32_t ch, int64_t realtime, double v)
{
	struct channel_slot *c = &s->slot[ch];
	if (c->failing) {
		log_warn_limited(&c->recover_log, "channel %s: reading again from %s", chan_name(s, ch), c->src.path);
		c->failing = false;
	}
	record(s->seg, ch, realtime, v);
	update_state(s, ch, v);
}

static void update_state(struct sampler *s, uint32_t ch, double v)
{
	struct channel_slot *c = &s->slot[ch];
	if (!c->src.cc || !channels_has_thresholds(c->src.cc))
		return;
	enum shm_state st = threshold_state(c->src.cc, v, c->state);
	if (st == c->state)
		return;
	static const char *const names[] = { "ok", "warning", "critical" };
	if (st == SHM_STATE_OK)
		log_info("channel %s: %g, back to ok", chan_name(s, ch), v);
	else
		log_warn("channel %s: %g, %s (was %s)", chan_name(s, ch), v, names[st], names[c->state]);
	c->state = st;
	SHM_STORE(&s->seg->channels[ch].state, (uint32_t)st);
}

static void set_duration(struct sampler *s, uint32_t ch, int64_t ns)
{
	SHM_STORE(&s->seg->channels[ch].read_duration_bits, shm_double_to_bits((double)ns / 1e9));
}

/* A threaded channel whose read has been out longer than its budget. */
static void on_timeout(struct sampler *s, uint32_t ch, int64_t now, bool queued)
{
	struct channel_slot *c = &s->slot[ch];
	char detail[120];
	int64_t out_ns = now - c->read_started_ns;
	set_duration(s, ch, out_ns);
	snprintf(detail, sizeof detail, "%s after %" PRId64 " ms (budget %" PRId64 " ms)",
		 queued ? "read still waiting for a free reader thread" : "read still not returned", out_ns / 1000000,
		 s->read_timeout_ns / 1000000);
	on_failure(s, ch, SHM_READ_TIMEOUT, detail);
}

/* Take the results of the reads that returned; give up on those past
 * their budget. */
static void collect(struct sampler *s, int64_t now)
{
	for (uint32_t i = 0; i < s->count; i++) {
		struct channel_slot *c = &s->slot[i];
		struct reader_result r;
		if (!c->in_flight)
			continue;
		if (!reader_take(&c->reader, &r)) {
			if (!c->abandoned && now >= c->read_deadline_ns) {
				/* never started: take it back, the channel is
				 * free for its next interval */
				bool queued = reader_cancel(&c->reader);
				c->abandoned = !queued;
				c->in_flight = !queued;
				on_timeout(s, i, now, queued);
			}
			continue;
		}
		c->in_flight = false;
		set_duration(s, i, r.duration_ns);
		if (r.has_limits)
			limits_store(&s->seg->channels[i], &r.limits);
		if (c->abandoned) { /* already counted; its value is too old to record */
			c->abandoned = false;
			log_debug("channel %s: a read given up on returned after %" PRId64 " ms", chan_name(s, i),
				  r.duration_ns / 1000000);
		} else if (r.rc != 0) {
			on_failure(s, i, c->src.why, c->src.detail);
		} else {
			on_reading(s, i, r.realtime_ns, r.value);
		}
	}
}

/* Read a due channel: in place when it cannot block, else through its
 * thread; a channel whose thread is still busy is skipped this time. */
static void sample(struct sampler *s, uint32_t ch, int64_t now)
{
	struct channel_slot *c = &s->slot[ch];
	double v;
	if (!c->threaded) {
		if (source_read(&c->src, now, &v) != 0)
			on_failure(s, ch, c->src.why, c->src.detail);
		else
			on_reading(s, ch, realtime_ns(), v);
		return;
	}
	if (c->in_flight) {
		if (c->abandoned) /* still stuck: one more missed reading */
			on_timeout(s, ch, now, false);
		return; /* within its budget: the last interval's read goes on */
	}
	bool with_limits = now >= c->next_limits_ns;
	if (reader_start(&c->reader, with_limits) != 0) {
		char detail[96];
		snprintf(detail, sizeof detail, "no reader thread to read it: %s", strerror(errno));
		on_failure(s, ch, SHM_READ_IO, detail);
		return;
	}
	if (with_limits)
		c->next_limits_ns = now + s->limits_ns;
	c->in_flight = true;
	c->read_started_ns = now;
	c->read_deadline_ns = now + s->read_timeout_ns;
}

/* Earliest budget end of a read in flight, INT64_MAX when none. */
static int64_t next_deadline(const struct sampler *s)
{
	int64_t next = INT64_MAX;
	for (uint32_t i = 0; i < s->count; i++) {
		const struct channel_slot *c = &s->slot[i];
		if (c->in_flight && !c->abandoned && c->read_deadline_ns < next)
			next = c->read_deadline_ns;
	}
	return next;
}

/* The pool's state, for /metrics. */
static void publish_pool(struct sampler *s)
{
	struct pool_stats st;
	struct shm_worker_metrics *w = &s->seg->worker;
	pool_get_stats(&s->pool, &st);
	SHM_STORE(&w->reader_threads, st.threads);
	SHM_STORE(&w->reader_threads_busy, st.busy);
	SHM_STORE(&w->reader_threads_held, st.held);
	SHM_STORE(&w->reader_reads_waiting, st.waiting);
	SHM_STORE(&w->reader_thread_start_failures, st.start_failures);
}

void sampler_tick(struct sampler *s, int64_t now_mono_ns)
{
	if (s->push_on) {
		struct push_sink sink = { s, push_lookup, push_accept };
		push_drain(&s->push, now_mono_ns, &sink, s->seg->push.messages);
	}
	if (s->rescan_ns)
		rescan(s, now_mono_ns);
	textfile_tick(s->textfile, &s->pool, now_mono_ns);
	/* The tick's clock is now_mono_ns moved on by the time spent here. */
	int64_t real0 = monotonic_ns();
	pool_tick(&s->pool);
	uint64_t seen = pool_finished(&s->pool);
	collect(s, now_mono_ns);
	for (uint32_t i = 0; i < s->count; i++) {
		struct channel_slot *c = &s->slot[i];
		if (!source_polled(&c->src) || now_mono_ns < c->next_due_ns)
			continue;
		sample(s, i, now_mono_ns);
		c->next_due_ns += c->interval_ns;
		if (c->next_due_ns < now_mono_ns)
			c->next_due_ns = now_mono_ns; /* fell behind: skip, never burst */
	}
	/* Wait for the reads in flight, within the tick's budget. */
	int64_t until = now_mono_ns + s->tick_budget_ns;
	for (;;) {
		int64_t deadline = next_deadline(s);
		if (deadline == INT64_MAX)
			break;
		int64_t now = now_mono_ns + (monotonic_ns() - real0);
		int64_t stop = deadline < until ? deadline : until;
		if (now >= stop) {
			collect(s, now);
			break;
		}
		pool_wait(&s->pool, seen, stop - now);
		seen = pool_finished(&s->pool);
		collect(s, now_mono_ns + (monotonic_ns() - real0));
	}
	publish_pool(s);
}

int64_t sampler_next_due(const struct sampler *s)
{
	int64_t next = next_deadline(s); /* a timeout is counted on time */
	if (s->rescan_ns && s->next_rescan_ns < next)
		next = s->next_rescan_ns;
	if (textfile_next_due(s->textfile) < next)
		next = textfile_next_due(s->textfile);
	for (uint32_t i = 0; i < s->count; i++)
		if (source_polled(&s->slot[i].src) && s->slot[i].next_due_ns < next)
			next = s->slot[i].next_due_ns;
	return next;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	/* reads in flight get their own budget to return, once for all, but
	 * never past half the supervisor's stop timeout: the worker must be
	 * gone before it would be killed */
	int64_t grace = s->read_timeout_ns, stop_half = (int64_t)s->cfg->stop_timeout_ms * 500000;
	int64_t until = monotonic_ns() + (grace < stop_half ? grace : stop_half);
	for (uint32_t i = 0; i < s->count; i++) {
		log_limit_forget(&s->slot[i].fail_log);
		log_limit_forget(&s->slot[i].recover_log);
	}
	if (!pool_stop(&s->pool, until)) {
		/* a thread blocked in a read still points into s: leave it be,
		 * the process is ending */
		log_debug("leaving reader threads blocked in a read behind");
		return;
	}
	textfile_free(s->textfile);
	free(s->rescan.found);
	free(s->set);
	free(s);
}

struct pool *sampler_pool(struct sampler *s)
{
	return &s->pool;
}
