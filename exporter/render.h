/*
 * render.h - turn the shared segment into response bodies.
 *
 * Pure functions of (segment, clock): the exporter passes the live
 * segment and the current monotonic time, tests pass a segment they built
 * and a fixed time, and compare the exact text.
 */
#ifndef SENSOR_EXPORTER_RENDER_H
#define SENSOR_EXPORTER_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "../shm/layout.h"
#include "textbuf.h"

struct evbuffer;
struct shm_channel_desc;
struct shm_view;
struct textbuf;

/* Prometheus text exposition format 0.0.4. */
void render_metrics(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns);
/* The same, written by a textbuf (into a pagepool block, say). */
void render_metrics_text(struct textbuf *tb, const struct shm_segment *seg, int64_t now_mono_ns);

/* Health of the service. Returns the HTTP status: 200 healthy, 503 not. */
int render_health(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns);

/* Header, ring position, channel summaries and the newest `max_readings`
 * readings, as JSON. */
void render_debug(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns, unsigned max_readings);

/* Is the worker healthy? If not, a one-line reason goes to `why`. */
bool worker_healthy(const struct shm_segment *seg, int64_t now_mono_ns, char *why, size_t whylen);

/* Append `s` as a JSON string, quotes included. */
void render_json_string(struct evbuffer *out, const char *s);

/*
 * The pieces of a /metrics series (render_sensors.c and render_process.c
 * write theirs with them). Names, types, help texts and label keys are
 * string literals, joined at compile time, so each constant stretch of a
 * line is one copy of known length:
 *  - RENDER_FAMILY: a family's HELP and TYPE lines;
 *  - SERIES_OPEN: `METRIC{channel="..."` for a channel's series, to which
 *    series_close adds its constant labels and the closing brace;
 *  - render_unit_label: `,unit="..."`;
 *  - RENDER_LABEL: one more `,KEY="VALUE"` (a value of ours, as it is);
 *  - render_value_*: ` VALUE\n`.
 */
#define FAMILY_TEXT(name, type, help) "# HELP " name " " help "\n# TYPE " name " " type "\n"
#define RENDER_FAMILY(tb, name, type, help) TB_LIT(tb, FAMILY_TEXT(name, type, help))
#define SERIES_OPEN(tb, metric, ch) series_open(tb, "" metric "{channel=\"", sizeof(metric "{channel=\"") - 1, ch)
/* `NAME{KEY="VALUE"`: a series of a fixed label set (NAME and KEY
 * literals, VALUE one of ours); RENDER_LABEL adds more, then `}`. */
#define SERIES_KEY(tb, name, key, value) render_label(tb, "" name "{" key "=\"", sizeof(name "{" key "=\"") - 1, value)
#define RENDER_LABEL(tb, key, value) render_label(tb, "," key "=\"", sizeof("," key "=\"") - 1, value)
void series_open(struct textbuf *tb, const char *open, size_t len, const struct shm_channel_desc *ch);
void series_close(struct textbuf *tb, const struct shm_channel_desc *ch);
void render_unit_label(struct textbuf *tb, const struct shm_channel_desc *ch);
void render_label(struct textbuf *tb, const char *open, size_t len, const char *value);
void render_value_u64(struct textbuf *tb, uint64_t v);
void render_value_double(struct textbuf *tb, double v);

/* Channels read from hardware or files, whose reads can fail. */
bool source_can_fail(uint32_t source);

/* The families about real sensors (render_sensors.c): read durations,
 * the kernel's limits, alarms and trip points; names, units and sources
 * from the view (shm_view_chan), counters from the segment. */
void render_sensor_families(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *v);

/* Format a double the way both formats accept (NaN, +Inf, -Inf, %.10g:
 * numfmt_double), cut to len like snprintf. */
const char *render_double(double v, char *buf, size_t len);

#endif
