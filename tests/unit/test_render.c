/*
 * test_render.c - the exporter's response bodies for a known segment
 * state and a fixed clock: the exact /metrics text, the health verdicts
 * and their reasons, the /debug JSON, and the escaping helpers; and that
 * they render from the process's copy of the structure, whatever a stray
 * write did to the live one (and the supervisor's repair of it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FIXTURE_WITH_EVBUFFER
#include "../../common/config.h"
#include "../../common/promtext.h"
#include "../../exporter/pagepool.h"
#include "../../exporter/render.h"
#include "../../exporter/requests.h"
#include "../../exporter/routes.h"
#include "../../exporter/textbuf.h"
#include "../../shm/metrics.h"
#include "../../shm/ring.h"
#include "../../shm/seqlock.h"
#include "../../shm/view.h"
#include "../../worker/source.h"
#include "fixture.h"

#define S(x) ((int64_t)(x)*1000000000)
#define MS(x) ((int64_t)(x)*1000000)

static const int64_t CREATED = S(1000);
static const int64_t NOW = S(1090) + MS(500); /* 90.5 s after creation */

/* ---- a tiny strict JSON checker (RFC 8259 grammar, no NaN/Inf) ---- */

struct json {
	const char *p;
	int depth;
};

static bool json_value(struct json *j);

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool json_string(struct json *j)
{
	if (*j->p != '"')
		return false;
	j->p++;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c == '\0' || c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				j->p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *j->p) || *j->p == '\0')
				return false;
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	const char *p = j->p;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	j->p = p;
	return true;
}

static bool json_container(struct json *j, char close)
{
	if (++j->depth > 64)
		return false;
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (close == '}') {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return false;
		j->depth--;
		return true;
	}
}

static bool json_value(struct json *j)
{
	json_ws(j);
	switch (*j->p) {
	case '{': return json_container(j, '}');
	case '[': return json_container(j, ']');
	case '"': return json_string(j);
	case 't': return strncmp(j->p, "true", 4) == 0 ? (j->p += 4, true) : false;
	case 'f': return strncmp(j->p, "false", 5) == 0 ? (j->p += 5, true) : false;
	case 'n': return strncmp(j->p, "null", 4) == 0 ? (j->p += 4, true) : false;
	default: return json_number(j);
	}
}

/* One JSON object, then only whitespace. */
static bool json_valid_object(const char *s)
{
	struct json j = { s, 0 };
	json_ws(&j);
	if (*j.p != '{' || !json_value(&j))
		return false;
	json_ws(&j);
	return *j.p == '\0';
}

static void test_json_checker_itself(void **state)
{
	(void)state;
	assert_true(json_valid_object("{}"));
	assert_true(json_valid_object("{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n\"],\"b\":{}}\n"));
	assert_false(json_valid_object("{\"a\":NaN}"));
	assert_false(json_valid_object("{\"a\":+Inf}"));
	assert_false(json_valid_object("{\"a\":1,}"));
	assert_false(json_valid_object("{\"a\":01}"));
	assert_false(json_valid_object("{\"a\":\"\n\"}"));
	assert_false(json_valid_object("{\"a\":1"));
	assert_false(json_valid_object("{\"a\":1}}"));
	assert_false(json_valid_object("{a:1}"));
	assert_false(json_valid_object("[1]"));
}

/* ---- the known state ---- */

/* Count `n` answers of `status` to a request for `path`, as the exporter does. */
static void count_requests(struct shm_segment *seg, const char *path, int status, unsigned n)
{
	struct route r = route_request(path, true, true, true);
	for (unsigned i = 0; i < n; i++)
		requests_count(seg, r.path, status);
}

static struct shm_segment *known_segment(void)
{
	struct shm_segment *seg = fixture_segment(16, 3);
	assert_non_null(seg);
	seg->hdr.pre.owner_pid = 4000;
	seg->hdr.created_monotonic_ns = CREATED;
	seg->hdr.created_realtime_ns = S(1700000000) + MS(250);
	seg->hdr.heartbeat_timeout_ms = 5000;

	/* the built-in set (temperature, humidity, vibration), described by
	 * the supervisor's own code */
	struct config cfg;
	config_defaults(&cfg);
	cfg.channels = 3;
	source_describe_channels(seg, &cfg);
	const double last[] = { 21.5, 45.25, -0.125 };
	for (unsigned i = 0; i < 3; i++) {
		atomic_store(&seg->channels[i].last_value_bits, shm_double_to_bits(last[i]));
		atomic_store(&seg->channels[i].readings, 3);
	}
	fixture_seal(seg);
	struct channel_stats t = { .min = 20, .max = 23.5, .mean = 21.75, .p95 = 23.25, .dominant_hz = 0 };
	struct channel_stats v = { .min = -0.5, .max = 0.5, .mean = 0.0625, .p95 = 0.4375, .dominant_hz = 1.3 };
	channel_stats_publish(&seg->channels[0], &t);
	channel_stats_publish(&seg->channels[2], &v); /* humidity: not computed yet */

	/* 6 readings consumed, 3 pending */
	for (uint64_t i = 0; i < 9; i++) {
		ring_push(seg, (uint32_t)(i % 3), S(1700000001) + (int64_t)i * MS(100), 0.5 * (double)i);
		if (i == 5)
			ring_consume_all(seg);
	}
	atomic_store(&seg->worker.loop_iterations, 3);
	atomic_store(&seg->worker.readings, 9);
	atomic_store(&seg->worker.readings_dropped, 2);
	atomic_store(&seg->worker.processing_runs, 1);
	histogram_observe(&seg->worker.cpu_spike, 0.003);
	histogram_observe(&seg->worker.cpu_spike, 0.3);
	histogram_observe(&seg->worker.cpu_spike, 0.0001);

	count_requests(seg, "/", 200, 5);
	count_requests(seg, "/metrics", 200, 7);
	count_requests(seg, "/metrics", 405, 1);
	count_requests(seg, "/debug", 403, 2);
	count_requests(seg, "/nowhere", 404, 3);

	atomic_store(&seg->supervisor.pid, 4000);
	atomic_store(&seg->supervisor.rss_bytes, 3145728);
	atomic_store(&seg->supervisor.cgroup_memory_limit_bytes, 50331648);

	struct shm_child *w = &seg->children[SHM_CHILD_WORKER];
	child_publish(w, SHM_CHILD_RUNNING, 4242, SHM_EXIT_SIGNAL, 9, CREATED + S(10));
	atomic_store(&w->restarts, 2);
	atomic_store(&w->exits_by_reason[SHM_EXIT_SIGNAL], 1);
	atomic_store(&w->exits_by_reason[SHM_EXIT_HANG], 1);
	atomic_store(&w->heartbeat_monotonic_ns, NOW - MS(1500));
	atomic_store(&w->rss_bytes, 2097152);
	atomic_store(&w->memory_limit_bytes, 67108864);

	struct shm_child *e = &seg->children[SHM_CHILD_EXPORTER];
	child_publish(e, SHM_CHILD_BACKOFF, 4243, SHM_EXIT_CODE, 1, CREATED + S(1));
	atomic_store(&e->restarts, 1);
	atomic_store(&e->exits_by_reason[SHM_EXIT_CODE], 1);
	atomic_store(&e->heartbeat_monotonic_ns, NOW - MS(250));
	atomic_store(&e->rss_bytes, 1048576);
	return seg;
}

static int setup_known(void **state)
{
	*state = known_segment();
	return 0;
}

static int teardown_seg(void **state)
{
	fixture_free(*state);
	return 0;
}

static char *metrics_text(const struct shm_segment *seg, int64_t now)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_metrics(b, seg, now);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static char *health_text(const struct shm_segment *seg, int64_t now, int *status)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	*status = render_health(b, seg, now);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static char *debug_text(const struct shm_segment *seg, int64_t now, unsigned max)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_debug(b, seg, now, max);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const char expected_metrics[] =
	"# HELP sensor_cpu_spike_seconds CPU time of each of the worker's CPU-heavy processing steps.\n"
	"# TYPE sensor_cpu_spike_seconds histogram\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.0005\"} 1\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.001\"} 1\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.0025\"} 1\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.005\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.01\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.025\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.05\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.1\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.25\"} 2\n"
	"sensor_cpu_spike_seconds_bucket{le=\"0.5\"} 3\n"
	"sensor_cpu_spike_seconds_bucket{le=\"1\"} 3\n"
	"sensor_cpu_spike_seconds_bucket{le=\"2.5\"} 3\n"
	"sensor_cpu_spike_seconds_bucket{le=\"5\"} 3\n"
	"sensor_cpu_spike_seconds_bucket{le=\"10\"} 3\n"
	"sensor_cpu_spike_seconds_bucket{le=\"+Inf\"} 3\n"
	"sensor_cpu_spike_seconds_sum 0.3031\n"
	"sensor_cpu_spike_seconds_count 3\n"
	"# HELP sensor_queue_depth Readings in the ring waiting for the processing step.\n"
	"# TYPE sensor_queue_depth gauge\n"
	"sensor_queue_depth 3\n"
	"# HELP sensor_queue_capacity Readings the ring holds before the oldest is dropped.\n"
	"# TYPE sensor_queue_capacity gauge\n"
	"sensor_queue_capacity 16\n"
	"# HELP sensor_loop_iterations_total Iterations of the worker's sampling loop.\n"
	"# TYPE sensor_loop_iterations_total counter\n"
	"sensor_loop_iterations_total 3\n"
	"# HELP sensor_readings_total Sensor readings written into the ring.\n"
	"# TYPE sensor_readings_total counter\n"
	"sensor_readings_total 9\n"
	"# HELP sensor_readings_dropped_total Readings overwritten in the ring before the processing step consumed them.\n"
	"# TYPE sensor_readings_dropped_total counter\n"
	"sensor_readings_dropped_total 2\n"
	"# HELP sensor_processing_runs_total Runs of the worker's processing step.\n"
	"# TYPE sensor_processing_runs_total counter\n"
	"sensor_processing_runs_total 1\n"
	"# HELP sensor_reader_threads Threads of the worker's pool that read sensors.\n"
	"# TYPE sensor_reader_threads gauge\n"
	"sensor_reader_threads 0\n"
	"# HELP sensor_reader_threads_busy Reader threads in a read.\n"
	"# TYPE sensor_reader_threads_busy gauge\n"
	"sensor_reader_threads_busy 0\n"
	"# HELP sensor_reader_threads_held Reader threads in a read longer than tick-budget-ms (a slow or stuck bus); one is "
	"started in place of each, up to reader-threads-max.\n"
	"# TYPE sensor_reader_threads_held gauge\n"
	"sensor_reader_threads_held 0\n"
	"# HELP sensor_reader_reads_waiting Sensor reads waiting for a free reader thread.\n"
	"# TYPE sensor_reader_reads_waiting gauge\n"
	"sensor_reader_reads_waiting 0\n"
	"# HELP sensor_reader_thread_start_failures_total Reader threads the worker could not start (a task limit "
	"reached).\n"
	"# TYPE sensor_reader_thread_start_failures_total counter\n"
	"sensor_reader_thread_start_failures_total 0\n"
	"# HELP sensor_requests_total HTTP requests answered by the exporter.\n"
	"# TYPE sensor_requests_total counter\n"
	"sensor_requests_total{path=\"/\",code=\"200\"} 5\n"
	"sensor_requests_total{path=\"/metrics\",code=\"200\"} 7\n"
	"sensor_requests_total{path=\"/metrics\",code=\"405\"} 1\n"
	"sensor_requests_total{path=\"/debug\",code=\"200\"} 0\n"
	"sensor_requests_total{path=\"/debug\",code=\"403\"} 2\n"
	"sensor_requests_total{path=\"/dashboard\",code=\"200\"} 0\n"
	"sensor_requests_total{path=\"other\",code=\"404\"} 3\n"
	"# HELP sensor_child_restarts_total Restarts of each child by the supervisor.\n"
	"# TYPE sensor_child_restarts_total counter\n"
	"sensor_child_restarts_total{child=\"worker\"} 2\n"
	"sensor_child_restarts_total{child=\"exporter\"} 1\n"
	"# HELP sensor_child_exits_total Ends of each child by reason (exit, signal, hang: killed for a stale heartbeat).\n"
	"# TYPE sensor_child_exits_total counter\n"
	"sensor_child_exits_total{child=\"worker\",reason=\"exit\"} 0\n"
	"sensor_child_exits_total{child=\"worker\",reason=\"signal\"} 1\n"
	"sensor_child_exits_total{child=\"worker\",reason=\"hang\"} 1\n"
	"sensor_child_exits_total{child=\"exporter\",reason=\"exit\"} 1\n"
	"sensor_child_exits_total{child=\"exporter\",reason=\"signal\"} 0\n"
	"sensor_child_exits_total{child=\"exporter\",reason=\"hang\"} 0\n"
	"# HELP sensor_child_up 1 while the child runs, 0 while it is down or backing off.\n"
	"# TYPE sensor_child_up gauge\n"
	"sensor_child_up{child=\"worker\"} 1\n"
	"sensor_child_up{child=\"exporter\"} 0\n"
	"# HELP sensor_process_resident_memory_bytes Resident set size of each process, sampled by the supervisor.\n"
	"# TYPE sensor_process_resident_memory_bytes gauge\n"
	"sensor_process_resident_memory_bytes{process=\"supervisor\"} 3145728\n"
	"sensor_process_resident_memory_bytes{process=\"worker\"} 2097152\n"
	"sensor_process_resident_memory_bytes{process=\"exporter\"} 1048576\n"
	"# HELP sensor_process_memory_limit_bytes Memory cap of each child (0: none).\n"
	"# TYPE sensor_process_memory_limit_bytes gauge\n"
	"sensor_process_memory_limit_bytes{process=\"worker\"} 67108864\n"
	"sensor_process_memory_limit_bytes{process=\"exporter\"} 0\n"
	"# HELP sensor_cgroup_memory_limit_bytes Memory limit of the cgroup the service runs in, which the caps are fitted into (0: none).\n"
	"# TYPE sensor_cgroup_memory_limit_bytes gauge\n"
	"sensor_cgroup_memory_limit_bytes 50331648\n"
	"# HELP sensor_worker_heartbeat_age_seconds Seconds since the worker last reported (NaN before its first report).\n"
	"# TYPE sensor_worker_heartbeat_age_seconds gauge\n"
	"sensor_worker_heartbeat_age_seconds 1.5\n"
	"# HELP sensor_uptime_seconds Seconds since the supervisor created the segment.\n"
	"# TYPE sensor_uptime_seconds gauge\n"
	"sensor_uptime_seconds 90.5\n"
	"# HELP sensor_shm_repairs_total Structural fields of the shared segment found damaged and rewritten by the "
	"supervisor.\n"
	"# TYPE sensor_shm_repairs_total counter\n"
	"sensor_shm_repairs_total 0\n"
	"# HELP sensor_value Last reading of each channel.\n"
	"# TYPE sensor_value gauge\n"
	"sensor_value{channel=\"temperature\",unit=\"celsius\"} 21.5\n"
	"sensor_value{channel=\"humidity\",unit=\"percent\"} 45.25\n"
	"sensor_value{channel=\"vibration\",unit=\"g\"} -0.125\n"
	"# HELP sensor_channel_readings_total Readings taken per channel.\n"
	"# TYPE sensor_channel_readings_total counter\n"
	"sensor_channel_readings_total{channel=\"temperature\"} 3\n"
	"sensor_channel_readings_total{channel=\"humidity\"} 3\n"
	"sensor_channel_readings_total{channel=\"vibration\"} 3\n"
	"# HELP sensor_window_value Statistics of each channel over the last processing window (stat = min, max, mean, p95).\n"
	"# TYPE sensor_window_value gauge\n"
	"sensor_window_value{channel=\"temperature\",stat=\"min\"} 20\n"
	"sensor_window_value{channel=\"temperature\",stat=\"max\"} 23.5\n"
	"sensor_window_value{channel=\"temperature\",stat=\"mean\"} 21.75\n"
	"sensor_window_value{channel=\"temperature\",stat=\"p95\"} 23.25\n"
	"sensor_window_value{channel=\"vibration\",stat=\"min\"} -0.5\n"
	"sensor_window_value{channel=\"vibration\",stat=\"max\"} 0.5\n"
	"sensor_window_value{channel=\"vibration\",stat=\"mean\"} 0.0625\n"
	"sensor_window_value{channel=\"vibration\",stat=\"p95\"} 0.4375\n"
	"# HELP sensor_vibration_dominant_frequency_hertz Strongest frequency in the last window of each vibration channel.\n"
	"# TYPE sensor_vibration_dominant_frequency_hertz gauge\n"
	"sensor_vibration_dominant_frequency_hertz{channel=\"vibration\"} 1.3\n"
	"# HELP sensor_shm_copy_age_seconds Age of the oldest last good copy served for a record its writer kept busy (0: all read whole).\n"
	"# TYPE sensor_shm_copy_age_seconds gauge\n"
	"sensor_shm_copy_age_seconds{record=\"cpu_spike\"} 0\n"
	"sensor_shm_copy_age_seconds{record=\"window\"} 0\n"
	"sensor_shm_copy_age_seconds{record=\"child\"} 0\n"
	"# HELP sensor_build_info Build and layout of the running service (always 1).\n"
	"# TYPE sensor_build_info gauge\n"
	"sensor_build_info{version=\"" SENSOR_VERSION "\",shm_layout=\"7\"} 1\n";

static void test_metrics_exact_text(void **state)
{
	char *text = metrics_text(*state, NOW);
	assert_string_equal(text, expected_metrics);
	free(text);
}

static void test_metrics_is_pure(void **state)
{
	/* rendering twice gives the same bytes and changes nothing */
	char *a = metrics_text(*state, NOW);
	char *b = metrics_text(*state, NOW);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_metrics_fresh_segment(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	seg->hdr.created_monotonic_ns = CREATED;
	snprintf(seg->channels[0].name, sizeof seg->channels[0].name, "temperature");
	snprintf(seg->channels[0].unit, sizeof seg->channels[0].unit, "celsius");
	fixture_seal(seg);
	char *text = metrics_text(seg, CREATED + MS(250));

	assert_non_null(strstr(text, "sensor_cpu_spike_seconds_bucket{le=\"+Inf\"} 0\n"
				     "sensor_cpu_spike_seconds_sum 0\n"
				     "sensor_cpu_spike_seconds_count 0\n"));
	/* never reported: NaN, not 0 and not a huge age */
	assert_non_null(strstr(text, "\nsensor_worker_heartbeat_age_seconds NaN\n"));
	assert_non_null(strstr(text, "\nsensor_uptime_seconds 0.25\n"));
	assert_non_null(strstr(text, "\nsensor_child_up{child=\"worker\"} 0\n"));
	assert_non_null(strstr(text, "\nsensor_queue_depth 0\n"));
	/* the main request series exist from the start, the others do not */
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/\",code=\"200\"} 0\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/metrics\",code=\"200\"} 0\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/debug\",code=\"200\"} 0\n"));
	assert_non_null(strstr(text, "\nsensor_requests_total{path=\"/dashboard\",code=\"200\"} 0\n"));
	assert_null(strstr(text, "path=\"other\""));
	assert_null(strstr(text, "code=\"404\""));
	/* no window statistics yet: the families are there, without samples */
	assert_non_null(strstr(text, "# TYPE sensor_window_value gauge\n"
				     "# HELP sensor_vibration_dominant_frequency_hertz"));
	assert_non_null(strstr(text, "# TYPE sensor_vibration_dominant_frequency_hertz gauge\n"
				     "# HELP sensor_shm_copy_age_seconds"));
	assert_non_null(strstr(text, "\nsensor_value{channel=\"temperature\",unit=\"celsius\"} 0\n"));
	free(text);
	fixture_free(seg);
}

static void test_metrics_skip_torn_histogram(void **state)
{
	struct shm_segment *seg = *state;
	atomic_fetch_add(&seg->worker.cpu_spike.seq, 1); /* worker died mid-observe */
	char *text = metrics_text(seg, NOW);
	assert_non_null(strstr(text, "# TYPE sensor_cpu_spike_seconds histogram\n"
				     "# HELP sensor_queue_depth "));
	assert_null(strstr(text, "sensor_cpu_spike_seconds_bucket"));
	assert_null(strstr(text, "sensor_cpu_spike_seconds_count"));
	/* everything else is still there */
	assert_non_null(strstr(text, "\nsensor_readings_total 9\n"));
	free(text);
}

static void test_metrics_skip_torn_channel_stats(void **state)
{
	struct shm_segment *seg = *state;
	atomic_fetch_add(&seg->channels[0].stats_seq, 1);
	char *text = metrics_text(seg, NOW);
	assert_null(strstr(text, "sensor_window_value{channel=\"temperature\""));
	assert_non_null(strstr(text, "sensor_window_value{channel=\"vibration\",stat=\"min\"} -0.5\n"));
	free(text);
}

/* A record its writer keeps busy is served from the last whole copy while
 * that is younger than copy_max_age_ms (6 s here), its age a gauge; then
 * dropped. */
static void test_metrics_serve_last_good_copy_while_fresh(void **state)
{
	struct shm_segment *seg = *state;
	char *text = metrics_text(seg, NOW);
	assert_non_null(strstr(text, "\nsensor_cpu_spike_seconds_count 3\n"));
	free(text);

	atomic_fetch_add(&seg->worker.cpu_spike.seq, 1); /* busy, or its writer died in it */
	atomic_fetch_add(&seg->channels[0].stats_seq, 1);
	atomic_fetch_add(&seg->children[SHM_CHILD_WORKER].seq, 1);
	text = metrics_text(seg, NOW + S(2));
	assert_non_null(strstr(text, "\nsensor_cpu_spike_seconds_count 3\n"));
	assert_non_null(strstr(text, "\nsensor_window_value{channel=\"temperature\",stat=\"min\"}"));
	assert_non_null(strstr(text, "\nsensor_child_up{child=\"worker\"} 1\n"));
	assert_non_null(strstr(text, "\nsensor_shm_copy_age_seconds{record=\"cpu_spike\"} 2\n"));
	assert_non_null(strstr(text, "\nsensor_shm_copy_age_seconds{record=\"window\"} 2\n"));
	assert_non_null(strstr(text, "\nsensor_shm_copy_age_seconds{record=\"child\"} 2\n"));
	free(text);

	text = metrics_text(seg, NOW + S(7));
	assert_null(strstr(text, "sensor_cpu_spike_seconds_count"));
	assert_null(strstr(text, "sensor_window_value{channel=\"temperature\""));
	assert_non_null(strstr(text, "sensor_window_value{channel=\"vibration\",stat=\"min\"} -0.5\n"));
	assert_non_null(strstr(text, "\nsensor_child_up{child=\"worker\"} 0\n"));
	assert_non_null(strstr(text, "\nsensor_shm_copy_age_seconds{record=\"cpu_spike\"} 0\n"));
	free(text);
}

static void test_metrics_escapes_label_values(void **state)
{
	struct shm_segment *seg = *state;
	snprintf(seg->channels[1].name, sizeof seg->channels[1].name, "hum\"id\\ity\nx");
	fixture_seal(seg);
	char *text = metrics_text(seg, NOW);
	assert_non_null(strstr(text, "\nsensor_value{channel=\"hum\\\"id\\\\ity\\nx\",unit=\"percent\"} 45.25\n"));
	assert_non_null(strstr(text, "\nsensor_channel_readings_total{channel=\"hum\\\"id\\\\ity\\nx\"} 3\n"));
	free(text);
}

/* The page written into a pagepool block that starts far too small (so
 * it grows many times), an escaped name included, is the evbuffer's text
 * byte for byte. */
static void test_metrics_into_a_page_same_text(void **state)
{
	struct shm_segment *seg = *state;
	snprintf(seg->channels[1].name, sizeof seg->channels[1].name, "hum\"id\\ity\nx");
	fixture_seal(seg);
	char *want = metrics_text(seg, NOW);
	struct pagepool pool = { 0 };
	struct page *pg = pagepool_get(&pool, 16);
	assert_non_null(pg);
	struct textbuf tb;
	tb_begin_page(&tb, pg);
	render_metrics_text(&tb, seg, NOW);
	size_t len = tb_end(&tb);
	assert_false(tb.failed);
	assert_true(tb.page->cap >= len);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(tb.page->data, want, len);
	pagepool_put(tb.page);
	pagepool_clear(&pool);
	free(want);
}

/* A label value through the textbuf, checked eight bytes at a time for
 * what needs escaping: every special character at every position of the
 * words and of the tail is found, high bytes that differ from one only in
 * their top bit are not taken for it, and the text is the escaper's. */
static void test_label_value_escaped_at_every_position(void **state)
{
	(void)state;
	const char specials[] = { '\\', '"', '\n', (char)('"' | 0x80), (char)('\n' | 0x80), 'a' };
	for (size_t len = 1; len <= 19; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof specials; k++) {
				char in[32], want[80];
				memset(in, 'x', len);
				in[at] = specials[k];
				size_t n = prom_escape_label_value(want, sizeof want, in, len);
				struct pagepool pool = { 0 };
				struct textbuf tb;
				tb_begin_page(&tb, pagepool_get(&pool, 8));
				tb_label_value(&tb, in, len);
				size_t got = tb_end(&tb);
				assert_int_equal(got, n);
				assert_memory_equal(tb.page->data, want, n);
				pagepool_put(tb.page);
				pagepool_clear(&pool);
			}
}

static void test_metrics_special_values(void **state)
{
	struct shm_segment *seg = *state;
	atomic_store(&seg->channels[0].last_value_bits, shm_double_to_bits(NAN));
	atomic_store(&seg->channels[1].last_value_bits, shm_double_to_bits(INFINITY));
	atomic_store(&seg->channels[2].last_value_bits, shm_double_to_bits(-INFINITY));
	/* a heartbeat stamped after `now` (clock read earlier) is age 0, not negative */
	atomic_store(&seg->children[SHM_CHILD_WORKER].heartbeat_monotonic_ns, NOW + MS(5));
	char *text = metrics_text(seg, NOW);
	assert_non_null(strstr(text, "\nsensor_value{channel=\"temperature\",unit=\"celsius\"} NaN\n"));
	assert_non_null(strstr(text, "\nsensor_value{channel=\"humidity\",unit=\"percent\"} +Inf\n"));
	assert_non_null(strstr(text, "\nsensor_value{channel=\"vibration\",unit=\"g\"} -Inf\n"));
	assert_non_null(strstr(text, "\nsensor_worker_heartbeat_age_seconds 0\n"));
	free(text);
}

/* Overwrite one structural field of the live segment (after the copy
 * readers use was taken), as a stray write or a process outside the
 * service could; returns its name, NULL past the last. */
static const char *damage(struct shm_segment *seg, int which)
{
	struct shm_header *h = &seg->hdr;
	switch (which) {
	case 0: h->pre.magic = 0; return "magic";
	case 1: h->pre.version = 99; return "version";
	case 2: h->pre.header_size = 8; return "header_size";
	case 3: h->pre.total_size = UINT64_MAX; return "total_size";
	case 4: h->ring_capacity = 1u << 31; return "ring_capacity";
	case 5: h->ring_capacity = 3; return "ring_capacity (not a power of two)";
	case 6: h->channel_count = SHM_MAX_CHANNELS + 5; return "channel_count";
	case 7: h->ring_offset += UINT64_C(1) << 40; return "ring_offset";
	case 8: h->created_monotonic_ns = INT64_MIN; return "created_monotonic_ns";
	case 9: h->heartbeat_timeout_ms = 0; return "heartbeat_timeout_ms";
	case 10: memset(seg->channels[1].name, 'N', sizeof seg->channels[1].name); return "unterminated name";
	case 11: memset(seg->channels[2].unit, 'U', sizeof seg->channels[2].unit); return "unterminated unit";
	case 12: memset(seg->channels[0].labels, 'L', sizeof seg->channels[0].labels); return "unterminated labels";
	case 13: seg->channels[0].source = UINT32_MAX; return "source";
	case 14: seg->channels[2].spectrum = 7; return "spectrum";
	case 15: seg->push.enabled = 1; return "push.enabled";
	default: return NULL;
	}
}

static void test_live_structure_is_not_trusted(void **state)
{
	(void)state;
	for (int which = 0;; which++) {
		struct shm_segment *seg = known_segment();
		char *metrics = metrics_text(seg, NOW);
		char *debug = debug_text(seg, NOW, 64);
		const char *what = damage(seg, which);
		if (!what) {
			free(metrics);
			free(debug);
			fixture_free(seg);
			break;
		}
		/* every reader goes on with the copy: the same text, byte for byte */
		char *m = metrics_text(seg, NOW);
		char *d = debug_text(seg, NOW, 64);
		if (strcmp(m, metrics) != 0 || strcmp(d, debug) != 0)
			fail_msg("damaged %s changed what is rendered", what);
		struct reading r[16];
		assert_int_equal(ring_peek_recent(seg, r, 16), 9);
		assert_int_equal(ring_depth(seg), 3);

		/* and the repair puts the live structure back as it was */
		char names[256];
		assert_int_equal(shm_view_repair(seg, names, sizeof names), 1);
		struct shm_segment *fresh = known_segment();
		assert_memory_equal(&seg->hdr, &fresh->hdr, sizeof seg->hdr);
		for (unsigned i = 0; i < 3; i++) {
			assert_memory_equal(seg->channels[i].name, fresh->channels[i].name, SHM_CHANNEL_NAME_LEN);
			assert_memory_equal(seg->channels[i].unit, fresh->channels[i].unit, SHM_CHANNEL_UNIT_LEN);
			assert_memory_equal(seg->channels[i].labels, fresh->channels[i].labels, SHM_CHANNEL_LABELS_LEN);
			assert_int_equal(seg->channels[i].source, fresh->channels[i].source);
			assert_int_equal(seg->channels[i].spectrum, fresh->channels[i].spectrum);
		}
		assert_int_equal(seg->push.enabled, fresh->push.enabled);
		assert_int_equal(shm_view_repair(seg, names, sizeof names), 0);
		fixture_free(fresh);
		free(m);
		free(d);
		free(metrics);
		free(debug);
		fixture_free(seg);
	}
}

/* Describe late slot i as the worker's hot-plug does (no labels). */
static void late_channel(struct shm_segment *seg, uint32_t i, const char *name, uint32_t source)
{
	snprintf(seg->channels[i].name, sizeof seg->channels[i].name, "%s", name);
	snprintf(seg->channels[i].unit, sizeof seg->channels[i].unit, "celsius");
	seg->channels[i].source = source;
	atomic_store(&seg->channels[i].last_value_bits, shm_double_to_bits(40.5));
}

/* Hot-plug: channels the worker adds after the copy was taken are
 * rendered, bounded and validated; the repair leaves them alone. */
static void test_late_channels(void **state)
{
	(void)state;
	struct shm_segment *seg = known_segment();
	const struct shm_view *v = shm_view_of(seg);
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	/* described but not published yet: not read */
	assert_int_equal(shm_view_channels(v), 3);
	char *m = metrics_text(seg, NOW);
	assert_null(strstr(m, "nvme_composite"));
	free(m);

	atomic_store(&seg->live_channels, 4);
	assert_int_equal(shm_view_channels(v), 4);
	m = metrics_text(seg, NOW);
	assert_non_null(strstr(m, "sensor_value{channel=\"nvme_composite\",unit=\"celsius\"} 40.5\n"));
	assert_non_null(strstr(m, "sensor_channel_info{channel=\"nvme_composite\",source=\"hwmon\"} 1\n"));
	free(m);
	char *d = debug_text(seg, NOW, 64);
	assert_non_null(strstr(d, "\"name\":\"nvme_composite\""));
	free(d);

	/* the worker's strings are untrusted: cut within their field, no raw labels */
	memset(seg->channels[3].name, 'x', sizeof seg->channels[3].name);
	snprintf(seg->channels[3].labels, sizeof seg->channels[3].labels, "a=\"1\"} 1\nevil 2");
	struct shm_channel_desc scratch;
	const struct shm_channel_desc *c = shm_view_chan(v, 3, &scratch);
	assert_non_null(c);
	assert_int_equal(strlen(c->name), SHM_CHANNEL_NAME_LEN - 1);
	assert_string_equal(c->labels, "");
	m = metrics_text(seg, NOW);
	assert_null(strstr(m, "evil"));
	free(m);
	/* an empty name or an unknown source: the slot is skipped */
	seg->channels[3].name[0] = '\0';
	assert_null(shm_view_chan(v, 3, &scratch));
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_COUNT);
	assert_null(shm_view_chan(v, 3, &scratch));
	m = metrics_text(seg, NOW);
	assert_null(strstr(m, "nvme_composite"));
	free(m);
	d = debug_text(seg, NOW, 64);
	assert_null(strstr(d, "nvme_composite"));
	free(d);
	assert_null(shm_view_chan(v, 4, &scratch)); /* beyond what is published */

	/* a count past the segment's slots is ignored, not followed */
	atomic_store(&seg->live_channels, SHM_MAX_CHANNELS + 1);
	assert_int_equal(shm_view_channels(v), 3);

	/* the repair rewrites the initial channels only: the late slot is the worker's */
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	atomic_store(&seg->live_channels, 4);
	char names[128];
	assert_int_equal(shm_view_repair(seg, names, sizeof names), 0);
	assert_string_equal(seg->channels[3].name, "nvme_composite");
	assert_int_equal(atomic_load(&seg->live_channels), 4);
	fixture_free(seg);
}

/* A late slot's strings are the worker's: bytes that are not UTF-8 drop
 * that channel's series (the page stays valid), and a description caught
 * mid-write (its desc_seq odd) is not read until the write ends. */
static void test_late_channel_bad_or_busy_description_drops_only_it(void **state)
{
	(void)state;
	struct shm_segment *seg = known_segment();
	const struct shm_view *v = shm_view_of(seg);
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	atomic_store(&seg->live_channels, 4);
	struct shm_channel_desc scratch;
	assert_non_null(shm_view_chan(v, 3, &scratch));

	const char *bad[] = { "nvme\xff", "\xc3(", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80" };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		late_channel(seg, 3, bad[k], SHM_SOURCE_HWMON);
		assert_null(shm_view_chan(v, 3, &scratch));
		char *m = metrics_text(seg, NOW);
		assert_null(strstr(m, bad[k]));
		assert_non_null(strstr(m, "\nsensor_value{channel=\"temperature\",unit=\"celsius\"} 21.5\n"));
		free(m);
	}
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	snprintf(seg->channels[3].unit, sizeof seg->channels[3].unit, "\xfe");
	assert_null(shm_view_chan(v, 3, &scratch));
	late_channel(seg, 3, "caf\xc3\xa9_\xe2\x82\xac_\xf0\x9f\x8c\xa1", SHM_SOURCE_HWMON); /* UTF-8 is fine */
	assert_non_null(shm_view_chan(v, 3, &scratch));

	atomic_store(&seg->channels[3].desc_seq, 5); /* the worker is rewriting it */
	assert_null(shm_view_chan(v, 3, &scratch));
	char *m = metrics_text(seg, NOW);
	assert_null(strstr(m, "caf"));
	free(m);
	seqlock_write_begin(&seg->channels[3].desc_seq);
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	seqlock_write_end(&seg->channels[3].desc_seq);
	const struct shm_channel_desc *c = shm_view_chan(v, 3, &scratch);
	assert_non_null(c);
	assert_string_equal(c->name, "nvme_composite");
	fixture_free(seg);
}

/* The chip's limits and our thresholds of a channel, byte for byte: NaN
 * entries absent, each family's HELP and TYPE once, the unit as a label. */
static void test_limits_and_thresholds_exact(void **state)
{
	(void)state;
	struct shm_segment *seg = known_segment();
	late_channel(seg, 3, "nvme_composite", SHM_SOURCE_HWMON);
	struct shm_channel *ch = &seg->channels[3];
	for (unsigned l = 0; l < SHM_LIMIT_COUNT; l++)
		atomic_store(&ch->limit_bits[l], shm_double_to_bits(NAN));
	for (unsigned t = 0; t < SHM_THRESHOLD_COUNT; t++)
		atomic_store(&ch->threshold_bits[t], shm_double_to_bits(NAN));
	atomic_store(&ch->limit_bits[SHM_LIMIT_MIN], shm_double_to_bits(-40.15));
	atomic_store(&ch->limit_bits[SHM_LIMIT_CRIT], shm_double_to_bits(84.85));
	atomic_store(&ch->threshold_bits[SHM_WARN_ABOVE], shm_double_to_bits(70));
	atomic_store(&ch->threshold_bits[SHM_CRIT_BELOW], shm_double_to_bits(-5.5));
	atomic_store(&ch->has_thresholds, 1);
	atomic_store(&seg->live_channels, 4);
	char *m = metrics_text(seg, NOW);
	const char *from = strstr(m, "# HELP sensor_limit ");
	assert_non_null(from);
	const char *to = strstr(from, "# HELP sensor_state ");
	assert_non_null(to);
	/* between them: no alarm (none present) and no trip point (hwmon) */
	const char *thr = strstr(from, "# HELP sensor_threshold ");
	assert_non_null(thr);
	static const char want_limits[] =
		"# HELP sensor_limit The chip's own limit of the channel, in its unit "
		"(limit = min, max, lcrit, crit, emergency).\n"
		"# TYPE sensor_limit gauge\n"
		"sensor_limit{channel=\"nvme_composite\",unit=\"celsius\",limit=\"min\"} -40.15\n"
		"sensor_limit{channel=\"nvme_composite\",unit=\"celsius\",limit=\"crit\"} 84.85\n";
	assert_int_equal((size_t)(thr - from), strlen(want_limits));
	assert_memory_equal(from, want_limits, strlen(want_limits));
	static const char want_thr[] =
		"# HELP sensor_threshold The channel's own threshold, in its unit (threshold = warn_above, crit_above, "
		"warn_below, crit_below).\n"
		"# TYPE sensor_threshold gauge\n"
		"sensor_threshold{channel=\"nvme_composite\",unit=\"celsius\",threshold=\"warn_above\"} 70\n"
		"sensor_threshold{channel=\"nvme_composite\",unit=\"celsius\",threshold=\"crit_below\"} -5.5\n";
	assert_int_equal((size_t)(to - thr), strlen(want_thr));
	assert_memory_equal(thr, want_thr, strlen(want_thr));
	free(m);
	fixture_free(seg);
}

static void test_repair_names_the_fields(void **state)
{
	(void)state;
	struct shm_segment *seg = known_segment();
	damage(seg, 7);
	damage(seg, 10);
	char names[256];
	assert_int_equal(shm_view_repair(seg, names, sizeof names), 2);
	assert_string_equal(names, "ring_offset, channel 1 name");
	damage(seg, 7);
	damage(seg, 10);
	char small[12];
	assert_int_equal(shm_view_repair(seg, small, sizeof small), 2);
	assert_string_equal(small, "ring_offset"); /* cut, still terminated */
	fixture_free(seg);
}

static void test_no_view_reads_nothing(void **state)
{
	(void)state;
	/* a segment this process took no copy of: no channel, no ring */
	struct shm_segment *seg = fixture_segment(16, 3);
	ring_push(seg, 0, 0, 1.0);
	shm_view_release(seg);
	seg->hdr.channel_count = SHM_MAX_CHANNELS + 5;
	char *text = metrics_text(seg, 0);
	assert_null(strstr(text, "\nsensor_value{"));
	free(text);
	text = debug_text(seg, 0, 4);
	assert_true(json_valid_object(text));
	assert_null(strstr(text, "{\"name\":"));
	assert_non_null(strstr(text, "\"recent\":[]"));
	free(text);
	ring_push(seg, 0, 0, 1.0); /* dropped: no capacity known */
	assert_int_equal(atomic_load(&seg->ring.head), 1);
	fixture_free(seg);
}

/* ---- health ---- */

static const char expected_health[] =
	"{\"status\":\"ok\",\"reason\":\"\",\"uptime_seconds\":90.500,\"version\":\"" SENSOR_VERSION "\","
	"\"worker\":{\"up\":true,\"pid\":4242,\"heartbeat_age_seconds\":1.5,\"restarts\":2,"
	"\"last_exit\":\"signal\",\"last_exit_detail\":9},"
	"\"exporter\":{\"up\":false,\"pid\":0,\"heartbeat_age_seconds\":0.25,\"restarts\":1,"
	"\"last_exit\":\"exit\",\"last_exit_detail\":1},"
	"\"readings_total\":9,\"readings_dropped_total\":2}\n";

static void test_health_ok_exact(void **state)
{
	int status = 0;
	char *text = health_text(*state, NOW, &status);
	assert_int_equal(status, 200);
	assert_string_equal(text, expected_health);
	assert_true(json_valid_object(text));
	free(text);
}

/* Health of `seg` at `now`: status, and the reason checked in both the
 * JSON body and worker_healthy(). */
static void check_health(const struct shm_segment *seg, int64_t now, int want_status, const char *want_reason)
{
	int status = 0;
	char *text = health_text(seg, now, &status);
	assert_int_equal(status, want_status);
	assert_true(json_valid_object(text));
	char want[256];
	snprintf(want, sizeof want, "{\"status\":\"%s\",\"reason\":\"%s\",", want_status == 200 ? "ok" : "unavailable",
		 want_reason);
	assert_memory_equal(text, want, strlen(want));
	free(text);

	char why[160];
	memset(why, 'x', sizeof why);
	assert_int_equal(worker_healthy(seg, now, why, sizeof why), want_status == 200);
	assert_string_equal(why, want_reason);
}

static void test_health_stale_heartbeat(void **state)
{
	struct shm_segment *seg = *state;
	struct shm_child *w = &seg->children[SHM_CHILD_WORKER];
	atomic_store(&w->heartbeat_monotonic_ns, NOW - S(6));
	check_health(seg, NOW, 503, "worker heartbeat stale (6.0 s > 5.0 s)");
	/* exactly at the timeout is still fresh; a nanosecond more is not */
	atomic_store(&w->heartbeat_monotonic_ns, NOW - S(5));
	check_health(seg, NOW, 200, "");
	check_health(seg, NOW + 1, 503, "worker heartbeat stale (5.0 s > 5.0 s)");
}

/* A state out of range says nothing about the worker: its heartbeat does. */
static void test_health_unknown_state_judged_by_heartbeat(void **state)
{
	struct shm_segment *seg = *state;
	struct shm_child *w = &seg->children[SHM_CHILD_WORKER];
	atomic_store(&w->state, 77);
	check_health(seg, NOW, 200, "");
	atomic_store(&w->heartbeat_monotonic_ns, NOW - S(6));
	check_health(seg, NOW, 503, "worker state unknown and its heartbeat stale");
}

static void test_health_backoff_after_signal(void **state)
{
	struct shm_segment *seg = *state;
	child_publish(&seg->children[SHM_CHILD_WORKER], SHM_CHILD_BACKOFF, 4242, SHM_EXIT_SIGNAL, 9, CREATED + S(10));
	check_health(seg, NOW, 503, "worker down (last exit: signal 9), restart pending");

	int status;
	char *text = health_text(seg, NOW, &status);
	/* a worker that is down shows no pid */
	assert_non_null(strstr(text, "\"worker\":{\"up\":false,\"pid\":0,"));
	free(text);
}

static void test_health_backoff_after_exit_and_hang(void **state)
{
	struct shm_segment *seg = *state;
	child_publish(&seg->children[SHM_CHILD_WORKER], SHM_CHILD_BACKOFF, 4242, SHM_EXIT_CODE, 3, CREATED);
	check_health(seg, NOW, 503, "worker down (last exit: exit 3), restart pending");
	child_publish(&seg->children[SHM_CHILD_WORKER], SHM_CHILD_BACKOFF, 4242, SHM_EXIT_HANG, 0, CREATED);
	check_health(seg, NOW, 503, "worker down (last exit: hang 0), restart pending");
}

static void test_health_never_started(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 3);
	seg->hdr.created_monotonic_ns = CREATED;
	check_health(seg, CREATED + S(1), 503, "worker not running");
	int status;
	char *text = health_text(seg, CREATED + S(1), &status);
	/* no heartbeat yet: null, never NaN in JSON */
	assert_non_null(strstr(text, "\"heartbeat_age_seconds\":null"));
	free(text);
	fixture_free(seg);
}

static void test_health_never_reported(void **state)
{
	struct shm_segment *seg = *state;
	struct shm_child *w = &seg->children[SHM_CHILD_WORKER];
	int64_t started = NOW - S(6);
	child_publish(w, SHM_CHILD_RUNNING, 4300, SHM_EXIT_SIGNAL, 9, started);
	atomic_store(&w->heartbeat_monotonic_ns, 0);
	/* within its first timeout a new worker counts as healthy */
	check_health(seg, started + S(2), 200, "");
	check_health(seg, started + S(5), 200, "");
	/* past it, it is not */
	check_health(seg, NOW, 503, "worker has not reported since it started");

	/* a heartbeat left by the previous worker does not count for the new one */
	atomic_store(&w->heartbeat_monotonic_ns, started - S(1));
	check_health(seg, started + S(1), 200, "");
	check_health(seg, NOW, 503, "worker has not reported since it started");
}

static void test_health_negative_exit_detail(void **state)
{
	struct shm_segment *seg = *state;
	child_publish(&seg->children[SHM_CHILD_WORKER], SHM_CHILD_BACKOFF, 1, SHM_EXIT_CODE, -1, CREATED);
	int status;
	char *text = health_text(seg, NOW, &status);
	assert_int_equal(status, 503);
	assert_true(json_valid_object(text));
	assert_non_null(strstr(text, "\"last_exit\":\"exit\",\"last_exit_detail\":-1"));
	free(text);
}

/* ---- debug ---- */

static void test_debug_json(void **state)
{
	struct shm_segment *seg = *state;
	char *text = debug_text(seg, NOW, 64);
	assert_true(json_valid_object(text));

	char want[512];
	snprintf(want, sizeof want,
		 "{\"header\":{\"magic\":\"0x314d48534e534553\",\"version\":%u,\"header_size\":%zu,"
		 "\"total_size\":%zu,\"owner_pid\":4000,\"created_unix_seconds\":1700000000.250,"
		 "\"age_seconds\":90.500,\"ring_capacity\":16,\"channel_count\":3,\"heartbeat_timeout_ms\":5000},"
		 "\"ring\":{\"head\":9,\"tail\":6,\"depth\":3,\"dropped\":2},\"channels\":[",
		 SHM_LAYOUT_VERSION, sizeof(struct shm_segment), shm_segment_size(16));
	assert_memory_equal(text, want, strlen(want));

	assert_non_null(strstr(text, "{\"name\":\"temperature\",\"unit\":\"celsius\",\"last\":21.5,\"readings\":3,"
				     "\"window\":{\"min\":20,\"max\":23.5,\"mean\":21.75,\"p95\":23.25}}"));
	/* no statistics yet: no window */
	assert_non_null(strstr(text, "{\"name\":\"humidity\",\"unit\":\"percent\",\"last\":45.25,\"readings\":3},"));
	assert_non_null(strstr(
		text, "],\"recent\":[{\"index\":0,\"time\":1700000001.000,\"channel\":\"temperature\","
		      "\"value\":0},{\"index\":1,\"time\":1700000001.100,\"channel\":\"humidity\",\"value\":0.5},"));
	assert_non_null(
		strstr(text, "{\"index\":8,\"time\":1700000001.800,\"channel\":\"vibration\",\"value\":4}]}\n"));
	/* all nine readings, in order */
	const char *p = text;
	for (int i = 0; i < 9; i++) {
		char idx[32];
		snprintf(idx, sizeof idx, "{\"index\":%d,", i);
		p = strstr(p, idx);
		assert_non_null(p);
	}
	assert_null(strstr(p + 1, "{\"index\":"));
	free(text);
}

static void test_debug_limits_readings(void **state)
{
	struct shm_segment *seg = *state;
	char *text = debug_text(seg, NOW, 2);
	assert_true(json_valid_object(text));
	assert_int_equal(count(text, "{\"index\":"), 2);
	assert_non_null(strstr(text, "\"recent\":[{\"index\":7,"));
	free(text);

	text = debug_text(seg, NOW, 0);
	assert_true(json_valid_object(text));
	assert_non_null(strstr(text, "\"recent\":[]}\n"));
	free(text);

	/* a request for more than 256 is cut to 256 */
	struct shm_segment *big = fixture_segment(512, 1);
	assert_non_null(big);
	snprintf(big->channels[0].name, sizeof big->channels[0].name, "t");
	fixture_seal(big);
	for (unsigned i = 0; i < 300; i++)
		ring_push(big, 0, 0, (double)i);
	text = debug_text(big, NOW, 100000);
	assert_true(json_valid_object(text));
	assert_int_equal(count(text, "{\"index\":"), 256);
	assert_non_null(strstr(text, "\"recent\":[{\"index\":44,"));
	free(text);
	fixture_free(big);
}

static void test_debug_non_finite_and_unknown_channel(void **state)
{
	struct shm_segment *seg = *state;
	atomic_store(&seg->channels[0].last_value_bits, shm_double_to_bits(NAN));
	struct channel_stats st = { .min = -INFINITY, .max = INFINITY, .mean = NAN, .p95 = 1, .dominant_hz = 0 };
	channel_stats_publish(&seg->channels[0], &st);
	ring_push(seg, 7, 0, INFINITY); /* a channel this segment does not describe */
	snprintf(seg->channels[1].name, sizeof seg->channels[1].name, "a\"b\\c\td");
	fixture_seal(seg);

	char *text = debug_text(seg, NOW, 64);
	assert_true(json_valid_object(text));
	assert_non_null(strstr(text, "\"last\":null,"));
	assert_non_null(strstr(text, "\"window\":{\"min\":null,\"max\":null,\"mean\":null,\"p95\":1}"));
	assert_non_null(strstr(text, "\"channel\":\"?\",\"value\":null}]}"));
	assert_non_null(strstr(text, "{\"name\":\"a\\\"b\\\\c\\u0009d\","));
	free(text);
}

/* ---- helpers ---- */

static char *label_value(const char *s)
{
	struct evbuffer *b = evbuffer_new();
	struct textbuf tb;
	tb_begin(&tb, b, 0);
	tb_label_value(&tb, s, strlen(s));
	tb_end(&tb);
	char *out = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return out;
}

static char *json_escaped(const char *s)
{
	struct evbuffer *b = evbuffer_new();
	render_json_string(b, s);
	char *out = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return out;
}

static void test_label_value_escaping(void **state)
{
	(void)state;
	const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "a\\b", "a\\\\b" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		{ "two\nlines", "two\\nlines" },
		{ "tab\there", "tab\there" },                 /* only \\, \" and \n are escaped */
		{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" }, /* UTF-8 passes through */
		{ "\\\"\n", "\\\\\\\"\\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = label_value(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_json_string_escaping(void **state)
{
	(void)state;
	const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "nl\n", "\"nl\\u000a\"" },
		{ "\t\r\x01\x1f", "\"\\u0009\\u000d\\u0001\\u001f\"" },
		{ " /~\x7f", "\" /~\x7f\"" },
		{ "\xc3\xa9", "\"\xc3\xa9\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = json_escaped(cases[i].in);
		assert_string_equal(got, cases[i].out);
		char doc[64];
		snprintf(doc, sizeof doc, "{\"k\":%s}", got);
		assert_true(json_valid_object(doc));
		free(got);
	}
}

static void test_render_double(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(render_double(NAN, buf, sizeof buf), "NaN");
	assert_string_equal(render_double(-NAN, buf, sizeof buf), "NaN");
	assert_string_equal(render_double(INFINITY, buf, sizeof buf), "+Inf");
	assert_string_equal(render_double(-INFINITY, buf, sizeof buf), "-Inf");
	assert_string_equal(render_double(0.0, buf, sizeof buf), "0");
	assert_string_equal(render_double(1.0, buf, sizeof buf), "1");
	assert_string_equal(render_double(-0.125, buf, sizeof buf), "-0.125");
	assert_string_equal(render_double(1.0 / 3.0, buf, sizeof buf), "0.3333333333");
	assert_string_equal(render_double(1e21, buf, sizeof buf), "1e+21");
	assert_string_equal(render_double(2.5e-7, buf, sizeof buf), "2.5e-07");
	assert_string_equal(render_double(1234567890.0, buf, sizeof buf), "1234567890");
	/* ten significant digits at most */
	assert_string_equal(render_double(12345678901.0, buf, sizeof buf), "1.23456789e+10");
	/* returns its buffer, and never overruns a short one */
	char small[4];
	assert_ptr_equal(render_double(0.0625, small, sizeof small), small);
	assert_string_equal(small, "0.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker_itself),
		cmocka_unit_test_setup_teardown(test_metrics_exact_text, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_metrics_is_pure, setup_known, teardown_seg),
		cmocka_unit_test(test_metrics_fresh_segment),
		cmocka_unit_test_setup_teardown(test_metrics_skip_torn_histogram, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_metrics_serve_last_good_copy_while_fresh, setup_known,
						teardown_seg),
		cmocka_unit_test_setup_teardown(test_metrics_skip_torn_channel_stats, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_metrics_escapes_label_values, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_metrics_into_a_page_same_text, setup_known, teardown_seg),
		cmocka_unit_test(test_label_value_escaped_at_every_position),
		cmocka_unit_test_setup_teardown(test_metrics_special_values, setup_known, teardown_seg),
		cmocka_unit_test(test_live_structure_is_not_trusted),
		cmocka_unit_test(test_limits_and_thresholds_exact),
		cmocka_unit_test(test_repair_names_the_fields),
		cmocka_unit_test(test_no_view_reads_nothing),
		cmocka_unit_test_setup_teardown(test_health_ok_exact, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_health_stale_heartbeat, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_health_unknown_state_judged_by_heartbeat, setup_known,
						teardown_seg),
		cmocka_unit_test_setup_teardown(test_health_backoff_after_signal, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_health_backoff_after_exit_and_hang, setup_known, teardown_seg),
		cmocka_unit_test(test_health_never_started),
		cmocka_unit_test_setup_teardown(test_health_never_reported, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_health_negative_exit_detail, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_debug_json, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_debug_limits_readings, setup_known, teardown_seg),
		cmocka_unit_test_setup_teardown(test_debug_non_finite_and_unknown_channel, setup_known, teardown_seg),
		cmocka_unit_test(test_late_channels),
		cmocka_unit_test(test_late_channel_bad_or_busy_description_drops_only_it),
		cmocka_unit_test(test_label_value_escaping),
		cmocka_unit_test(test_json_string_escaping),
		cmocka_unit_test(test_render_double),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
