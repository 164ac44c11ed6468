/*
 * render_sensors.c - /metrics families about how the sensors are read:
 * the time each channel's last read took, in the style of node_exporter's
 * node_scrape_collector_duration_seconds, so a slow bus shows before it
 * turns into timeouts.
 */
#include <event2/buffer.h>

#include "../shm/seqlock.h"
#include "render.h"

void render_read_durations(struct evbuffer *out, const struct shm_segment *seg, uint32_t n)
{
	bool any = false;
	for (uint32_t i = 0; i < n; i++)
		any |= source_can_fail(seg->channels[i].source);
	if (!any)
		return;
	evbuffer_add_printf(out, "# HELP sensor_read_duration_seconds Time the channel's last read took, or has "
				 "been out for while it does not return.\n# TYPE sensor_read_duration_seconds gauge\n");
	char num[32];
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_channel *ch = &seg->channels[i];
		if (!source_can_fail(ch->source))
			continue;
		series_open(out, "sensor_read_duration_seconds", ch);
		series_close(out, ch);
		double v = shm_bits_to_double(atomic_load_explicit(&ch->read_duration_bits, memory_order_relaxed));
		evbuffer_add_printf(out, " %s\n", render_double(v, num, sizeof num));
	}
}
