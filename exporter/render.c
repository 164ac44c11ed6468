/*
 * render.c - the /metrics, / and /debug bodies.
 *
 * Every value is read from shared memory with atomic loads or a bounded
 * seqlock read: rendering never waits for the worker or the supervisor.
 * The structure (header, channel names, units, labels, sources) comes from
 * this process's private copy (view.h), never from the live segment.
 */
#include "render.h"

#include <event2/buffer.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/config.h"
#include "../common/promtext.h"
#include "../shm/metrics.h"
#include "../shm/ring.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "lastgood.h"
#include "numfmt.h"
#include "requests.h"
#include "textbuf.h"

#define LOAD(p) atomic_load_explicit((p), memory_order_relaxed)

/* JSON has no NaN or Inf: those become null. */
static const char *json_double(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "null");
		return buf;
	}
	return render_double(v, buf, len);
}

void render_json_string(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			evbuffer_add_printf(out, "\\%c", c);
		else if (c < 0x20)
			evbuffer_add_printf(out, "\\u%04x", c);
		else
			evbuffer_add(out, s, 1);
	}
	evbuffer_add(out, "\"", 1);
}

/* `SERIES VALUE\n` (SERIES: a literal, the name and any labels). */
#define SAMPLE_U64(tb, series, v) sample_u64(tb, "" series " ", sizeof(series " ") - 1, v)
#define SAMPLE_DOUBLE(tb, series, v) sample_double(tb, "" series " ", sizeof(series " ") - 1, v)

static void sample_u64(struct textbuf *tb, const char *series, size_t len, uint64_t v)
{
	tb_put(tb, series, len);
	tb_u64(tb, v);
	tb_char(tb, '\n');
}

static void sample_double(struct textbuf *tb, const char *series, size_t len, double v)
{
	tb_put(tb, series, len);
	tb_double(tb, v);
	tb_char(tb, '\n');
}

/* `NAME{KEY="VALUE"} V\n`: a whole sample of one label. */
#define SAMPLE_KEY_U64(tb, name, key, value, v) \
	sample_key_u64(tb, "" name "{" key "=\"", sizeof(name "{" key "=\"") - 1, value, v)

static void sample_key_u64(struct textbuf *tb, const char *open, size_t len, const char *value, uint64_t v)
{
	render_label(tb, open, len, value);
	tb_char(tb, '}');
	render_value_u64(tb, v);
}

static double heartbeat_age_s(const struct child_snapshot *c, int64_t now_mono_ns)
{
	if (c->heartbeat_monotonic_ns <= 0)
		return NAN; /* never reported */
	int64_t age = now_mono_ns - c->heartbeat_monotonic_ns;
	return age > 0 ? (double)age / 1e9 : 0.0;
}

static void render_spike_histogram(struct textbuf *tb, const struct shm_segment *seg)
{
	struct histogram_snapshot h;
	RENDER_FAMILY(tb, "sensor_cpu_spike_seconds", "histogram",
		      "CPU time of each of the worker's CPU-heavy processing steps.");
	if (!lastgood_histogram(seg, &h))
		return; /* no whole copy younger than the bound: skip rather than show a torn one */
	for (unsigned b = 0; b < SHM_SPIKE_BUCKETS; b++)
		SAMPLE_KEY_U64(tb, "sensor_cpu_spike_seconds_bucket", "le", shm_spike_bound_labels[b], h.buckets[b]);
	SAMPLE_U64(tb,
		   "sensor_cpu_spike_seconds_bucket"
		   "{le=\"+Inf\"}",
		   h.buckets[SHM_SPIKE_BUCKETS]);
	SAMPLE_DOUBLE(tb, "sensor_cpu_spike_seconds_sum", h.sum);
	SAMPLE_U64(tb, "sensor_cpu_spike_seconds_count", h.count);
}

/* A channel's last window statistics; false before the first run. */
static bool stats_of(const struct shm_segment *seg, uint32_t i, struct channel_stats *st)
{
	return LOAD(&seg->channels[i].stats_seq) != 0 && lastgood_stats(seg, i, st);
}

/* A child's record, or (no whole copy young enough) its single-word cells
 * only, with the state unknown. */
static void read_child(const struct shm_segment *seg, unsigned c, struct child_snapshot *k)
{
	if (lastgood_child(seg, c, k))
		return;
	k->state = SHM_CHILD_UNKNOWN;
	k->pid = 0;
	k->last_exit_reason = SHM_EXIT_NONE;
	k->last_exit_detail = 0;
	k->started_monotonic_ns = 0;
}

/* Families that only configured channels and the push input have: none
 * of them appear with the built-in simulated set. */
static void render_sources(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *v)
{
	uint32_t n = shm_view_channels(v);
	struct shm_channel_desc scratch;
	bool configured = false, fallible = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
		configured |= ch && ch->source != SHM_SOURCE_BUILTIN;
		fallible |= ch && source_can_fail(ch->source);
	}
	if (configured) {
		RENDER_FAMILY(tb, "sensor_channel_info", "gauge",
			      "Where each configured channel's readings come from (always 1).");
		for (uint32_t i = 0; i < n; i++) {
			const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
			if (!ch)
				continue;
			SERIES_OPEN(tb, "sensor_channel_info", ch);
			RENDER_LABEL(tb, "source", shm_source_label(ch->source));
			TB_LIT(tb, "} 1\n");
		}
	}
	if (fallible) {
		RENDER_FAMILY(tb, "sensor_read_errors_total", "counter",
			      "Failed sensor reads per channel (reason = missing, permission, parse, io, timeout).");
		for (uint32_t i = 0; i < n; i++) {
			const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
			if (!ch || !source_can_fail(ch->source))
				continue;
			for (unsigned r = 0; r < SHM_READ_ERROR_COUNT; r++) {
				SERIES_OPEN(tb, "sensor_read_errors_total", ch);
				RENDER_LABEL(tb, "reason", shm_read_error_label(r));
				series_close(tb, ch);
				render_value_u64(tb, LOAD(&seg->channels[i].read_errors[r]));
			}
		}
	}
	if (v->push_enabled) {
		RENDER_FAMILY(
			tb, "sensor_push_messages_total", "counter",
			"Lines received by the push input (result = accepted, malformed, unknown_channel, over_rate, bad_timestamp).");
		for (unsigned r = 0; r < SHM_PUSH_RESULT_COUNT; r++)
			SAMPLE_KEY_U64(tb, "sensor_push_messages_total", "result", shm_push_result_label(r),
				       LOAD(&seg->push.messages[r]));
	}
}

static void render_channels(struct textbuf *tb, const struct shm_segment *seg, const struct shm_view *v)
{
	uint32_t n = shm_view_channels(v); /* the copy's channels and the late ones, bounded */
	struct shm_channel_desc scratch;

	RENDER_FAMILY(tb, "sensor_value", "gauge", "Last reading of each channel.");
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
		if (!ch)
			continue;
		SERIES_OPEN(tb, "sensor_value", ch);
		render_unit_label(tb, ch);
		series_close(tb, ch);
		render_value_double(tb, shm_bits_to_double(LOAD(&seg->channels[i].last_value_bits)));
	}

	RENDER_FAMILY(tb, "sensor_channel_readings_total", "counter", "Readings taken per channel.");
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
		if (!ch)
			continue;
		SERIES_OPEN(tb, "sensor_channel_readings_total", ch);
		series_close(tb, ch);
		render_value_u64(tb, LOAD(&seg->channels[i].readings));
	}

	RENDER_FAMILY(tb, "sensor_window_value", "gauge",
		      "Statistics of each channel over the last processing window (stat = min, max, mean, p95).");
	for (uint32_t i = 0; i < n; i++) {
		struct channel_stats st;
		const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
		if (!ch || !stats_of(seg, i, &st))
			continue; /* not computed yet */
		const struct {
			const char *stat;
			double v;
		} rows[] = {
			{ "min", st.min },
			{ "max", st.max },
			{ "mean", st.mean },
			{ "p95", st.p95 },
		};
		for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
			SERIES_OPEN(tb, "sensor_window_value", ch);
			RENDER_LABEL(tb, "stat", rows[r].stat);
			series_close(tb, ch);
			render_value_double(tb, rows[r].v);
		}
	}

	RENDER_FAMILY(tb, "sensor_vibration_dominant_frequency_hertz", "gauge",
		      "Strongest frequency in the last window of each vibration channel.");
	for (uint32_t i = 0; i < n; i++) {
		struct channel_stats st;
		const struct shm_channel_desc *ch = shm_view_chan(v, i, &scratch);
		if (!ch)
			continue;
		if (!ch->spectrum || !stats_of(seg, i, &st))
			continue;
		SERIES_OPEN(tb, "sensor_vibration_dominant_frequency_hertz", ch);
		series_close(tb, ch);
		render_value_double(tb, st.dominant_hz);
	}

	render_sources(tb, seg, v);
	render_sensor_families(tb, seg, v);
}

void render_metrics_text(struct textbuf *tb, const struct shm_segment *seg, int64_t now_mono_ns)
{
	const struct shm_view *view = shm_view_of(seg);
	const struct shm_worker_metrics *w = &seg->worker;
	struct child_snapshot kids[SHM_CHILD_COUNT];
	lastgood_begin(seg, now_mono_ns);
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		read_child(seg, c, &kids[c]);

	render_spike_histogram(tb, seg);

	RENDER_FAMILY(tb, "sensor_queue_depth", "gauge", "Readings in the ring waiting for the processing step.");
	SAMPLE_U64(tb, "sensor_queue_depth", ring_depth(seg));
	RENDER_FAMILY(tb, "sensor_queue_capacity", "gauge", "Readings the ring holds before the oldest is dropped.");
	SAMPLE_U64(tb, "sensor_queue_capacity", view->hdr.ring_capacity);

	RENDER_FAMILY(tb, "sensor_loop_iterations_total", "counter", "Iterations of the worker's sampling loop.");
	SAMPLE_U64(tb, "sensor_loop_iterations_total", LOAD(&w->loop_iterations));
	RENDER_FAMILY(tb, "sensor_readings_total", "counter", "Sensor readings written into the ring.");
	SAMPLE_U64(tb, "sensor_readings_total", LOAD(&w->readings));
	RENDER_FAMILY(tb, "sensor_readings_dropped_total", "counter",
		      "Readings overwritten in the ring before the processing step consumed them.");
	SAMPLE_U64(tb, "sensor_readings_dropped_total", LOAD(&w->readings_dropped));
	RENDER_FAMILY(tb, "sensor_processing_runs_total", "counter", "Runs of the worker's processing step.");
	SAMPLE_U64(tb, "sensor_processing_runs_total", LOAD(&w->processing_runs));
	RENDER_FAMILY(tb, "sensor_reader_threads", "gauge", "Threads of the worker's pool that read sensors.");
	SAMPLE_U64(tb, "sensor_reader_threads", LOAD(&w->reader_threads));
	RENDER_FAMILY(tb, "sensor_reader_threads_busy", "gauge", "Reader threads in a read.");
	SAMPLE_U64(tb, "sensor_reader_threads_busy", LOAD(&w->reader_threads_busy));
	RENDER_FAMILY(
		tb, "sensor_reader_threads_held", "gauge",
		"Reader threads in a read longer than tick-budget-ms (a slow or stuck bus); one is started in place of each, "
		"up to reader-threads-max.");
	SAMPLE_U64(tb, "sensor_reader_threads_held", LOAD(&w->reader_threads_held));
	RENDER_FAMILY(tb, "sensor_reader_reads_waiting", "gauge", "Sensor reads waiting for a free reader thread.");
	SAMPLE_U64(tb, "sensor_reader_reads_waiting", LOAD(&w->reader_reads_waiting));
	RENDER_FAMILY(tb, "sensor_reader_thread_start_failures_total", "counter",
		      "Reader threads the worker could not start (a task limit reached).");
	SAMPLE_U64(tb, "sensor_reader_thread_start_failures_total", LOAD(&w->reader_thread_start_failures));

	requests_render(tb, seg);

	RENDER_FAMILY(tb, "sensor_child_restarts_total", "counter", "Restarts of each child by the supervisor.");
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		SAMPLE_KEY_U64(tb, "sensor_child_restarts_total", "child", shm_child_name(c), kids[c].restarts);
	RENDER_FAMILY(tb, "sensor_child_exits_total", "counter",
		      "Ends of each child by reason (exit, signal, hang: killed for a stale heartbeat).");
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		for (unsigned r = SHM_EXIT_CODE; r < SHM_EXIT_REASON_COUNT; r++) {
			SERIES_KEY(tb, "sensor_child_exits_total", "child", shm_child_name(c));
			RENDER_LABEL(tb, "reason", shm_exit_reason_label(r));
			tb_char(tb, '}');
			render_value_u64(tb, kids[c].exits_by_reason[r]);
		}
	RENDER_FAMILY(tb, "sensor_child_up", "gauge", "1 while the child runs, 0 while it is down or backing off.");
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		SAMPLE_KEY_U64(tb, "sensor_child_up", "child", shm_child_name(c), kids[c].state == SHM_CHILD_RUNNING);

	RENDER_FAMILY(tb, "sensor_process_resident_memory_bytes", "gauge",
		      "Resident set size of each process, sampled by the supervisor.");
	SAMPLE_U64(tb,
		   "sensor_process_resident_memory_bytes"
		   "{process=\"supervisor\"}",
		   LOAD(&seg->supervisor.rss_bytes));
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		SAMPLE_KEY_U64(tb, "sensor_process_resident_memory_bytes", "process", shm_child_name(c),
			       kids[c].rss_bytes);
	RENDER_FAMILY(tb, "sensor_process_memory_limit_bytes", "gauge", "Memory cap of each child (0: none).");
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		SAMPLE_KEY_U64(tb, "sensor_process_memory_limit_bytes", "process", shm_child_name(c),
			       kids[c].memory_limit_bytes);
	RENDER_FAMILY(tb, "sensor_cgroup_memory_limit_bytes", "gauge",
		      "Memory limit of the cgroup the service runs in, which the caps are fitted into (0: none).");
	SAMPLE_U64(tb, "sensor_cgroup_memory_limit_bytes", LOAD(&seg->supervisor.cgroup_memory_limit_bytes));

	RENDER_FAMILY(tb, "sensor_worker_heartbeat_age_seconds", "gauge",
		      "Seconds since the worker last reported (NaN before its first report).");
	SAMPLE_DOUBLE(tb, "sensor_worker_heartbeat_age_seconds", heartbeat_age_s(&kids[SHM_CHILD_WORKER], now_mono_ns));

	RENDER_FAMILY(tb, "sensor_uptime_seconds", "gauge", "Seconds since the supervisor created the segment.");
	SAMPLE_DOUBLE(tb, "sensor_uptime_seconds", (double)(now_mono_ns - view->hdr.created_monotonic_ns) / 1e9);

	RENDER_FAMILY(tb, "sensor_shm_repairs_total", "counter",
		      "Structural fields of the shared segment found damaged and rewritten by the supervisor.");
	SAMPLE_U64(tb, "sensor_shm_repairs_total", LOAD(&seg->supervisor.shm_repairs));

	render_channels(tb, seg, view);
	render_host_families(tb, seg);
	render_node_families(tb, seg);

	RENDER_FAMILY(tb, "sensor_shm_copy_age_seconds", "gauge",
		      "Age of the oldest last good copy served for a record its writer kept busy (0: all read whole).");
	for (unsigned r = 0; r < LASTGOOD_RECORD_COUNT; r++) {
		SERIES_KEY(tb, "sensor_shm_copy_age_seconds", "record", lastgood_record_label(r));
		tb_char(tb, '}');
		render_value_double(tb, lastgood_served_age_s(r));
	}

	RENDER_FAMILY(tb, "sensor_build_info", "gauge", "Build and layout of the running service (always 1).");
	SERIES_KEY(tb, "sensor_build_info", "version", SENSOR_VERSION);
	TB_LIT(tb, ",shm_layout=\"");
	tb_u64(tb, view->hdr.pre.version);
	TB_LIT(tb, "\"} 1\n");

	render_textfile(tb, seg);
}

void render_metrics(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns)
{
	struct textbuf tb;
	tb_begin(&tb, out, 0);
	render_metrics_text(&tb, seg, now_mono_ns);
	tb_end(&tb);
}

bool worker_healthy(const struct shm_segment *seg, int64_t now_mono_ns, char *why, size_t whylen)
{
	struct child_snapshot w;
	lastgood_begin(seg, now_mono_ns);
	read_child(seg, SHM_CHILD_WORKER, &w);
	double timeout_s = shm_view_of(seg)->hdr.heartbeat_timeout_ms / 1000.0;

	if (w.state == SHM_CHILD_UNKNOWN) {
		/* no state to go by: the heartbeat of a live pid decides */
		double age = heartbeat_age_s(&w, now_mono_ns);
		int32_t pid = LOAD(&seg->children[SHM_CHILD_WORKER].pid);
		if (pid > 0 && age <= timeout_s) {
			why[0] = '\0';
			return true;
		}
		snprintf(why, whylen, "worker state unknown and its heartbeat stale");
		return false;
	}
	if (w.state != SHM_CHILD_RUNNING) {
		if (w.last_exit_reason == SHM_EXIT_NONE)
			snprintf(why, whylen, "worker not running");
		else
			snprintf(why, whylen, "worker down (last exit: %s %d), restart pending",
				 shm_exit_reason_label(w.last_exit_reason), (int)w.last_exit_detail);
		return false;
	}
	if (w.heartbeat_monotonic_ns < w.started_monotonic_ns || w.heartbeat_monotonic_ns <= 0) {
		/* running but not reported yet: healthy only during its first timeout */
		/* in double: the start time is the segment's, and any int64 may be there */
		if (((double)now_mono_ns - (double)w.started_monotonic_ns) / 1e9 <= timeout_s) {
			why[0] = '\0';
			return true;
		}
		snprintf(why, whylen, "worker has not reported since it started");
		return false;
	}
	double age = heartbeat_age_s(&w, now_mono_ns);
	if (age > timeout_s) {
		snprintf(why, whylen, "worker heartbeat stale (%.1f s > %.1f s)", age, timeout_s);
		return false;
	}
	why[0] = '\0';
	return true;
}

int render_health(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns)
{
	char why[160], num[32];
	bool ok = worker_healthy(seg, now_mono_ns, why, sizeof why);
	struct child_snapshot kids[SHM_CHILD_COUNT];
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++)
		read_child(seg, c, &kids[c]);

	evbuffer_add_printf(out, "{\"status\":\"%s\",\"reason\":", ok ? "ok" : "unavailable");
	render_json_string(out, why);
	evbuffer_add_printf(out, ",\"uptime_seconds\":%.3f,\"version\":\"%s\"",
			    (double)(now_mono_ns - shm_view_of(seg)->hdr.created_monotonic_ns) / 1e9, SENSOR_VERSION);
	for (unsigned c = 0; c < SHM_CHILD_COUNT; c++) {
		const struct child_snapshot *k = &kids[c];
		double age = heartbeat_age_s(k, now_mono_ns);
		evbuffer_add_printf(out,
				    ",\"%s\":{\"up\":%s,\"pid\":%d,\"heartbeat_age_seconds\":%s,\"restarts\":%" PRIu64
				    ",\"last_exit\":\"%s\",\"last_exit_detail\":%d}",
				    shm_child_name(c), k->state == SHM_CHILD_RUNNING ? "true" : "false",
				    k->state == SHM_CHILD_RUNNING ? (int)k->pid : 0, json_double(age, num, sizeof num),
				    k->restarts, shm_exit_reason_label(k->last_exit_reason), (int)k->last_exit_detail);
	}
	evbuffer_add_printf(out, ",\"readings_total\":%" PRIu64 ",\"readings_dropped_total\":%" PRIu64 "}\n",
			    LOAD(&seg->worker.readings), LOAD(&seg->worker.readings_dropped));
	return ok ? 200 : 503;
}

void render_debug(struct evbuffer *out, const struct shm_segment *seg, int64_t now_mono_ns, unsigned max_readings)
{
	struct reading recent[256];
	char num[32];
	if (max_readings > sizeof recent / sizeof recent[0])
		max_readings = sizeof recent / sizeof recent[0];
	const struct shm_view *v = shm_view_of(seg);
	const struct shm_header *h = &v->hdr; /* the copy this process uses */
	uint32_t nch = shm_view_channels(v);  /* with the late channels, bounded */
	struct shm_channel_desc scratch;
	lastgood_begin(seg, now_mono_ns);

	evbuffer_add_printf(
		out,
		"{\"header\":{\"magic\":\"0x%016" PRIx64 "\",\"version\":%u,\"header_size\":%u,"
		"\"total_size\":%" PRIu64 ",\"owner_pid\":%d,\"created_unix_seconds\":%.3f,"
		"\"age_seconds\":%.3f,\"ring_capacity\":%u,\"channel_count\":%u,\"heartbeat_timeout_ms\":%u}",
		h->pre.magic, h->pre.version, h->pre.header_size, h->pre.total_size, (int)h->pre.owner_pid,
		(double)h->created_realtime_ns / 1e9, (double)(now_mono_ns - h->created_monotonic_ns) / 1e9,
		h->ring_capacity, h->channel_count, h->heartbeat_timeout_ms);
	evbuffer_add_printf(
		out,
		",\"ring\":{\"head\":%" PRIu64 ",\"tail\":%" PRIu64 ",\"depth\":%" PRIu64 ",\"dropped\":%" PRIu64 "}",
		LOAD(&seg->ring.head), LOAD(&seg->ring.tail), ring_depth(seg), LOAD(&seg->worker.readings_dropped));

	evbuffer_add_printf(out, ",\"channels\":[");
	bool first = true;
	for (uint32_t i = 0; i < nch; i++) {
		const struct shm_channel *ch = &seg->channels[i];
		const struct shm_channel_desc *desc = shm_view_chan(v, i, &scratch);
		struct channel_stats st;
		if (!desc)
			continue; /* a late slot that does not validate */
		evbuffer_add_printf(out, "%s{\"name\":", first ? "" : ",");
		first = false;
		render_json_string(out, desc->name);
		evbuffer_add_printf(out, ",\"unit\":");
		render_json_string(out, desc->unit);
		evbuffer_add_printf(out, ",\"last\":%s,\"readings\":%" PRIu64,
				    json_double(shm_bits_to_double(LOAD(&ch->last_value_bits)), num, sizeof num),
				    LOAD(&ch->readings));
		if (stats_of(seg, i, &st)) {
			char a[32], b[32], c[32], d[32];
			evbuffer_add_printf(out, ",\"window\":{\"min\":%s,\"max\":%s,\"mean\":%s,\"p95\":%s}",
					    json_double(st.min, a, sizeof a), json_double(st.max, b, sizeof b),
					    json_double(st.mean, c, sizeof c), json_double(st.p95, d, sizeof d));
		}
		evbuffer_add_printf(out, "}");
	}

	size_t n = ring_peek_recent(seg, recent, max_readings);
	evbuffer_add_printf(out, "],\"recent\":[");
	for (size_t i = 0; i < n; i++) {
		uint32_t c = recent[i].channel;
		evbuffer_add_printf(out, "%s{\"index\":%" PRIu64 ",\"time\":%.3f,\"channel\":", i ? "," : "",
				    recent[i].index, (double)recent[i].timestamp_ns / 1e9);
		const struct shm_channel_desc *d = shm_view_chan(v, c, &scratch);
		render_json_string(out, d ? d->name : "?");
		evbuffer_add_printf(out, ",\"value\":%s}", json_double(recent[i].value, num, sizeof num));
	}
	evbuffer_add_printf(out, "]}\n");
}
