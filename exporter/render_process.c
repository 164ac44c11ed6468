/*
 * render_process.c - process_cpu_seconds_total, process_open_fds,
 * process_max_fds, process_start_time_seconds,
 * process_resident_memory_bytes and process_virtual_memory_bytes of the
 * exporter, with the names, types and help of Prometheus' client
 * libraries, so that the usual dashboards and alerts work unchanged. The
 * per-process sensor_process_* families (render.c) cover all three
 * processes from the supervisor's samples; these are the exporter's own,
 * sampled for a scrape (at most once per 10 ms: PROCESS_SAMPLE_MAX_AGE_NS).
 * Beside them, the exporter's timer of its own rendering
 * (sensor_metrics_render_seconds).
 */
#include "render_process.h"

#include "numfmt.h"
#include "render.h"
#include "textbuf.h"

/* How old a sample of the exporter's process may be when a scrape shows
 * it: 10 ms, the tick of the CPU time every client library reads from
 * procfs. Only scrapes closer together than that (a load test) share one. */
#define PROCESS_SAMPLE_MAX_AGE_NS (10 * 1000 * 1000)

/* A family of one unlabelled sample (NAME and HELP literals). */
#define COUNTER(tb, name, help, v)                        \
	do {                                              \
		RENDER_FAMILY(tb, name, "counter", help); \
		TB_LIT(tb, name);                         \
		render_value_double(tb, v);               \
	} while (0)
#define GAUGE_U64(tb, name, help, v)                    \
	do {                                            \
		RENDER_FAMILY(tb, name, "gauge", help); \
		TB_LIT(tb, name);                       \
		render_value_u64(tb, v);                \
	} while (0)

static void render_process_stats_text(struct textbuf *tb, const struct selfstat *st);

void render_process_stats(struct evbuffer *out, const struct selfstat *st)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	render_process_stats_text(&tb, st);
	tb_end(&tb);
}

static void render_process_stats_text(struct textbuf *tb, const struct selfstat *st)
{
	if (st->have_cpu)
		COUNTER(tb, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
			st->cpu_seconds);
	if (st->have_fds)
		GAUGE_U64(tb, "process_open_fds", "Number of open file descriptors.", st->open_fds);
	if (st->have_max_fds)
		GAUGE_U64(tb, "process_max_fds", "Maximum number of open file descriptors.", st->max_fds);
	if (st->have_memory) {
		GAUGE_U64(tb, "process_virtual_memory_bytes", "Virtual memory size in bytes.", st->virtual_bytes);
		GAUGE_U64(tb, "process_resident_memory_bytes", "Resident memory size in bytes.", st->resident_bytes);
	}
	if (st->have_start) {
		/* %.2f: ticks are 1/100 s, and %.10g would drop them */
		RENDER_FAMILY(tb, "process_start_time_seconds", "gauge",
			      "Start time of the process since unix epoch in seconds.");
		TB_LIT(tb, "process_start_time_seconds ");
		if (tb_room(tb, NUMFMT_MAX))
			tb->at += numfmt_fixed2(tb->at, st->start_time_seconds);
		tb_char(tb, '\n');
	}
}

void render_scrape_cost(struct evbuffer *out, double seconds, uint64_t renders)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	render_scrape_cost_text(&tb, seconds, renders);
	tb_end(&tb);
}

void render_scrape_cost_text(struct textbuf *tb, double seconds, uint64_t renders)
{
	RENDER_FAMILY(tb, "sensor_metrics_render_seconds", "summary",
		      "Time the exporter spent rendering /metrics bodies (before any compression).");
	TB_LIT(tb, "sensor_metrics_render_seconds_sum");
	render_value_double(tb, seconds);
	TB_LIT(tb, "sensor_metrics_render_seconds_count");
	render_value_u64(tb, renders);
}

void render_process(struct evbuffer *out, struct selfstat_src *self, int64_t now_mono_ns)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	render_process_text(&tb, self, now_mono_ns);
	tb_end(&tb);
}

void render_process_text(struct textbuf *tb, struct selfstat_src *self, int64_t now_mono_ns)
{
	struct selfstat st;
	selfstat_sample_within(self, now_mono_ns, PROCESS_SAMPLE_MAX_AGE_NS, &st);
	render_process_stats_text(tb, &st);
}
