/*
 * test_sampler.c - configured channels from the config to /metrics: the
 * supervisor's description in the segment (unit, constant labels, source),
 * the worker's sampler (readings, per-channel intervals, failures counted
 * by reason with a NaN value, push readings), the processing step's
 * spectrum choice, and the families render_metrics adds for them, which
 * the built-in simulated set never shows; a read that blocks (a FIFO
 * without a writer) is given up as a timeout without holding the tick.
 *
 * The tick budget is long here, so that a tick waits for every read that
 * returns: what a tick records does not depend on the machine's speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define FIXTURE_WITH_EVBUFFER
#include "../../common/config.h"
#include "../../exporter/render.h"
#include "../../shm/metrics.h"
#include "../../shm/seqlock.h"
#include "../../supervisor/pushsock.h"
#include "../../worker/discovery.h"
#include "../../worker/processing.h"
#include "../../worker/reader.h"
#include "../../worker/sampler.h"
#include "../../worker/source.h"
#include "fixture.h"

#define FIXTURE "tests/fixtures/sysfs"
#define MS INT64_C(1000000)

static struct config cfg;
static char root[64], sock[128];
static struct shm_segment *seg;
static struct pushsock push;
static const int no_push[PUSH_FD_COUNT] = { -1, -1 }; /* configs without push */

static int setup(void **state)
{
	(void)state;
	char cmd[256], err[256];
	snprintf(root, sizeof root, "/tmp/sensor-test-sampler-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", FIXTURE, root);
	if (system(cmd) != 0)
		return -1;
	snprintf(sock, sizeof sock, "%s/push.sock", root);
	char text[1024];
	snprintf(
		text, sizeof text,
		"[worker]\nsample-interval-ms=100\npush-socket=%s\nsysfs-root=%s\n"
		"read-timeout-ms=60000\ntick-budget-ms=60000\n[supervisor]\nheartbeat-timeout-ms=600000\n"
		"[channel cpu]\nsource=hwmon\nchip=coretemp\nlabel=Package id 0\nlabels=room=lab,note=a\"b\n"
		"[channel w1]\nsource=file\npath=/sys/bus/w1/devices/28-000000000001/temperature\nscale=0.001\nunit=celsius\ninterval-ms=300\n"
		"[channel outside]\nsource=push\nscale=2\n"
		"[channel shaker]\nsource=simulated\nkind=vibration\n",
		sock, root);
	config_defaults(&cfg);
	if (config_apply_keyfile_data(&cfg, text, strlen(text), "t.conf", err, sizeof err) != 0 ||
	    config_validate(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* the push socket, made as the supervisor makes it */
	if (pushsock_open(&push, sock, cfg.push_socket_mode, 0, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	seg = fixture_segment(1024, source_channel_count(&cfg));
	if (!seg)
		return -1;
	source_describe_channels(seg, &cfg);
	fixture_seal(seg); /* as main.c does once the channels are described */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	fixture_free(seg);
	pushsock_close(&push);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static double value_of(uint32_t ch)
{
	return shm_bits_to_double(SHM_LOAD(&seg->channels[ch].last_value_bits));
}

static char *metrics(void)
{
	struct evbuffer *b = evbuffer_new();
	render_metrics(b, seg, seg->hdr.created_monotonic_ns);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("no '%s' in:\n%s", line, text);
}

static void test_describe(void **state)
{
	(void)state;
	assert_int_equal(seg->hdr.channel_count, 4);
	struct shm_channel *c = seg->channels;
	assert_string_equal(c[0].name, "cpu");
	assert_string_equal(c[0].unit, "celsius");
	assert_string_equal(c[0].labels, "room=\"lab\",note=\"a\\\"b\"");
	assert_int_equal(c[0].source, SHM_SOURCE_HWMON);
	assert_int_equal(c[0].interval_ms, 100);
	assert_int_equal(c[1].interval_ms, 300);
	assert_string_equal(c[2].unit, "");
	assert_int_equal(c[2].source, SHM_SOURCE_PUSH);
	assert_string_equal(c[3].unit, "g");
	assert_int_equal(c[3].spectrum, 1);
	assert_int_equal(c[0].spectrum, 0);
	assert_true(isnan(value_of(0))); /* no reading yet */
	assert_int_equal(seg->push.enabled, 1);
}

static void test_sampling_and_failures(void **state)
{
	(void)state;
	struct sampler *s = sampler_new(seg, &cfg, push.fd);
	assert_non_null(s);
	int64_t t0 = sampler_next_due(s);
	sampler_tick(s, t0);
	assert_true(value_of(0) == 45.0);
	assert_true(fabs(value_of(1) - 21.5) < 1e-9);
	assert_int_equal(SHM_LOAD(&seg->worker.readings), 3); /* push is not polled */
	assert_int_equal(sampler_next_due(s), t0 + 100 * MS);

	char path[512];
	snprintf(path, sizeof path, "%s/sys/bus/w1/devices/28-000000000001/temperature", root);
	assert_int_equal(unlink(path), 0);
	sampler_tick(s, t0 + 100 * MS); /* w1 is not due yet (300 ms) */
	assert_int_equal(SHM_LOAD(&seg->channels[1].readings), 1);
	sampler_tick(s, t0 + 300 * MS);
	assert_int_equal(SHM_LOAD(&seg->channels[1].read_errors[SHM_READ_MISSING]), 1);
	assert_true(isnan(value_of(1)));
	assert_int_equal(SHM_LOAD(&seg->channels[0].readings), 3);

	FILE *f = fopen(path, "w");
	fputs("19000\n", f);
	fclose(f);
	sampler_tick(s, t0 + 600 * MS);
	assert_true(fabs(value_of(1) - 19.0) < 1e-9);
	assert_int_equal(SHM_LOAD(&seg->channels[1].read_errors[SHM_READ_MISSING]), 1);
	sampler_free(s);
}

static void test_push_reaches_the_channel(void **state)
{
	(void)state;
	struct sampler *s = sampler_new(seg, &cfg, push.fd);
	assert_non_null(s);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	memcpy(to.sun_path, sock, strlen(sock) + 1);
	/* a timestamp within the window (push-max-age-s) of the clock: 60 s ago, in whole seconds */
	int64_t when_s = realtime_ns() / 1000000000 - 60;
	char msg[96];
	snprintf(msg, sizeof msg, "outside 4.25 %lld\ncpu 1\nshaker 2\n", (long long)when_s);
	assert_int_equal(sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof to), (ssize_t)strlen(msg));
	close(fd);
	sampler_tick(s, sampler_next_due(s));
	assert_true(value_of(2) == 8.5); /* scale=2 */
	assert_int_equal(SHM_LOAD(&seg->push.messages[SHM_PUSH_ACCEPTED]), 1);
	/* only push channels take pushed readings */
	assert_int_equal(SHM_LOAD(&seg->push.messages[SHM_PUSH_UNKNOWN_CHANNEL]), 2);
	struct reading r[8];
	size_t n = ring_peek_recent(seg, r, 8);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= r[i].channel == 2 && r[i].timestamp_ns == when_s * 1000000000;
	assert_true(found);
	sampler_free(s);
	/* the socket stays: the supervisor keeps it across the worker's restarts */
	assert_int_equal(access(sock, F_OK), 0);
}

static void test_spectrum_only_where_asked(void **state)
{
	(void)state;
	/* 10 s after the segment's creation: clear of the 2 s bursts every 50 s */
	seg->hdr.created_monotonic_ns = monotonic_ns() - INT64_C(10000000000);
	struct sampler *s = sampler_new(seg, &cfg, push.fd);
	struct processing proc;
	int64_t t = sampler_next_due(s);
	for (int i = 0; i < 64; i++, t += 100 * MS)
		sampler_tick(s, t);
	assert_int_equal(processing_init(&proc, 64, seg->hdr.ring_capacity, seg->hdr.channel_count, 10.0), 0);
	processing_run(&proc, seg);
	struct channel_stats st;
	assert_true(channel_stats_read(&seg->channels[3], &st));
	assert_true(st.dominant_hz > 1.0 && st.dominant_hz < 1.6); /* the 1.3 Hz tone */
	assert_true(channel_stats_read(&seg->channels[0], &st));
	assert_true(st.dominant_hz == 0.0 && st.min == 45.0 && st.p95 == 45.0);
	processing_free(&proc);
	sampler_free(s);
}

static void test_render_configured_channels(void **state)
{
	(void)state;
	struct sampler *s = sampler_new(seg, &cfg, push.fd);
	sampler_tick(s, sampler_next_due(s));
	SHM_ADD(&seg->channels[0].read_errors[SHM_READ_PERMISSION], 2);
	SHM_ADD(&seg->push.messages[SHM_PUSH_OVER_RATE], 5);
	char *m = metrics();
	assert_has(m, "\nsensor_value{channel=\"cpu\",unit=\"celsius\",room=\"lab\",note=\"a\\\"b\"} 45\n");
	assert_has(m, "\nsensor_value{channel=\"outside\",unit=\"\"} NaN\n");
	assert_has(m, "\nsensor_channel_readings_total{channel=\"cpu\",room=\"lab\",note=\"a\\\"b\"} 1\n");
	assert_has(
		m,
		"# TYPE sensor_channel_info gauge\nsensor_channel_info{channel=\"cpu\",source=\"hwmon\"} 1\n"
		"sensor_channel_info{channel=\"w1\",source=\"file\"} 1\nsensor_channel_info{channel=\"outside\",source=\"push\"} 1\n"
		"sensor_channel_info{channel=\"shaker\",source=\"simulated\"} 1\n");
	assert_has(m,
		   "# TYPE sensor_read_errors_total counter\n"
		   "sensor_read_errors_total{channel=\"cpu\",reason=\"missing\",room=\"lab\",note=\"a\\\"b\"} 0\n"
		   "sensor_read_errors_total{channel=\"cpu\",reason=\"permission\",room=\"lab\",note=\"a\\\"b\"} 2\n");
	assert_has(m,
		   "sensor_read_errors_total{channel=\"w1\",reason=\"io\"} 0\n"
		   "sensor_read_errors_total{channel=\"w1\",reason=\"timeout\"} 0\n# HELP sensor_push_messages_total");
	assert_has(m, "# TYPE sensor_read_duration_seconds gauge\nsensor_read_duration_seconds{channel=\"cpu\",room=");
	assert_has(m, "\nsensor_read_duration_seconds{channel=\"w1\"} ");
	assert_null(strstr(m, "sensor_read_duration_seconds{channel=\"outside\""));
	assert_null(strstr(m, "sensor_read_errors_total{channel=\"outside\""));
	assert_null(strstr(m, "sensor_read_errors_total{channel=\"shaker\""));
	assert_has(
		m,
		"# TYPE sensor_push_messages_total counter\nsensor_push_messages_total{result=\"accepted\"} 0\n"
		"sensor_push_messages_total{result=\"malformed\"} 0\nsensor_push_messages_total{result=\"unknown_channel\"} 0\n"
		"sensor_push_messages_total{result=\"over_rate\"} 5\n");
	free(m);
	sampler_free(s);
}

/* Threads of this process (main + reader threads). */
static int task_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The thread count once the kernel has caught up with threads that were
 * joined: pthread_join returns when an exiting thread clears its tid,
 * a moment before the kernel drops it from /proc/self/task (a moment that
 * lasts milliseconds on an emulated board). Waits up to 2 s for `want`. */
static int task_count_settled(int want)
{
	int n = task_count();
	for (int i = 0; i < 200 && n != want; i++) {
		usleep(10000);
		n = task_count();
	}
	return n;
}

static void test_blocking_read_times_out(void **state)
{
	(void)state;
	char text[512], err[256], fifo[160], tmp[160];
	struct config c;
	snprintf(text, sizeof text,
		 "[worker]\nsysfs-root=%s\nsample-interval-ms=100\nread-timeout-ms=200\ntick-budget-ms=60000\n"
		 "[supervisor]\nheartbeat-timeout-ms=600000\n"
		 "[channel stuck]\nsource=file\npath=/fifo\n"
		 "[channel w1]\nsource=file\npath=/sys/bus/w1/devices/28-000000000001/temperature\nscale=0.001\n",
		 root);
	config_defaults(&c);
	assert_int_equal(config_apply_keyfile_data(&c, text, strlen(text), "t.conf", err, sizeof err), 0);
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	struct shm_segment *keep = seg;
	seg = fixture_segment(64, source_channel_count(&c));
	source_describe_channels(seg, &c);
	fixture_seal(seg);
	snprintf(fifo, sizeof fifo, "%s/fifo", root);
	assert_int_equal(mkfifo(fifo, 0600), 0); /* open(O_RDONLY) blocks until a writer comes */
	int threads_before = task_count();

	struct sampler *s = sampler_new(seg, &c, no_push);
	int64_t t0 = sampler_next_due(s);
	sampler_tick(s, t0); /* returns once the stuck read is past its 200 ms */
	assert_int_equal(SHM_LOAD(&seg->channels[0].read_errors[SHM_READ_TIMEOUT]), 1);
	assert_true(isnan(value_of(0)));
	assert_true(shm_bits_to_double(SHM_LOAD(&seg->channels[0].read_duration_bits)) >= 0.2);
	assert_int_equal(SHM_LOAD(&seg->channels[1].readings), 1);
	assert_true(fabs(value_of(1) - 21.5) < 1e-9);
	assert_int_equal(task_count(), threads_before + 2);

	/* still stuck: skipped and counted at each interval, no new thread */
	for (int i = 1; i <= 3; i++)
		sampler_tick(s, t0 + i * 100 * MS);
	assert_int_equal(SHM_LOAD(&seg->channels[0].read_errors[SHM_READ_TIMEOUT]), 4);
	assert_int_equal(SHM_LOAD(&seg->channels[1].readings), 4);
	assert_int_equal(task_count(), threads_before + 2);
	char *m = metrics();
	assert_has(m, "sensor_read_errors_total{channel=\"stuck\",reason=\"timeout\"} 4\n");
	assert_has(m, "\nsensor_read_duration_seconds{channel=\"stuck\"} ");
	free(m);

	/* the bus comes back: the stuck read returns (its value is dropped,
	 * it is too old) and the next one is recorded */
	int fd = open(fifo, O_WRONLY | O_NONBLOCK); /* succeeds: the reader waits in open() */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "5000\n", 5), 5);
	close(fd);
	snprintf(tmp, sizeof tmp, "%s/fifo.new", root);
	FILE *f = fopen(tmp, "w");
	fputs("7000\n", f);
	fclose(f);
	assert_int_equal(rename(tmp, fifo), 0);
	int64_t t = t0 + 400 * MS;
	for (int i = 0; i < 100 && !(value_of(0) == 7000.0); i++, t += 100 * MS) {
		sampler_tick(s, t);
		usleep(10000);
	}
	assert_true(value_of(0) == 7000.0);
	assert_int_equal(SHM_LOAD(&seg->channels[0].read_errors[SHM_READ_TIMEOUT]) >= 4, 1);
	sampler_free(s);
	assert_int_equal(task_count_settled(threads_before), threads_before);
	fixture_free(seg);
	seg = keep;
}

/* A stuck read given back: the reader blocked in the FIFO's open() gets
 * a value, and later reads find a regular file in its place. */
static void unstick(const char *fifo, const char *value)
{
	char tmp[200];
	for (int i = 0; i < 50; i++) {
		int fd = open(fifo, O_WRONLY | O_NONBLOCK); /* ENXIO: no reader waits */
		if (fd >= 0) {
			(void)!write(fd, value, strlen(value));
			close(fd);
			break;
		}
		usleep(10000);
	}
	snprintf(tmp, sizeof tmp, "%s.new", fifo);
	FILE *f = fopen(tmp, "w");
	fputs(value, f);
	fclose(f);
	assert_int_equal(rename(tmp, fifo), 0);
}

/* Sample on the real clock for `ms`, as the worker's loop does (the
 * pool's hold time is on that clock too). */
static void run_for(struct sampler *s, int ms)
{
	int64_t end = monotonic_ns() + ms * MS;
	for (int64_t now = monotonic_ns(); now < end; now = monotonic_ns()) {
		sampler_tick(s, now);
		int64_t next = sampler_next_due(s), t = monotonic_ns();
		if (next > end)
			next = end;
		if (next > t)
			usleep((useconds_t)((next - t) / 1000));
	}
}

/* More stuck channels than the pool's bound: with reader-threads=1 and
 * reader-threads-max=3, three stuck channels come to hold the three
 * threads, and the healthy channel's reads wait and count as timeouts,
 * with no thread beyond the bound. One stuck channel comes back: the
 * thread it frees serves the healthy channel at every interval again.
 * The pool's state is on /metrics. */
static void test_stuck_reads_hold_the_pool_within_its_bound(void **state)
{
	(void)state;
	char text[1024], err[256], fifo[3][160];
	struct config c;
	snprintf(text, sizeof text,
		 "[worker]\nsysfs-root=%s\nsample-interval-ms=50\nread-timeout-ms=50\ntick-budget-ms=10\n"
		 "reader-threads=1\nreader-threads-max=3\n[supervisor]\nheartbeat-timeout-ms=600000\n"
		 "[channel stuck0]\nsource=file\npath=/fifo0\n[channel stuck1]\nsource=file\npath=/fifo1\n"
		 "[channel w1]\nsource=file\npath=/sys/bus/w1/devices/28-000000000001/temperature\nscale=0.001\n"
		 "[channel stuck2]\nsource=file\npath=/fifo2\n",
		 root);
	config_defaults(&c);
	assert_int_equal(config_apply_keyfile_data(&c, text, strlen(text), "t.conf", err, sizeof err), 0);
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	struct shm_segment *keep = seg;
	seg = fixture_segment(64, source_channel_count(&c));
	source_describe_channels(seg, &c);
	fixture_seal(seg);
	for (int i = 0; i < 3; i++) {
		snprintf(fifo[i], sizeof fifo[i], "%s/fifo%d", root, i);
		assert_int_equal(mkfifo(fifo[i], 0600), 0);
	}
	int threads_before = task_count();
	struct sampler *s = sampler_new(seg, &c, no_push);
	const uint32_t w1 = 2;
	run_for(s, 1000); /* each stuck channel comes to hold a thread */
	uint64_t reads0 = SHM_LOAD(&seg->channels[w1].readings);
	uint64_t timeouts0 = SHM_LOAD(&seg->channels[w1].read_errors[SHM_READ_TIMEOUT]);
	run_for(s, 500);
	assert_true(task_count() <= threads_before + 3);
	char *m = metrics();
	assert_has(m, "\nsensor_reader_threads 3\n");
	assert_has(m, "\nsensor_reader_threads_held 3\n");
	assert_has(m, "\nsensor_reader_threads_busy 3\n");
	free(m);
	assert_int_equal(SHM_LOAD(&seg->channels[w1].readings), reads0);
	assert_true(SHM_LOAD(&seg->channels[w1].read_errors[SHM_READ_TIMEOUT]) - timeouts0 >= 5);
	assert_true(isnan(value_of(w1)));

	unstick(fifo[2], "9000\n");
	run_for(s, 300);
	reads0 = SHM_LOAD(&seg->channels[w1].readings);
	run_for(s, 1000); /* 20 intervals */
	uint64_t reads = SHM_LOAD(&seg->channels[w1].readings) - reads0;
	if (reads < 15)
		fail_msg("the healthy channel read %" PRIu64 " times in 20 intervals", reads);
	assert_true(fabs(value_of(w1) - 21.5) < 1e-9);
	assert_true(value_of(3) == 9000.0);
	assert_true(task_count() <= threads_before + 3);
	m = metrics();
	assert_has(m, "\nsensor_reader_threads_held 2\n");
	free(m);

	unstick(fifo[0], "1000\n");
	unstick(fifo[1], "1000\n");
	sampler_free(s);
	assert_int_equal(task_count_settled(threads_before), threads_before);
	fixture_free(seg);
	seg = keep;
}

/* Opens the fifo for writing 50 ms from now and writes one value. */
static void *write_fifo_later(void *path)
{
	usleep(50000);
	for (int i = 0; i < 500; i++) { /* ENXIO until the reader has it open: never block */
		int fd = open(path, O_WRONLY | O_NONBLOCK);
		if (fd >= 0) {
			(void)!write(fd, "4000\n", 5);
			close(fd);
			break;
		}
		usleep(10000);
	}
	return NULL;
}

/* A clean stop gives a read in flight until the deadline to return and
 * joins its thread, instead of leaving a thread behind that would have
 * returned a moment later. */
static void test_stop_waits_for_a_read_in_flight(void **state)
{
	(void)state;
	char fifo[128];
	snprintf(fifo, sizeof fifo, "%s/slow", root);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	struct channel_config cc = { .name = "slow", .source = SHM_SOURCE_FILE, .scale = 1.0, .path = "/slow" };
	/* static: a thread left behind by a failing stop must not outlive them */
	static struct source src;
	static struct pool pool;
	static struct reader r;
	source_init(&src, &cc, 0, root, 1, 100 * MS, 0);
	assert_int_equal(pool_init(&pool, 2, 4, 1000 * MS, READER_STACK_BYTES), 0);
	reader_init(&r, &pool, &src);
	int threads_before = task_count();
	assert_int_equal(reader_start(&r, false), 0); /* blocks in open() */
	struct pool_stats st = { 0 };
	for (int i = 0; i < 1000 && st.busy == 0; i++) { /* the thread has taken it */
		pool_get_stats(&pool, &st);
		if (st.busy == 0)
			usleep(1000);
	}
	assert_int_equal(st.busy, 1);
	pthread_t writer;
	assert_int_equal(pthread_create(&writer, NULL, write_fifo_later, fifo), 0);
	assert_true(pool_stop(&pool, monotonic_ns() + 10000 * MS)); /* returned and joined */
	pthread_join(writer, NULL);
	assert_int_equal(task_count_settled(threads_before), threads_before);
	struct reader_result res;
	assert_true(reader_take(&r, &res));
	assert_int_equal(res.rc, 0);
	assert_true(res.value == 4000.0);
}

/* A rescan stuck in the pool (a chip whose name file never answers) keeps
 * its due time moving: the loop sleeps until the next one instead of
 * waking at once, for ever, on a due time left in the past. */
static void test_stuck_rescan_does_not_spin_the_loop(void **state)
{
	(void)state;
	char dir[200], name[240], cmd[600];
	struct config c;
	config_defaults(&c);
	snprintf(c.sysfs_root, sizeof c.sysfs_root, "%s", root);
	c.discovery_rescan_ms = 1000;
	c.sample_interval_ms = 3600000; /* the channels due in an hour: only the rescan is due sooner */
	assert_int_equal(discovery_configure(&c), DISCOVERY_FOUND);
	uint32_t n = source_channel_count(&c);
	struct shm_segment *keep = seg;
	seg = fixture_segment(64, n);
	source_describe_channels(seg, &c);
	fixture_seal(seg);
	struct sampler *s = sampler_new(seg, &c, no_push);
	assert_non_null(s);
	/* a chip appears whose name file is a FIFO nobody writes: reading it blocks */
	snprintf(dir, sizeof dir, "%s/sys/devices/platform/stuck/hwmon/hwmon8", root);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && ln -s ../../devices/platform/stuck/hwmon/hwmon8 '%s/sys/class/hwmon/hwmon8'", dir,
		 root);
	assert_int_equal(system(cmd), 0);
	snprintf(name, sizeof name, "%s/name", dir);
	assert_int_equal(mkfifo(name, 0600), 0);
	int64_t t = sampler_next_due(s);
	sampler_tick(s, t); /* the rescan goes out and blocks on the name */
	usleep(50000);
	for (int i = 1; i <= 3; i++) {
		int64_t now = t + i * 1500 * MS; /* past each due time */
		sampler_tick(s, now);
		assert_true(sampler_next_due(s) > now);
	}
	unstick(name, "lm75\n");
	sampler_free(s);
	fixture_free(seg);
	seg = keep;
}

/* Hot-plug: a sensor that appears later takes the next slot beyond the
 * initial channels, published through live_channels; a counter a
 * predecessor left odd heals at the slot's first write, and a description
 * damaged in the segment is written again at the next rescan. */
static void test_hot_plug_takes_the_next_slot(void **state)
{
	(void)state;
	char path[160], cmd[1024];
	struct config c;
	config_defaults(&c);
	snprintf(c.sysfs_root, sizeof c.sysfs_root, "%s", root);
	c.discovery_rescan_ms = 1000;
	assert_int_equal(discovery_configure(&c), DISCOVERY_FOUND);
	uint32_t n = source_channel_count(&c);
	struct shm_segment *keep = seg;
	seg = fixture_segment(64, n);
	source_describe_channels(seg, &c);
	fixture_seal(seg);
	atomic_store(&seg->channels[n].stats_seq, 7); /* left odd by a dead worker */

	snprintf(path, sizeof path, "%s/sys/devices/platform/soc/i2c-1/1-0048/hwmon/hwmon9", root);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && echo lm75 >'%s/name' && echo 31500 >'%s/temp1_input' && "
		 "ln -s ../../devices/platform/soc/i2c-1/1-0048/hwmon/hwmon9 '%s/sys/class/hwmon/hwmon9'",
		 path, path, path, root);
	assert_int_equal(system(cmd), 0);

	struct sampler *s = sampler_new(seg, &c, no_push);
	assert_non_null(s);
	/* the first tick starts a rescan in the pool; a later one takes it */
	int64_t t = sampler_next_due(s);
	for (int i = 0; i < 200 && atomic_load(&seg->live_channels) != n + 1; i++, t += 10 * MS) {
		sampler_tick(s, t);
		usleep(10000);
	}
	assert_int_equal(atomic_load(&seg->live_channels), n + 1);
	assert_string_equal(seg->channels[n].name, "lm75_temp1");
	assert_int_equal(seg->channels[n].source, SHM_SOURCE_HWMON);
	/* the odd counter heals at the slot's first statistics */
	struct channel_stats st = { .min = 1, .max = 1, .mean = 1, .p95 = 1, .dominant_hz = 0 };
	channel_stats_publish(&seg->channels[n], &st);
	assert_true(channel_stats_read(&seg->channels[n], &st));
	const struct shm_view *v = shm_view_of(seg);
	assert_int_equal(v->hdr.channel_count, n); /* the copy is the start's */
	assert_int_equal(shm_view_channels(v), n + 1);

	struct shm_channel_desc scratch;
	assert_non_null(shm_view_chan(v, n, &scratch));
	seg->channels[n].name[2] = (char)0xff; /* stray bytes: the channel is dropped */
	assert_null(shm_view_chan(v, n, &scratch));
	sampler_tick(s, sampler_next_due(s) + 1000000000); /* past the next rescan */
	const struct shm_channel_desc *d = shm_view_chan(v, n, &scratch);
	assert_non_null(d);
	assert_string_equal(d->name, "lm75_temp1");
	atomic_store(&seg->channels[n].desc_seq, 9); /* a stray store on its counter */
	assert_null(shm_view_chan(v, n, &scratch));
	sampler_tick(s, sampler_next_due(s) + 2000000000);
	assert_non_null(shm_view_chan(v, n, &scratch));
	sampler_free(s);
	fixture_free(seg);
	seg = keep;
}

static void test_builtin_set_renders_no_source_families(void **state)
{
	(void)state;
	struct config plain;
	config_defaults(&plain);
	plain.channels = 3; /* channels=N asks for the built-in simulated set */
	struct shm_segment *keep = seg;
	seg = fixture_segment(64, source_channel_count(&plain));
	source_describe_channels(seg, &plain);
	fixture_seal(seg);
	assert_string_equal(seg->channels[2].name, "vibration");
	char *m = metrics();
	assert_null(strstr(m, "sensor_channel_info"));
	assert_null(strstr(m, "sensor_read_errors_total"));
	assert_null(strstr(m, "sensor_push_messages_total"));
	assert_has(m, "\nsensor_value{channel=\"temperature\",unit=\"celsius\"} 0\n");
	free(m);
	fixture_free(seg);
	seg = keep;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sampling_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_reaches_the_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spectrum_only_where_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_configured_channels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_read_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_reads_hold_the_pool_within_its_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_waits_for_a_read_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_rescan_does_not_spin_the_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hot_plug_takes_the_next_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_set_renders_no_source_families, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
