/*
 * render_process.h - the standard process_* families of the exporter
 * process itself, as every Prometheus client library exposes them.
 */
#ifndef SENSOR_EXPORTER_RENDER_PROCESS_H
#define SENSOR_EXPORTER_RENDER_PROCESS_H

#include <stdint.h>

#include "selfstat.h"

struct evbuffer;
struct textbuf;

/* The families of `st` (those it has), in the text format. */
void render_process_stats(struct evbuffer *out, const struct selfstat *st);

/* The same for the process `self` was opened on (the exporter opens
 * /proc/self once), from a sample at most 10 ms older than `now_mono_ns`
 * (CLOCK_MONOTONIC). */
void render_process(struct evbuffer *out, struct selfstat_src *self, int64_t now_mono_ns);
void render_process_text(struct textbuf *tb, struct selfstat_src *self, int64_t now_mono_ns);

/* sensor_metrics_render_seconds, a summary without quantiles: the time
 * spent rendering /metrics bodies (`seconds`) over `renders` bodies. Its
 * rate over the scrapes' rate is what one scrape's rendering costs. */
void render_scrape_cost(struct evbuffer *out, double seconds, uint64_t renders);
void render_scrape_cost_text(struct textbuf *tb, double seconds, uint64_t renders);

#endif
