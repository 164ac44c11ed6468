/*
 * render_process.h - the standard process_* families of the exporter
 * process itself, as every Prometheus client library exposes them.
 */
#ifndef SENSOR_EXPORTER_RENDER_PROCESS_H
#define SENSOR_EXPORTER_RENDER_PROCESS_H

#include "selfstat.h"

struct evbuffer;

/* The families of `st` (those it has), in the text format. */
void render_process_stats(struct evbuffer *out, const struct selfstat *st);

/* The same for the process `self` was opened on (the exporter opens
 * /proc/self once), sampled now. */
void render_process(struct evbuffer *out, struct selfstat_src *self);

#endif
