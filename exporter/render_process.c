/*
 * render_process.c - process_cpu_seconds_total, process_open_fds,
 * process_max_fds, process_start_time_seconds,
 * process_resident_memory_bytes and process_virtual_memory_bytes of the
 * exporter, with the names, types and help of Prometheus' client
 * libraries, so that the usual dashboards and alerts work unchanged. The
 * per-process sensor_process_* families (render.c) cover all three
 * processes from the supervisor's samples; these are the exporter's own,
 * read at each scrape.
 */
#include "render_process.h"

#include <stdio.h>

#include "render.h"
#include "textbuf.h"

static void counter(struct textbuf *tb, const char *name, const char *help, double v)
{
	render_family(tb, name, "counter", help);
	tb_str(tb, name);
	render_value_double(tb, v);
}

static void gauge_u64(struct textbuf *tb, const char *name, const char *help, uint64_t v)
{
	render_family(tb, name, "gauge", help);
	tb_str(tb, name);
	render_value_u64(tb, v);
}

void render_process_stats(struct evbuffer *out, const struct selfstat *st)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	if (st->have_stat)
		counter(&tb, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
			st->cpu_seconds);
	if (st->have_fds)
		gauge_u64(&tb, "process_open_fds", "Number of open file descriptors.", st->open_fds);
	if (st->have_max_fds)
		gauge_u64(&tb, "process_max_fds", "Maximum number of open file descriptors.", st->max_fds);
	if (st->have_stat) {
		gauge_u64(&tb, "process_virtual_memory_bytes", "Virtual memory size in bytes.", st->virtual_bytes);
		gauge_u64(&tb, "process_resident_memory_bytes", "Resident memory size in bytes.", st->resident_bytes);
		/* %.2f: ticks are 1/100 s, and %.10g would drop them */
		char num[64];
		int n = snprintf(num, sizeof num, " %.2f\n", st->start_time_seconds);
		render_family(&tb, "process_start_time_seconds", "gauge",
			      "Start time of the process since unix epoch in seconds.");
		tb_str(&tb, "process_start_time_seconds");
		tb_put(&tb, num, n > 0 && (size_t)n < sizeof num ? (size_t)n : 0);
	}
	tb_end(&tb);
}

void render_process(struct evbuffer *out, struct selfstat_src *self)
{
	struct selfstat st;
	selfstat_sample(self, &st);
	render_process_stats(out, &st);
}
