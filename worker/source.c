/*
 * source.c - the source kinds behind one interface: set-up, reading with
 * unit conversion and scale/offset, and each channel's reporting unit.
 */
#include "source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../common/config.h"
#include "../shm/seqlock.h"
#include "simulated_signal.h"

static const struct source_ops *const ops_by_source[SHM_SOURCE_COUNT] = {
	[SHM_SOURCE_BUILTIN] = &source_simulated_ops, [SHM_SOURCE_SIMULATED] = &source_simulated_ops,
	[SHM_SOURCE_HWMON] = &source_hwmon_ops,       [SHM_SOURCE_THERMAL] = &source_thermal_ops,
	[SHM_SOURCE_IIO] = &source_iio_ops,           [SHM_SOURCE_FILE] = &source_file_ops,
	[SHM_SOURCE_PUSH] = &source_push_ops,
};

/* A simulated channel's kind (checked when the configuration was read). */
static enum sensor_kind simulated_kind(const char *name)
{
	enum sensor_kind kind = SENSOR_TEMPERATURE;
	(void)sensor_kind_parse(name, &kind);
	return kind;
}

void source_init(struct source *s, const struct channel_config *cc, uint32_t index, const char *root, uint64_t seed,
		 int64_t interval_ns, int64_t origin_ns)
{
	memset(s, 0, sizeof *s);
	s->ops = ops_by_source[cc->source < SHM_SOURCE_COUNT ? cc->source : SHM_SOURCE_PUSH];
	s->cc = cc;
	s->root = root;
	s->factor = 1.0;
	s->unit = "";
	s->seed = seed;
	/* simulated_signal.c picks the signal from the index modulo the number of kinds:
	 * keep the kind, vary the noise */
	s->sim_index = (uint32_t)simulated_kind(cc->sensor) + SENSOR_KIND_COUNT * index;
	s->interval_ns = interval_ns;
	s->origin_ns = origin_ns;
}

void source_init_builtin(struct source *s, uint32_t index, uint64_t seed, int64_t interval_ns, int64_t origin_ns)
{
	memset(s, 0, sizeof *s);
	s->ops = &source_simulated_ops;
	s->factor = 1.0;
	s->unit = "";
	s->seed = seed;
	s->sim_index = index;
	s->interval_ns = interval_ns;
	s->origin_ns = origin_ns;
}

bool source_polled(const struct source *s)
{
	return s->ops->read != NULL;
}

bool source_may_block(const struct source *s)
{
	return source_polled(s) && s->ops != &source_simulated_ops;
}

int source_read(struct source *s, int64_t now_mono_ns, double *value)
{
	double raw;
	if (!s->resolved) {
		if (s->ops->resolve && s->ops->resolve(s) != 0)
			return -1;
		s->resolved = true;
	}
	if (s->ops->read(s, now_mono_ns, &raw) != 0) {
		if (s->why == SHM_READ_MISSING)
			s->resolved = false; /* it may come back, maybe as another hwmonN */
		return -1;
	}
	double scale = s->cc ? s->cc->scale : 1.0, offset = s->cc ? s->cc->offset : 0.0;
	double v = raw * s->factor * scale + offset;
	if (!isfinite(v))
		return source_fail(s, SHM_READ_PARSE, "%s: value %g is out of range once scaled", s->path, raw);
	*value = v;
	return 0;
}

void source_channel_unit(const struct channel_config *cc, const char *root, char *unit, size_t len)
{
	double factor = 1.0;
	const char *natural = "";

	if (cc->unit[0]) {
		snprintf(unit, len, "%s", cc->unit);
		return;
	}
	switch (cc->source) {
	case SHM_SOURCE_SIMULATED: natural = sensor_kind_desc(simulated_kind(cc->sensor))->unit; break;
	case SHM_SOURCE_THERMAL: natural = "celsius"; break;
	case SHM_SOURCE_IIO: source_iio_units(cc->sensor, &factor, &natural); break;
	case SHM_SOURCE_HWMON:
		if (cc->sensor[0]) {
			source_hwmon_units(cc->sensor, &factor, &natural);
		} else {
			struct source s;
			source_init(&s, cc, 0, root, 0, 0, 0);
			if (s.ops->resolve(&s) == 0)
				natural = s.unit;
		}
		break;
	default: break;
	}
	snprintf(unit, len, "%s", natural);
}

uint32_t source_channel_count(const struct config *cfg)
{
	return cfg->chans.count > 0 ? cfg->chans.count : (uint32_t)cfg->channels;
}

void source_describe_channel(struct shm_channel *ch, const struct channel_config *cc, const struct config *cfg)
{
	char err[160];
	snprintf(ch->name, sizeof ch->name, "%s", cc->name);
	source_channel_unit(cc, cfg->sysfs_root, ch->unit, sizeof ch->unit);
	if (cc->labels[0] && channels_render_labels(cc->labels, ch->labels, sizeof ch->labels, err, sizeof err) != 0)
		ch->labels[0] = '\0'; /* cannot happen: checked when the config was read */
	ch->source = cc->source;
	ch->interval_ms = (uint32_t)(cc->interval_ms ? cc->interval_ms : cfg->sample_interval_ms);
	/* Whether processing computes a spectrum is decided here, for every
	 * channel: the simulated kinds by their table, others by the unit of
	 * acceleration. Processing and rendering only read the flag. */
	ch->spectrum = (cc->source == SHM_SOURCE_SIMULATED && sensor_kind_desc(simulated_kind(cc->sensor))->spectrum) ||
		       strcmp(ch->unit, "g") == 0;
	SHM_STORE(&ch->last_value_bits, shm_double_to_bits(NAN)); /* no reading yet */
	const double th[SHM_THRESHOLD_COUNT] = { cc->warn_above, cc->crit_above, cc->warn_below, cc->crit_below };
	for (unsigned t = 0; t < SHM_THRESHOLD_COUNT; t++)
		SHM_STORE(&ch->threshold_bits[t], shm_double_to_bits(th[t]));
	SHM_STORE(&ch->has_thresholds, channels_has_thresholds(cc) ? 1u : 0u);
	SHM_STORE(&ch->state, (uint32_t)SHM_STATE_OK);
}

void source_describe_channels(struct shm_segment *seg, const struct config *cfg)
{
	uint32_t n = source_channel_count(cfg);
	for (uint32_t i = 0; i < n && i < SHM_MAX_CHANNELS; i++) {
		struct shm_channel *ch = &seg->channels[i];
		if (cfg->chans.count > 0)
			source_describe_channel(ch, &cfg->chans.chan[i], cfg);
		else {
			sensor_describe(i, ch->name, sizeof ch->name, ch->unit, sizeof ch->unit);
			ch->spectrum = sensor_kind_desc(sensor_kind_of(i))->spectrum;
		}
	}
	seg->push.enabled = config_push_on(cfg);
}
