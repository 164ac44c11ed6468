/*
 * requests.h - the exporter's request counters in the segment: one per
 * route (routes.h) and answered status, counted by the exporter and read
 * back by it as the sensor_requests_total family.
 */
#ifndef SENSOR_EXPORTER_REQUESTS_H
#define SENSOR_EXPORTER_REQUESTS_H

struct textbuf;
struct shm_segment;

/* The segment's counter for route `path` (route_table index) answered
 * `status`; a status without a code of its own counts as "other". */
unsigned requests_slot(unsigned path, int status);

/* Count one answer. */
void requests_count(struct shm_segment *seg, unsigned path, int status);

/* The sensor_requests_total family: every non-zero counter, and a zero
 * for 200 on each route the exporter serves, so those series exist from
 * the start. */
void requests_render(struct textbuf *tb, const struct shm_segment *seg);

#endif
