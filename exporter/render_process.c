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

#include <event2/buffer.h>
#include <inttypes.h>
#include <unistd.h>

#include "render.h"

static void counter(struct evbuffer *out, const char *name, const char *help, double v)
{
	char num[32];
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %s\n", name, help, name, name,
			    render_double(v, num, sizeof num));
}

static void gauge_u64(struct evbuffer *out, const char *name, const char *help, uint64_t v)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRIu64 "\n", name, help, name, name, v);
}

void render_process_stats(struct evbuffer *out, const struct selfstat *st)
{
	if (st->have_stat)
		counter(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
			st->cpu_seconds);
	if (st->have_fds)
		gauge_u64(out, "process_open_fds", "Number of open file descriptors.", st->open_fds);
	if (st->have_max_fds)
		gauge_u64(out, "process_max_fds", "Maximum number of open file descriptors.", st->max_fds);
	if (st->have_stat) {
		gauge_u64(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", st->virtual_bytes);
		gauge_u64(out, "process_resident_memory_bytes", "Resident memory size in bytes.", st->resident_bytes);
		/* %.2f: ticks are 1/100 s, and %.10g would drop them */
		evbuffer_add_printf(out,
				    "# HELP %s Start time of the process since unix epoch in seconds.\n"
				    "# TYPE %s gauge\n%s %.2f\n",
				    "process_start_time_seconds", "process_start_time_seconds",
				    "process_start_time_seconds", st->start_time_seconds);
	}
}

void render_process(struct evbuffer *out)
{
	struct selfstat st;
	selfstat_read("/proc", "self", sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), &st);
	render_process_stats(out, &st);
}
