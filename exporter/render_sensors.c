/*
 * render_sensors.c - /metrics families about real sensors: the time each
 * channel's last read took (in the style of node_exporter's
 * node_scrape_collector_duration_seconds, so a slow bus shows before it
 * turns into timeouts), and the limits, alarm flags and trip points the
 * kernel publishes beside hwmon sensors and thermal zones (in the style of
 * node_exporter's hwmon and thermal_zone collectors, under our sensor_
 * names and with the unit as a label, as sensor_value has it).
 */
#include <math.h>

#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "render.h"
#include "textbuf.h"

#define LOAD(p) atomic_load_explicit((p), memory_order_relaxed)

/* One family's series of one channel: the live counters in ch, names,
 * unit and source in d (from the view); *head says whether the family's
 * HELP and TYPE are out yet. */
typedef void channel_series(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d,
			    bool *head);

/* HELP and TYPE before a gauge family's first series. */
#define HEAD_ONCE(tb, head, name, help) head_once(tb, head, FAMILY_TEXT(name, "gauge", help))

static void head_once(struct textbuf *tb, bool *head, const char *family)
{
	if (!*head)
		tb_str(tb, family);
	*head = true;
}

static bool has_limits(const struct shm_channel_desc *ch)
{
	return ch->source == SHM_SOURCE_HWMON || ch->source == SHM_SOURCE_THERMAL;
}

static void read_duration_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d,
			     bool *head)
{
	if (!source_can_fail(d->source))
		return;
	HEAD_ONCE(tb, head, "sensor_read_duration_seconds",
		  "Time the channel's last read took, or has been out for while it does not return.");
	SERIES_OPEN(tb, "sensor_read_duration_seconds", d);
	series_close(tb, d);
	render_value_double(tb, shm_bits_to_double(LOAD(&ch->read_duration_bits)));
}

/* A family of one double per entry of a channel's table (the chip's
 * limits, our thresholds), each series labelled with the unit and the
 * entry's name; NaN entries are absent. */
struct keyed_family {
	const char *head; /* its HELP and TYPE lines */
	const char *open; /* `NAME{channel="` */
	size_t open_len;
	const char *key; /* `,KEY="` */
	size_t key_len;
	unsigned count;
	const char *(*label)(unsigned i);
};

#define KEYED_FAMILY(name, help, keyname, n, label_fn)                                                \
	{                                                                                             \
		FAMILY_TEXT(name, "gauge", help), name "{channel=\"", sizeof(name "{channel=\"") - 1, \
			"," keyname "=\"", sizeof("," keyname "=\"") - 1, n, label_fn                 \
	}

static void keyed_doubles(struct textbuf *tb, const struct keyed_family *f, const _Atomic uint64_t *bits,
			  const struct shm_channel_desc *d, bool *head)
{
	for (unsigned i = 0; i < f->count; i++) {
		double v = shm_bits_to_double(LOAD(&bits[i]));
		if (isnan(v))
			continue;
		head_once(tb, head, f->head);
		series_open(tb, f->open, f->open_len, d);
		render_unit_label(tb, d);
		render_label(tb, f->key, f->key_len, f->label(i));
		series_close(tb, d);
		render_value_double(tb, v);
	}
}

static const char *limit_label(unsigned i)
{
	return shm_limit_label((enum shm_limit)i);
}

static const char *threshold_label(unsigned i)
{
	return shm_threshold_label((enum shm_threshold)i);
}

static const struct keyed_family limit_family = KEYED_FAMILY(
	"sensor_limit", "The chip's own limit of the channel, in its unit (limit = min, max, lcrit, crit, emergency).",
	"limit", SHM_LIMIT_COUNT, limit_label);

static const struct keyed_family threshold_family =
	KEYED_FAMILY("sensor_threshold",
		     "The channel's own threshold, in its unit (threshold = warn_above, crit_above, "
		     "warn_below, crit_below).",
		     "threshold", SHM_THRESHOLD_COUNT, threshold_label);

static void limits_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d, bool *head)
{
	if (has_limits(d))
		keyed_doubles(tb, &limit_family, ch->limit_bits, d, head);
}

static void alarms_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d, bool *head)
{
	uint32_t present = LOAD(&ch->alarms_present), set = LOAD(&ch->alarms_set);
	for (unsigned a = 0; has_limits(d) && a < SHM_ALARM_COUNT; a++) {
		if (!(present & (1u << a)))
			continue;
		HEAD_ONCE(tb, head, "sensor_alarm",
			  "The chip's alarm and fault flags of the channel, 1 when set "
			  "(alarm = alarm, min, max, lcrit, crit, emergency, fault).");
		SERIES_OPEN(tb, "sensor_alarm", d);
		RENDER_LABEL(tb, "alarm", shm_alarm_label(a));
		series_close(tb, d);
		render_value_u64(tb, (set >> a) & 1u);
	}
}

static void trip_points_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d,
			   bool *head)
{
	for (unsigned t = 0; d->source == SHM_SOURCE_THERMAL && t < SHM_TRIP_MAX; t++) {
		uint32_t type = LOAD(&ch->trip_type[t]);
		double v = shm_bits_to_double(LOAD(&ch->trip_bits[t]));
		if (type == SHM_TRIP_NONE || type >= SHM_TRIP_TYPE_COUNT || isnan(v))
			continue;
		HEAD_ONCE(tb, head, "sensor_trip_point",
			  "A thermal zone's trip point, in its unit (type = active, passive, hot, critical).");
		SERIES_OPEN(tb, "sensor_trip_point", d);
		render_unit_label(tb, d);
		TB_LIT(tb, ",trip=\"");
		tb_u64(tb, t);
		tb_char(tb, '"');
		RENDER_LABEL(tb, "type", shm_trip_type_label(type));
		series_close(tb, d);
		render_value_double(tb, v);
	}
}

static void thresholds_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d,
			  bool *head)
{
	if (LOAD(&ch->has_thresholds))
		keyed_doubles(tb, &threshold_family, ch->threshold_bits, d, head);
}

static void state_of(struct textbuf *tb, const struct shm_channel *ch, const struct shm_channel_desc *d, bool *head)
{
	if (!LOAD(&ch->has_thresholds))
		return;
	uint32_t st = LOAD(&ch->state);
	HEAD_ONCE(tb, head, "sensor_state",
		  "What the channel's thresholds say of its last value: 0 ok, 1 warning, 2 critical.");
	SERIES_OPEN(tb, "sensor_state", d);
	series_close(tb, d);
	render_value_u64(tb, st <= SHM_STATE_CRITICAL ? st : (uint32_t)SHM_STATE_CRITICAL);
}

/* One family: its series of every channel the view lets us read (late
 * channels validated by shm_view_chan, the others from the copy). */
static void family_of_channels(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *view,
			       channel_series *fn)
{
	struct shm_channel_desc scratch;
	bool head = false;
	uint32_t n = shm_view_channels(view);
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_channel_desc *d = shm_view_chan(view, i, &scratch);
		if (d)
			fn(tb, &seg->channels[i], d, &head);
	}
}

void render_sensor_families(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *view)
{
	static channel_series *const families[] = { read_duration_of, limits_of,     alarms_of,
						    trip_points_of,   thresholds_of, state_of };
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		family_of_channels(tb, seg, view, families[f]);
}
