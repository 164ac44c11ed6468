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
#include "series.h"
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

/* The families about real sensors (render_sensors.c): read durations,
 * the kernel's limits, alarms and trip points; names, units and sources
 * from the view (shm_view_chan), counters from the segment. */
void render_sensor_families(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *v);

/* The host's vital signs, node_exporter's node_* families
 * (render_host.c), from the segment's host block. */
void render_host_families(struct textbuf *tb, const struct shm_segment *seg);
/* The textfile collector's page, as the worker published it, once this
 * process checked it (render_textfile.c); nothing when it is off. */
void render_textfile(struct textbuf *tb, const struct shm_segment *seg);
/* The bound of that check: the collector's limits (exporter_main sets
 * them from the configuration; unset, their defaults). */
void render_textfile_bound(uint32_t max_series, uint32_t max_files);
/* That check: 0-terminated reason in why when it fails. */
bool render_textfile_page_valid(const char *text, size_t len, char *why, size_t whylen);
/* node_exporter's hwmon and thermal_zone families (render_nodehw.c), from
 * the worker's table in the segment, validated as they are read. */
void render_node_families(struct textbuf *tb, const struct shm_segment *seg);

#endif
