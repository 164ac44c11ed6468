/*
 * sampler.c - read each channel's source when it is due and record the
 * reading: ring, last value, counters. A failed read is counted under its
 * reason, makes the last value NaN (there is no current reading) and is
 * retried at the channel's next interval. Failures and recoveries are
 * logged through a rate limit per channel (common/log.h): the first line,
 * then a count a minute, so a failing or flapping source cannot flood the
 * log.
 */
#include "sampler.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../shm/metrics.h"
#include "../shm/ring.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "source.h"
#include "source_push.h"

struct channel_slot {
	struct source src;
	int64_t interval_ns;
	int64_t next_due_ns;
	bool failing;
	struct log_limit fail_log, recover_log;
};

struct sampler {
	struct shm_segment *seg;
	const struct shm_view *view; /* names and geometry: our copy */
	uint32_t count;
	bool push_on;
	struct push_intake push;
	struct channel_slot slot[];
};

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
	return 0;
}

static void open_push(struct sampler *s, const struct config *cfg)
{
	char err[256];
	s->push_on = strcmp(cfg->push_socket, "none") != 0 || cfg->push_udp_port > 0;
	if (!s->push_on)
		return;
	int rc = push_open(&s->push, cfg->push_socket, cfg->push_socket_mode, cfg->push_udp_port,
			   cfg->push_max_per_tick, cfg->push_rate, err, sizeof err);
	push_set_window(&s->push, cfg->push_max_age_s, cfg->push_max_skew_ms);
	if (rc != 0) {
		log_error("push input: %s", err);
		return;
	}
	bool unix_on = strcmp(cfg->push_socket, "none") != 0;
	log_info("push input on %s%s%s", unix_on ? cfg->push_socket : "", unix_on && cfg->push_udp_port ? " and " : "",
		 cfg->push_udp_port ? "UDP 127.0.0.1" : "");
}

struct sampler *sampler_new(struct shm_segment *seg, const struct config *cfg)
{
	const struct shm_view *view = shm_view_of(seg);
	uint32_t n = view->hdr.channel_count;
	struct sampler *s = calloc(1, sizeof *s + n * sizeof s->slot[0]);
	if (!s)
		return NULL;
	s->seg = seg;
	s->view = view;
	s->count = n;
	int64_t now = monotonic_ns(), base = (int64_t)cfg->sample_interval_ms * 1000000;
	for (uint32_t i = 0; i < n; i++) {
		struct channel_slot *c = &s->slot[i];
		if (cfg->chans.count > 0 && i < cfg->chans.count) {
			const struct channel_config *cc = &cfg->chans.chan[i];
			c->interval_ns = cc->interval_ms ? (int64_t)cc->interval_ms * 1000000 : base;
			source_init(&c->src, cc, i, cfg->sysfs_root, (uint64_t)cfg->seed, c->interval_ns,
				    view->hdr.created_monotonic_ns);
		} else {
			c->interval_ns = base;
			source_init_builtin(&c->src, i, (uint64_t)cfg->seed, base, view->hdr.created_monotonic_ns);
		}
		c->next_due_ns = now;
	}
	s->push.fd[0] = s->push.fd[1] = -1;
	open_push(s, cfg);
	return s;
}

static void on_failure(struct sampler *s, uint32_t ch)
{
	struct channel_slot *c = &s->slot[ch];
	struct shm_channel *sc = &s->seg->channels[ch];
	SHM_ADD(&sc->read_errors[c->src.why], 1);
	SHM_STORE(&sc->last_value_bits, shm_double_to_bits(NAN));
	log_warn_limited(&c->fail_log, "channel %s: %s (%s); retrying every %" PRId64 " ms", s->view->chan[ch].name,
			 c->src.detail, shm_read_error_label(c->src.why), c->interval_ns / 1000000);
	c->failing = true;
}

static void sample(struct sampler *s, uint32_t ch, int64_t now)
{
	struct channel_slot *c = &s->slot[ch];
	double v;
	if (source_read(&c->src, now, &v) != 0) {
		on_failure(s, ch);
		return;
	}
	if (c->failing) {
		log_warn_limited(&c->recover_log, "channel %s: reading again from %s", s->view->chan[ch].name,
				 c->src.path);
		c->failing = false;
	}
	record(s->seg, ch, realtime_ns(), v);
}

void sampler_tick(struct sampler *s, int64_t now_mono_ns)
{
	if (s->push_on) {
		struct push_sink sink = { s, push_lookup, push_accept };
		push_drain(&s->push, now_mono_ns, &sink, s->seg->push.messages);
	}
	for (uint32_t i = 0; i < s->count; i++) {
		struct channel_slot *c = &s->slot[i];
		if (!source_polled(&c->src) || now_mono_ns < c->next_due_ns)
			continue;
		sample(s, i, now_mono_ns);
		c->next_due_ns += c->interval_ns;
		if (c->next_due_ns < now_mono_ns)
			c->next_due_ns = now_mono_ns; /* fell behind: skip, never burst */
	}
}

int64_t sampler_next_due(const struct sampler *s)
{
	int64_t next = INT64_MAX;
	for (uint32_t i = 0; i < s->count; i++)
		if (source_polled(&s->slot[i].src) && s->slot[i].next_due_ns < next)
			next = s->slot[i].next_due_ns;
	return next;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	if (s->push_on)
		push_close(&s->push);
	for (uint32_t i = 0; i < s->count; i++) {
		log_limit_forget(&s->slot[i].fail_log);
		log_limit_forget(&s->slot[i].recover_log);
	}
	free(s);
}
