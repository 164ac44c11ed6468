/*
 * test_host.c - the host collectors' round trip (worker/host.h: a sample
 * of a fixture proc/ tree into the segment's host block) and the
 * exporter's rendering of that block (exporter/render_host.c), which
 * treats it as untrusted: forged counts, families, label texts and a
 * writer caught mid-write never reach the page's syntax. And the
 * filesystem collector's mount table and statfs jobs: a field too long is
 * never statfs()'d truncated, and hung mounts hold a bounded number of
 * reader threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <glib.h>

#define FIXTURE_WITH_EVBUFFER
#include "../../common/config.h"
#include "../../exporter/render.h"
#include "../../exporter/textbuf.h"
#include "../../shm/clock.h"
#include "../../shm/seqlock.h"
#include "../../worker/host.h"
#include "../../worker/pool.h"
#include "fixture.h"

static char *render_host_text(const struct shm_segment *seg)
{
	struct evbuffer *b = evbuffer_new();
	struct textbuf tb;
	tb_begin(&tb, b, 0);
	render_host_families(&tb, seg);
	tb_end(&tb);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* One sample of cfg's collectors into a fresh segment, rendered. */
static char *sample_once(const struct config *cfg)
{
	struct shm_segment *seg = fixture_segment(16, 1);
	struct host *h = host_new(seg, cfg, NULL);
	assert_non_null(h);
	host_tick(h, host_next_due(h));
	char *text = render_host_text(seg);
	host_free(h);
	fixture_free(seg);
	return text;
}

static void remove_tree(const char *root)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_label_escaped(void **state)
{
	(void)state;
	char buf[HOST_LABELS_SIZE];
	size_t at = host_label(buf, sizeof buf, 0, "device", "a\"b\\c\nd");
	host_label(buf, sizeof buf, at, "mode", "x");
	assert_string_equal(buf, "device=\"a\\\"b\\\\c\\nd\",mode=\"x\"");
	/* too long: a text no series takes */
	char big[400];
	memset(big, 'v', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(host_label(buf, sizeof buf, 0, "k", big), sizeof buf);
	assert_true(strlen(buf) > SHM_HOST_TEXT_LEN);
}

/* cpu, meminfo, loadavg and stat of a fixture proc/, sampled and rendered. */
static void test_round_trip(void **state)
{
	(void)state;
	char root[] = "/tmp/test_host.XXXXXX";
	assert_non_null(mkdtemp(root));
	char proc[600];
	snprintf(proc, sizeof proc, "%s/proc", root);
	assert_int_equal(mkdir(proc, 0755), 0);
	write_file(proc, "stat",
		   "cpu  300 0 100 1000 5 0 2 0 0 0\n"
		   "cpu0 100 1 50 500 5 0 1 0 7 3\n"
		   "cpu1 200 0 50 500 0 0 1 0 0 0\n"
		   "intr 12345 1 2 3\nctxt 777\nbtime 1700000000\nprocesses 4242\nprocs_running 3\n"
		   "procs_blocked 1\n");
	write_file(proc, "meminfo", "MemTotal:        1000 kB\nActive(anon):      10 kB\nHugePages_Total:       4\n");
	write_file(proc, "loadavg", "0.50 0.25 1.75 2/300 4000\n");

	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.procfs_root, sizeof cfg.procfs_root, "%s", root);
	cfg.collector_pressure = cfg.collector_uname = cfg.collector_filesystem = false;
	cfg.collector_netdev = cfg.collector_diskstats = false;
	cfg.host_cpus_max = 1;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct host *h = host_new(seg, &cfg, NULL);
	assert_non_null(h);
	host_tick(h, host_next_due(h));
	char *text = render_host_text(seg);

	assert_non_null(strstr(text, "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
				     "# TYPE node_cpu_seconds_total counter\n"
				     "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1\n"
				     "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0.01\n"));
	assert_non_null(strstr(text, "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 0.07\n"
				     "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0.03\n"));
	assert_null(strstr(text, "cpu=\"1\"")); /* host-cpus-max=1 */
	assert_non_null(strstr(text, "sensor_host_left_out{bound=\"cpus\"} 1\n"));
	assert_non_null(strstr(text, "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
				     "# TYPE node_memory_MemTotal_bytes gauge\n"
				     "node_memory_MemTotal_bytes 1024000\n"));
	assert_non_null(strstr(text, "node_memory_Active_anon_bytes 10240\n"));
	assert_non_null(strstr(text, "node_memory_HugePages_Total 4\n"));
	assert_non_null(strstr(text, "node_load15 1.75\n"));
	assert_non_null(strstr(text, "node_boot_time_seconds 1700000000\n"));
	assert_non_null(strstr(text, "node_intr_total 12345\n"));
	assert_non_null(strstr(text, "node_forks_total 4242\n"));
	assert_non_null(strstr(text, "node_procs_blocked 1\n"));
	assert_non_null(strstr(text, "node_scrape_collector_success{collector=\"meminfo\"} 1\n"));
	/* each family's HELP once */
	assert_null(strstr(strstr(text, "# HELP node_cpu_seconds_total") + 1, "# HELP node_cpu_seconds_total"));
	free(text);
	/* the next sample replaces the text the exporter kept */
	write_file(proc, "loadavg", "3.00 0.25 1.75 2/300 4000\n");
	host_tick(h, host_next_due(h));
	text = render_host_text(seg);
	assert_non_null(strstr(text, "node_load1 3\n"));
	free(text);
	host_free(h);
	fixture_free(seg);
	remove_tree(root);
}

/* netdev from a fixture proc/net/dev and sys/class/net: the kernel's
 * folded columns as they are, receive_nohandler from sysfs where the
 * device has it, lo and lines that are not a whole device left out, the
 * devices past host-netdevs-max (by name) counted. */
static void test_netdev(void **state)
{
	(void)state;
	char root[] = "/tmp/test_host_netdev.XXXXXX";
	assert_non_null(mkdtemp(root));
	char dir[700];
	snprintf(dir, sizeof dir, "mkdir -p '%s/proc/net' '%s/sys/class/net/eth0/statistics'", root, root);
	assert_int_equal(system(dir), 0);
	snprintf(dir, sizeof dir, "%s/proc/net", root);
	write_file(dir, "dev",
		   "Inter-|   Receive                                                |  Transmit\n"
		   " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
		   "colls carrier compressed\n"
		   "    lo: 900 9 0 0 0 0 0 0 900 9 0 0 0 0 0 0\n"
		   "wlan0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		   "  eth0:100 200 1 2 3 4 0 7 300 400 5 6 0 8 9 0\n"
		   "  cut0: 1 2 3\n"
		   "  eth1: 10 20 0 0 0 0 0 0 30 40 0 0 0 0 0 0\n");
	snprintf(dir, sizeof dir, "%s/sys/class/net/eth0/statistics", root);
	write_file(dir, "rx_nohandler", "42\n");

	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.procfs_root, sizeof cfg.procfs_root, "%s", root);
	snprintf(cfg.sysfs_root, sizeof cfg.sysfs_root, "%s", root);
	cfg.collector_cpu = cfg.collector_meminfo = cfg.collector_loadavg = cfg.collector_stat = false;
	cfg.collector_pressure = cfg.collector_uname = cfg.collector_filesystem = cfg.collector_diskstats = false;
	cfg.host_netdevs_max = 2;
	char *text = sample_once(&cfg);
	assert_non_null(strstr(text, "node_network_receive_bytes_total{device=\"eth0\"} 100\n"
				     "node_network_receive_bytes_total{device=\"eth1\"} 10\n"));
	assert_non_null(strstr(text, "node_network_receive_drop_total{device=\"eth0\"} 2\n"));
	assert_non_null(strstr(text, "node_network_receive_frame_total{device=\"eth0\"} 4\n"));
	assert_non_null(strstr(text, "node_network_receive_multicast_total{device=\"eth0\"} 7\n"));
	assert_non_null(strstr(text, "node_network_transmit_bytes_total{device=\"eth0\"} 300\n"));
	assert_non_null(strstr(text, "node_network_transmit_colls_total{device=\"eth0\"} 8\n"));
	assert_non_null(strstr(text, "node_network_transmit_carrier_total{device=\"eth0\"} 9\n"));
	assert_non_null(strstr(text, "node_network_receive_nohandler_total{device=\"eth0\"} 42\n"));
	assert_null(strstr(text, "node_network_receive_nohandler_total{device=\"eth1\"}"));
	assert_null(strstr(text, "device=\"lo\""));
	assert_null(strstr(text, "device=\"cut0\""));
	assert_null(strstr(text, "device=\"wlan0\"")); /* third by name, past host-netdevs-max=2 */
	assert_non_null(strstr(text, "sensor_host_left_out{bound=\"netdevs\"} 1\n"));
	assert_non_null(strstr(text, "node_scrape_collector_success{collector=\"netdev\"} 1\n"));
	free(text);
	remove_tree(root);
}

/* proc/stat with an intr line of `irqs` counts, cpu and stat sampled and
 * rendered. */
static char *stat_sample(unsigned irqs)
{
	char root[] = "/tmp/test_host_stat.XXXXXX";
	assert_non_null(mkdtemp(root));
	char proc[600];
	snprintf(proc, sizeof proc, "%s/proc", root);
	assert_int_equal(mkdir(proc, 0755), 0);
	GString *t = g_string_new("cpu  300 0 100 1000 5 0 2 0 0 0\ncpu0 100 1 50 500 5 0 1 0 7 3\nintr 12345");
	for (unsigned i = 0; i < irqs; i++)
		g_string_append(t, " 0");
	g_string_append(t, "\nctxt 777\nbtime 1700000000\nprocesses 4242\nprocs_running 3\nprocs_blocked 1\n");
	write_file(proc, "stat", t->str);
	g_string_free(t, TRUE);
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.procfs_root, sizeof cfg.procfs_root, "%s", root);
	cfg.collector_meminfo = cfg.collector_loadavg = cfg.collector_pressure = cfg.collector_uname = false;
	cfg.collector_filesystem = cfg.collector_netdev = cfg.collector_diskstats = false;
	char *text = sample_once(&cfg);
	remove_tree(root);
	return text;
}

/* A proc/stat longer than a board's (many CPUs, thousands of interrupts)
 * is read whole up to HOST_TEXT_MAX; past it, it is cut after its last
 * whole line: the line cut in the middle is never parsed, and the lines
 * left out are counted. */
static void test_stat_past_buffer(void **state)
{
	(void)state;
	char *text = stat_sample(50000); /* 100 KB */
	assert_non_null(strstr(text, "node_intr_total 12345\n"));
	assert_non_null(strstr(text, "node_boot_time_seconds 1700000000\n"));
	assert_non_null(strstr(text, "node_procs_blocked 1\n"));
	assert_non_null(strstr(text, "node_scrape_collector_success{collector=\"stat\"} 1\n"));
	assert_non_null(strstr(text, "sensor_host_left_out{bound=\"lines\"} 0\n"));
	free(text);

	text = stat_sample(HOST_TEXT_MAX / 2 + 1000); /* past the bound, within intr */
	assert_non_null(strstr(text, "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1\n"));
	assert_non_null(strstr(text, "node_scrape_collector_success{collector=\"cpu\"} 1\n"));
	assert_null(strstr(text, "node_intr_total")); /* cut: not parsed */
	assert_null(strstr(text, "node_boot_time_seconds"));
	assert_non_null(strstr(text, "node_scrape_collector_success{collector=\"stat\"} 0\n"));
	/* intr and the five lines after it, counted once though two
	 * collectors parse the text */
	assert_non_null(strstr(text, "sensor_host_left_out{bound=\"lines\"} 6\n"));
	free(text);
}

/* proc/stat is read once per sample: the cpu and stat collectors parse
 * the same text, and the next sample reads it again. */
static void test_stat_read_once(void **state)
{
	(void)state;
	char root[] = "/tmp/test_host_once.XXXXXX";
	assert_non_null(mkdtemp(root));
	struct host_ctx ctx = { 0 };
	snprintf(ctx.proc, sizeof ctx.proc, "%s", root);
	write_file(root, "stat", "ctxt 1\n");
	assert_string_equal(host_proc_stat(&ctx), "ctxt 1\n");
	write_file(root, "stat", "ctxt 2\n");
	assert_string_equal(host_proc_stat(&ctx), "ctxt 1\n"); /* the same sample */
	ctx.stat_read = false;                                 /* as the next sample starts */
	assert_string_equal(host_proc_stat(&ctx), "ctxt 2\n");
	free(ctx.stat.buf);
	remove_tree(root);
}

/* A block written by hand, as a forging or dying writer might leave it. */
static void put_series(struct shm_segment *seg, unsigned i, unsigned family, unsigned flags, const char *text,
		       uint64_t bits)
{
	struct shm_host_series *s = &seg->host.series[i];
	size_t len = strlen(text);
	memcpy(s->text, text, len);
	s->value_bits = bits;
	s->meta = family | flags << 16 | (uint32_t)len << 24;
}

/* Each forged block is a sample of its own (the exporter keeps the text
 * of the last one it rendered). */
static int64_t forged_samples;

static struct shm_segment *forged(void)
{
	struct shm_segment *seg = fixture_segment(16, 1);
	seg->host.sampled_monotonic_ns = ++forged_samples;
	put_series(seg, 0, HOST_CPU_SECONDS, SHM_HOST_INT, "cpu=\"0\"} 1\nfake_series{a=\"b\"", 2);
	put_series(seg, 1, HOST_MEMINFO, SHM_HOST_INT, "Bad name", 3);
	put_series(seg, 2, HOST_LOAD1, SHM_HOST_INT, "", 1);
	put_series(seg, 3, HOST_LOAD5, SHM_HOST_INT, "", 4);
	put_series(seg, 4, HOST_LOAD15, SHM_HOST_INT, "", 5);
	put_series(seg, 5, HOST_LOAD1, SHM_HOST_INT, "", 6); /* a family again, out of order */
	put_series(seg, 6, HOST_LOAD15, SHM_HOST_INT, "", 7);
	seg->host.count = 7;
	return seg;
}

static void test_untrusted_block(void **state)
{
	(void)state;
	struct shm_segment *seg = forged();
	char *text = render_host_text(seg);
	assert_non_null(strstr(text, "node_load1 1\n"));
	assert_null(strstr(text, "fake_series")); /* a label text that is no label set */
	assert_null(strstr(text, "Bad name"));    /* a member name that is no name */
	assert_non_null(strstr(text, "node_load5 4\n"));
	assert_non_null(strstr(text, "node_load15 5\n"));
	assert_null(strstr(text, "node_load1 6")); /* out of order: the rest is left out */
	assert_null(strstr(text, "node_load15 7"));
	free(text);

	/* a family past the table, a text longer than the slot (written as
	 * any writer writes: seq moves on) */
	seqlock_write_begin(&seg->host.seq);
	seg->host.series[3].meta = HOST_FAMILY_COUNT | SHM_HOST_INT << 16;
	seg->host.series[2].meta = HOST_LOAD1 | (uint32_t)(SHM_HOST_TEXT_LEN + 1) << 24;
	seqlock_write_end(&seg->host.seq);
	text = render_host_text(seg);
	assert_null(strstr(text, "node_load"));
	assert_non_null(strstr(text, "sensor_host_left_out{bound=\"cpus\"} 0\n"));
	free(text);
	fixture_free(seg);

	/* a count past the bound, or a writer caught mid-write: no series */
	seg = forged();
	seqlock_write_begin(&seg->host.seq);
	seg->host.count = SHM_HOST_SERIES_MAX + 1;
	seqlock_write_end(&seg->host.seq);
	text = render_host_text(seg);
	assert_null(strstr(text, "node_load"));
	free(text);
	seqlock_write_begin(&seg->host.seq);
	seg->host.count = 7;
	text = render_host_text(seg);
	assert_null(strstr(text, "node_load"));
	free(text);
	seqlock_write_end(&seg->host.seq);
	text = render_host_text(seg);
	assert_non_null(strstr(text, "node_load1 1\n"));
	free(text);
	fixture_free(seg);
}

/* Every line of a page is a whole comment or a whole sample: no line cut
 * short, none joined to the next. */
static void assert_whole_lines(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl); /* the page ends with a newline */
		size_t n = (size_t)(nl - line);
		const char *again = n > 1 ? memchr(line + 1, '#', n - 1) : NULL;
		assert_null(again); /* no comment glued after a line */
		if (line[0] != '#') {
			const char *sp = nl;
			while (sp > line && sp[-1] != ' ')
				sp--;
			assert_true(sp > line && sp < nl); /* a value after the last blank */
		}
		line = nl + 1;
	}
}

/* What the worker may not be trusted with beyond the grammar: label text
 * that is not UTF-8, a member named twice, more text than the exporter's
 * buffer holds. The page stays whole. */
static void test_untrusted_text(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	seg->host.sampled_monotonic_ns = ++forged_samples;
	put_series(seg, 0, HOST_MEMINFO, SHM_HOST_INT, "MemTotal_bytes", 1);
	put_series(seg, 1, HOST_MEMINFO, SHM_HOST_INT, "MemTotal_bytes", 2);
	put_series(seg, 2, HOST_FS_SIZE_BYTES, SHM_HOST_INT, "device=\"\xff\xfe\",mountpoint=\"/\"", 3);
	put_series(seg, 3, HOST_FS_SIZE_BYTES, SHM_HOST_INT, "device=\"sda1\",mountpoint=\"/\"", 4);
	seg->host.count = 4;
	char *text = render_host_text(seg);
	const char *first = strstr(text, "# HELP node_memory_MemTotal_bytes");
	assert_non_null(first);
	assert_null(strstr(first + 1, "# HELP node_memory_MemTotal_bytes"));
	assert_null(strstr(text, "\xff"));
	assert_non_null(strstr(text, "node_filesystem_size_bytes{device=\"sda1\",mountpoint=\"/\"} 4\n"));
	assert_whole_lines(text);
	free(text);

	/* as many members with names as long as a slot holds as the block
	 * holds: more text than the buffer, the last series left out whole */
	seg->host.sampled_monotonic_ns = ++forged_samples;
	char name[SHM_HOST_TEXT_LEN + 1];
	for (unsigned i = 0; i < SHM_HOST_SERIES_MAX; i++) {
		memset(name, 'A', SHM_HOST_TEXT_LEN);
		snprintf(name, sizeof name, "M%04u", i);
		name[5] = 'A';
		name[SHM_HOST_TEXT_LEN] = '\0';
		put_series(seg, i, HOST_MEMINFO, SHM_HOST_INT, name, i);
	}
	seg->host.count = SHM_HOST_SERIES_MAX;
	text = render_host_text(seg);
	assert_non_null(strstr(text, "node_memory_M0000"));
	assert_whole_lines(text);
	free(text);
	fixture_free(seg);
}

/* Before the first sample (every collector off): no host family at all. */
static void test_nothing_before_a_sample(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	char *text = render_host_text(seg);
	assert_string_equal(text, "");
	free(text);
	fixture_free(seg);
}

/* statfs() as the filesystem collector's jobs meet it: a path with
 * "/hang" blocks, as a stale mount's does, until released; every path
 * with "tail" (the end of a field too long) is counted. */
static pthread_mutex_t fs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fs_released_cond = PTHREAD_COND_INITIALIZER;
static bool fs_released;
static unsigned fs_blocked, fs_blocked_most, fs_truncated;

static int fake_statfs(const char *path, struct statfs *st)
{
	pthread_mutex_lock(&fs_lock);
	fs_truncated += strstr(path, "tail") != NULL;
	if (strstr(path, "/hang")) {
		fs_blocked++;
		fs_blocked_most = fs_blocked > fs_blocked_most ? fs_blocked : fs_blocked_most;
		while (!fs_released)
			pthread_cond_wait(&fs_released_cond, &fs_lock);
		fs_blocked--;
	}
	pthread_mutex_unlock(&fs_lock);
	memset(st, 0, sizeof *st);
	st->f_bsize = 1024;
	st->f_blocks = 8;
	return 0;
}

struct fs_fixture {
	char root[64];
	struct config cfg;
	struct pool pool;
	struct host_ctx ctx;
	void *state;
	struct host_out out;
};

/* The collector over a proc/1/mounts of `mounts`, with reader-threads 1
 * and reader-threads-max 3 (2 statfs jobs out at most). */
static struct fs_fixture *fs_start(const char *mounts)
{
	struct fs_fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->root, sizeof f->root, "/tmp/test_host_fs.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	char dir[128];
	snprintf(dir, sizeof dir, "%s/proc/1", f->root);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "mounts", mounts);
	config_defaults(&f->cfg);
	snprintf(f->cfg.rootfs, sizeof f->cfg.rootfs, "%s", f->root);
	f->cfg.reader_threads = 1;
	f->cfg.reader_threads_max = 3;
	assert_int_equal(pool_init(&f->pool, 1, 3, 1000000, 256 * 1024), 0);
	f->ctx.cfg = &f->cfg;
	snprintf(f->ctx.proc, sizeof f->ctx.proc, "%s/proc", f->root);
	f->ctx.pool = &f->pool;
	f->ctx.read_timeout_ns = 1000000;
	f->ctx.wait_ns = 20000000;
	fs_released = false;
	fs_blocked = fs_blocked_most = fs_truncated = 0;
	host_statfs = fake_statfs;
	f->state = host_filesystem_new(&f->ctx);
	assert_non_null(f->state);
	return f;
}

static void fs_sample(struct fs_fixture *f)
{
	f->out.count = 0;
	f->out.left_out = 0;
	f->ctx.now_ns = monotonic_ns();
	host_filesystem_collect(&f->ctx, f->state, &f->out);
	pool_tick(&f->pool); /* as the sampler does: threads in place of held ones */
	usleep(3000);
}

/* The value of the family's series for the mount point, or -1. */
static long long fs_value(const struct fs_fixture *f, enum host_family fam, const char *mp)
{
	char want[200];
	snprintf(want, sizeof want, "mountpoint=\"%s\"", mp);
	for (unsigned i = 0; i < f->out.count; i++) {
		const struct host_series *s = &f->out.s[i];
		if (s->family == fam && s->text_len >= strlen(want) &&
		    memcmp(s->text + s->text_len - strlen(want), want, strlen(want)) == 0)
			return (long long)s->value_bits;
	}
	return -1;
}

/* Release the hung statfs calls and wait until no job runs or waits. */
static void fs_release(struct fs_fixture *f)
{
	pthread_mutex_lock(&fs_lock);
	fs_released = true;
	pthread_cond_broadcast(&fs_released_cond);
	pthread_mutex_unlock(&fs_lock);
	struct pool_stats st;
	for (int i = 0; i < 5000; i++) {
		pool_get_stats(&f->pool, &st);
		if (st.busy == 0 && st.waiting == 0)
			break;
		usleep(1000);
	}
}

/* As the worker ends: the collector's state freed while the pool runs. */
static void fs_stop(struct fs_fixture *f)
{
	fs_release(f);
	host_filesystem_free(f->state);
	assert_true(pool_stop(&f->pool, monotonic_ns() + 5000000000LL));
	free(f->ctx.scratch.buf);
	host_statfs = statfs;
	remove_tree(f->root);
	free(f);
}

/* A device or mount point longer than any buffer is never cut and
 * statfs()'d as another path; the mounts around it keep their figures. */
static void test_filesystem_long_fields(void **state)
{
	(void)state;
	GString *m = g_string_new("/dev/sda1 / ext4 rw 0 0\n");
	g_string_append_printf(m, "%0300d", 0);
	g_string_append(m, "devtail /data ext4 rw 0 0\nsrv:/x /long");
	for (int i = 0; i < 600; i++)
		g_string_append_c(m, 'l');
	g_string_append(m, "tail nfs rw 0 0\ntmpfs /ok tmpfs rw 0 0\n");
	struct fs_fixture *f = fs_start(m->str);
	g_string_free(m, TRUE);
	fs_sample(f);
	assert_int_equal(fs_truncated, 0);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/"), 8192);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/ok"), 8192);
	assert_true(f->out.left_out > 0); /* their labels do not fit: counted */
	fs_stop(f);
}

/* Hung mounts hold at most reader-threads-max - reader-threads reader
 * threads; the mounts past that bound are shown with device_error 1, and
 * get their figures again once the hung ones come back. */
static void test_filesystem_hung_bounded(void **state)
{
	(void)state;
	struct fs_fixture *f = fs_start("/dev/sda1 / ext4 rw 0 0\nsrv:/a /hang1 nfs rw 0 0\nsrv:/b /hang2 nfs rw 0 0\n"
					"srv:/c /hang3 nfs rw 0 0\nsrv:/d /hang4 nfs rw 0 0\ntmpfs /ok tmpfs rw 0 0\n");
	/* samples until two are hung, then a few more that could start more */
	unsigned most = 0;
	for (int i = 0, more = 5; i < 200 && more > 0; i++) {
		fs_sample(f);
		pthread_mutex_lock(&fs_lock);
		most = fs_blocked_most;
		pthread_mutex_unlock(&fs_lock);
		more -= most >= 2;
	}
	assert_int_equal(most, 2);
	assert_int_equal(fs_value(f, HOST_FS_DEVICE_ERROR, "/hang1"), 1);
	assert_int_equal(fs_value(f, HOST_FS_DEVICE_ERROR, "/hang4"), 1);
	assert_int_equal(fs_value(f, HOST_FS_DEVICE_ERROR, "/ok"), 1);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/ok"), -1);

	pthread_mutex_lock(&fs_lock);
	fs_released = true;
	pthread_cond_broadcast(&fs_released_cond);
	pthread_mutex_unlock(&fs_lock);
	for (int i = 0; i < 100 && fs_value(f, HOST_FS_SIZE_BYTES, "/hang4") != 8192; i++)
		fs_sample(f);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/ok"), 8192);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/hang4"), 8192);
	fs_stop(f);
}

/* A statfs that returns after its sample gave up waiting for it is
 * taken back when the collector is freed: nothing of the state leaks (the
 * leak checkers of make asan and make valgrind see it otherwise). */
static void test_filesystem_free_after_late_statfs(void **state)
{
	(void)state;
	struct fs_fixture *f = fs_start("srv:/a /hang1 nfs rw 0 0\n");
	fs_sample(f);
	assert_int_equal(fs_blocked_most, 1);
	fs_release(f);
	fs_stop(f);
}

/* A mount table past HOST_TEXT_MAX, cut in the middle of a line's
 * options: that line ("ro" cut to "r") is not shown as read-write, it is
 * left out with the line after it, and both are counted. */
static void test_mounts_past_buffer(void **state)
{
	(void)state;
	const char *head = "/dev/sda1 / ext4 rw 0 0\n", *cut = "/dev/sdb1 /data ext4 r";
	GString *m = g_string_new(head);
	size_t room = HOST_TEXT_MAX - 1 - strlen(cut); /* the bytes before the cut line */
	for (unsigned i = 0; m->len + 200 < room; i++)
		g_string_append_printf(m, "proc /proc/p%08u proc rw 0 0\n", i);
	size_t pad = room - m->len - strlen("proc /proc/ proc rw 0 0\n");
	g_string_append(m, "proc /proc/");
	for (size_t i = 0; i < pad; i++)
		g_string_append_c(m, 'x');
	g_string_append(m, " proc rw 0 0\n/dev/sdb1 /data ext4 ro,noatime 0 0\ntmpfs /after tmpfs rw 0 0\n");
	struct fs_fixture *f = fs_start(m->str);
	g_string_free(m, TRUE);
	fs_sample(f);
	for (int i = 0; i < 100 && fs_value(f, HOST_FS_SIZE_BYTES, "/") != 8192; i++)
		fs_sample(f);
	memset(f->ctx.left_out, 0, sizeof f->ctx.left_out); /* as each sample starts */
	fs_sample(f);
	assert_int_equal(fs_value(f, HOST_FS_SIZE_BYTES, "/"), 8192);
	assert_int_equal(fs_value(f, HOST_FS_READONLY, "/"), 0);
	assert_int_equal(fs_value(f, HOST_FS_READONLY, "/data"), -1);
	assert_int_equal(fs_value(f, HOST_FS_DEVICE_ERROR, "/data"), -1);
	assert_int_equal(fs_value(f, HOST_FS_DEVICE_ERROR, "/after"), -1);
	assert_int_equal(f->ctx.left_out[SHM_HOST_LINES], 2); /* the cut line and the next */
	fs_stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaped),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_netdev),
		cmocka_unit_test(test_untrusted_block),
		cmocka_unit_test(test_untrusted_text),
		cmocka_unit_test(test_nothing_before_a_sample),
		cmocka_unit_test(test_filesystem_long_fields),
		cmocka_unit_test(test_filesystem_hung_bounded),
		cmocka_unit_test(test_stat_read_once),
		cmocka_unit_test(test_stat_past_buffer),
		cmocka_unit_test(test_mounts_past_buffer),
		cmocka_unit_test(test_filesystem_free_after_late_statfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
