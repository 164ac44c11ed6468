/*
 * test_textfile.c - the textfile collector: the strict parser of *.prom
 * files, the merge of files into one page (whole or refused whole), one
 * pass over a real directory with its bounds, the text buffers in the
 * segment (a torn or out-of-bounds publication is never served), the
 * exporter's check of what it copies, and that every family the
 * exporter writes is known as ours (so no file can redefine one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <event2/buffer.h>
#include <glib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/families.h"
#include "../../common/promparse.h"
#include "../../exporter/render.h"
#include "../../exporter/render_process.h"
#include "../../shm/seqlock.h"
#include "../../shm/segment.h"
#include "../../shm/textfile.h"
#include "../../shm/view.h"
#include "../../worker/textfile.h"
#include "../../worker/textfile_merge.h"
#define FIXTURE_WITH_CHANNELS
#define FIXTURE_WITH_EVBUFFER
#include "fixture.h"

static int parse(struct prom_doc *d, const char *text, char *why, size_t whylen)
{
	return prom_parse(d, text, strlen(text), 1000, why, whylen);
}

static void test_parse_good(void **state)
{
	(void)state;
	struct prom_doc d;
	char why[200] = "";
	prom_doc_init(&d);
	const char *text = "# a comment\n"
			   "\n"
			   "# HELP job_runs_total Runs of the job, with \\\\ and \\n.\n"
			   "# TYPE job_runs_total counter\n"
			   "job_runs_total{job=\"backup\"} 3\n"
			   "  job_runs_total{job=\"sync\",} 4\n"
			   "job_last_ok -1.5e3\n"
			   "# TYPE lat HISTOGRAM\n"
			   "lat_bucket{le=\"0.1\"} 1\n"
			   "lat_bucket{le=\"+Inf\"} 2\n"
			   "lat_sum 0.3\n"
			   "lat_count 2\n"
			   "# TYPE q summary\n"
			   "q{quantile=\"0.5\"} NaN\n"
			   "q_sum +Inf\n"
			   "q_count 0\n"
			   "esc{path=\"a\\\\b\\\"c\\nd\",u=\"\xc3\xa9\"} 1";
	assert_int_equal(parse(&d, text, why, sizeof why), 0);
	assert_string_equal(why, "");
	assert_int_equal(d.nfam, 5);
	assert_int_equal(d.nsmp, 11);
	assert_int_equal(d.fam[0].type, PROM_COUNTER);
	assert_true(d.fam[0].has_help);
	assert_int_equal(d.fam[0].samples, 2);
	assert_int_equal(d.fam[1].type, PROM_UNTYPED);
	assert_false(d.fam[1].has_help);
	assert_int_equal(d.fam[2].type, PROM_HISTOGRAM);
	assert_int_equal(d.fam[2].samples, 4);
	assert_int_equal(d.fam[3].type, PROM_SUMMARY);
	assert_int_equal(d.fam[3].samples, 3);
	/* the line as written, blanks around it cut */
	assert_int_equal(d.smp[1].len, strlen("job_runs_total{job=\"sync\",} 4"));
	assert_memory_equal(d.smp[1].text, "job_runs_total{job=\"sync\",} 4", d.smp[1].len);
	prom_doc_free(&d);
}

static void test_parse_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"bad{ 1\n",
		"ts_metric 1 1700000000000\n",
		"x{a=\"1\",a=\"2\"} 1\n",
		"x{__a=\"1\"} 1\n",
		"x 1\nx 2\n",
		"x{a=\"\"} 1\nx 2\n",
		"x{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 2\n",
		"# TYPE x counter\n# TYPE x gauge\n",
		"x 1\n# TYPE x gauge\n",
		"# TYPE x foo\n",
		"x abc\n",
		"x 0x10\n",
		"x\n",
		"# TYPE h histogram\nh_bucket 1\n",
		"# TYPE h histogram\nh 1\n",
		"# TYPE h histogram\nh_bucket{le=\"a\"} 1\n",
		"# TYPE s summary\ns 1\n",
		"x{a=\"\\q\"} 1\n",
		"x{a=\"\xff\"} 1\n",
		"# HELP x a\\qb\n",
		"# HELP x a\n# HELP x b\n",
		"x{a=\"1\"}1\n",
		"1x 1\n",
		"x-y 1\n",
		"x{a=\"1\" 1\n",
		"x{a=1} 1\n",
		"x 1\r\n",
		"x 1 \n",
		"x\t1\t\n",
		"# TYPE h histogram\n# TYPE h_sum gauge\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct prom_doc d;
		char why[200] = "";
		prom_doc_init(&d);
		if (parse(&d, bad[i], why, sizeof why) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_true(why[0] != '\0');
		prom_doc_free(&d);
	}
	/* a NUL byte, which strlen would hide */
	struct prom_doc d;
	char why[200];
	prom_doc_init(&d);
	assert_int_equal(prom_parse(&d, "x 1\n\0y 2\n", 9, 10, why, sizeof why), -1);
	/* more samples than the bound: stopped, and said so */
	assert_int_equal(prom_parse(&d, "a 1\nb 2\nc 3\n", 12, 2, why, sizeof why), -1);
	assert_true(d.too_many);
	prom_doc_free(&d);
}

/* A parsed file for the merge; the text stays in the struct. */
struct file {
	const char *path;
	struct prom_doc doc;
};

static void load(struct file *f, const char *path, const char *text)
{
	char why[200];
	f->path = path;
	prom_doc_init(&f->doc);
	if (prom_parse(&f->doc, text, strlen(text), 1000, why, sizeof why) != 0)
		fail_msg("%s: %s", path, why);
}

static void page_is_valid(const char *page, size_t len)
{
	char why[200] = "";
	if (!render_textfile_page_valid(page, len, why, sizeof why))
		fail_msg("page refused: %s\n%s", why, page);
}

static void test_merge_groups_families_across_files(void **state)
{
	(void)state;
	struct file a, b;
	char why[200];
	load(&a, "/d/a.prom", "# HELP jobs Jobs.\n# TYPE jobs gauge\njobs{j=\"1\"} 1\nplain 1\n");
	load(&b, "/d/b.prom", "other 5\n# HELP jobs Jobs.\n# TYPE jobs gauge\njobs{j=\"2\"} 2\nplain{x=\"y\"} 2\n");
	struct textfile_merge *m = textfile_merge_new(100, 1 << 16);
	assert_int_equal(textfile_merge_add(m, a.path, 1700000000, &a.doc, why, sizeof why), 0);
	assert_int_equal(textfile_merge_add(m, b.path, 1700000001, &b.doc, why, sizeof why), 0);
	char *page;
	size_t len = textfile_merge_render(m, false, &page);
	assert_string_equal(page,
			    "# HELP jobs Jobs.\n"
			    "# TYPE jobs gauge\n"
			    "jobs{j=\"1\"} 1\n"
			    "jobs{j=\"2\"} 2\n"
			    "# HELP plain Metric read from /d/a.prom, /d/b.prom\n"
			    "# TYPE plain untyped\n"
			    "plain 1\n"
			    "plain{x=\"y\"} 2\n"
			    "# HELP other Metric read from /d/b.prom\n"
			    "# TYPE other untyped\n"
			    "other 5\n"
			    "# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n"
			    "# TYPE node_textfile_mtime_seconds gauge\n"
			    "node_textfile_mtime_seconds{file=\"/d/a.prom\"} 1700000000\n"
			    "node_textfile_mtime_seconds{file=\"/d/b.prom\"} 1700000001\n"
			    "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 "
			    "otherwise\n"
			    "# TYPE node_textfile_scrape_error gauge\n"
			    "node_textfile_scrape_error 0\n");
	page_is_valid(page, len);
	free(page);
	textfile_merge_free(m);
	prom_doc_free(&a.doc);
	prom_doc_free(&b.doc);
}

/* File `second` is refused after `first` was taken, and the page stays valid. */
static void refused_after(const char *first, const char *second, const char *reason, uint32_t max_series,
			  size_t max_bytes)
{
	struct file a, b;
	char why[200] = "";
	load(&a, "/d/a.prom", first);
	load(&b, "/d/b.prom", second);
	struct textfile_merge *m = textfile_merge_new(max_series, max_bytes);
	assert_int_equal(textfile_merge_add(m, a.path, 1, &a.doc, why, sizeof why), 0);
	if (textfile_merge_add(m, b.path, 2, &b.doc, why, sizeof why) == 0)
		fail_msg("taken: %s after %s", second, first);
	if (!strstr(why, reason))
		fail_msg("reason '%s', expected '%s'", why, reason);
	char *page;
	size_t len = textfile_merge_render(m, true, &page);
	assert_null(strstr(page, "b.prom"));
	assert_non_null(strstr(page, "node_textfile_scrape_error 1\n"));
	page_is_valid(page, len);
	free(page);
	textfile_merge_free(m);
	prom_doc_free(&a.doc);
	prom_doc_free(&b.doc);
}

static void test_merge_refuses_whole(void **state)
{
	(void)state;
	const size_t big = 1 << 16;
	refused_after("# HELP x One.\nx 1\n", "# HELP x Two.\nx{a=\"b\"} 1\ny 1\n", "another help", 100, big);
	refused_after("x 1\n", "# HELP x One.\nx{a=\"b\"} 1\n", "another help", 100, big);
	refused_after("# TYPE x gauge\nx 1\n", "# TYPE x counter\nx{a=\"b\"} 1\n", "is a counter", 100, big);
	refused_after("x{a=\"1\"} 1\n", "y 1\nx{a=\"1\"} 2\n", "repeats a series", 100, big);
	refused_after("x 1\n", "y 1\nsensor_value 3\n", "a family of this service", 100, big);
	refused_after("x 1\n", "node_textfile_scrape_error 0\n", "a family of this service", 100, big);
	refused_after("x 1\n", "process_open_fds 0\n", "a family of this service", 100, big);
	refused_after("# TYPE lat histogram\nlat_sum 1\nlat_count 1\nlat_bucket{le=\"+Inf\"} 1\n", "lat_sum 2\n",
		      "clashes with the sample names", 100, big);
	refused_after("lat_sum 2\n", "# TYPE lat summary\nlat_sum 1\nlat_count 1\n", "clashes with the sample names",
		      100, big);
	refused_after("x 1\n", "# TYPE lat_sum gauge\nlat_sum 1\n# TYPE lat summary\nlat_count 1\n",
		      "its families lat and lat_sum clash", 100, big);
	refused_after("a 1\nb 1\n", "c 1\nd 1\n", "textfile-max-series", 3, big);
	refused_after("a 1\n", "c{x=\"a long label value that does not fit\"} 1\n", "textfile-max-bytes", 100, 420);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_collect_directory(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_textfile.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct textfile_bounds b = { .max_files = 4, .max_series = 100, .max_file_bytes = 4096, .max_bytes = 1 << 16 };
	struct textfile_pass p;
	/* empty: no error, and nothing but the error family (UBSan: no sort of nothing) */
	textfile_collect(dir, &b, &p);
	assert_false(p.error);
	assert_int_equal(p.files, 0);
	assert_non_null(strstr(p.text, "\nnode_textfile_scrape_error 0\n"));
	assert_null(strstr(p.text, "node_textfile_mtime_seconds"));
	free(p.text);
	char *paths[6] = {
		write_file(dir, "a_good.prom", "# HELP backup_ok Last backup worked.\nbackup_ok 1\n"),
		write_file(dir, "b_bad.prom", "bad{ 1\n"),
		write_file(dir, "c_ts.prom", "ts 1 1700000000000\n"),
		write_file(dir, "d_ignored.txt", "not read 1\n"),
		write_file(dir, "e_good.prom", "robot_battery_volts 24.1\n"),
		write_file(dir, "f_beyond.prom", "beyond 1\n"),
	};
	textfile_collect(dir, &b, &p);
	assert_non_null(p.text);
	assert_true(p.error);
	assert_int_equal(p.files, 2);
	assert_int_equal(p.problems, 3); /* b_bad, c_ts, and f_beyond past max_files */
	assert_non_null(strstr(p.text, "\nbackup_ok 1\n"));
	assert_non_null(strstr(p.text, "\nrobot_battery_volts 24.1\n"));
	assert_null(strstr(p.text, "beyond"));
	assert_null(strstr(p.text, "not read"));
	assert_non_null(strstr(p.text, "node_textfile_scrape_error 1\n"));
	assert_non_null(strstr(p.note[0], "textfile-max-files"));
	assert_non_null(strstr(p.note[1], "b_bad.prom"));
	assert_non_null(strstr(p.note[2], "timestamp"));
	page_is_valid(p.text, p.len);
	free(p.text);

	/* a name that is not UTF-8 cannot be a label value: that file alone is
	 * refused, and reported */
	char *odd = write_file(dir, "a_\xff.prom", "odd_name 1\n");
	textfile_collect(dir, &b, &p);
	assert_null(strstr(p.text, "odd_name"));
	assert_non_null(strstr(p.text, "\nbackup_ok 1\n"));
	assert_non_null(strstr(p.text, "node_textfile_scrape_error 1\n"));
	page_is_valid(p.text, p.len);
	free(p.text);
	unlink(odd);
	free(odd);

	/* a file larger than the bound is refused whole */
	b.max_files = 10;
	b.max_file_bytes = 16;
	textfile_collect(dir, &b, &p);
	assert_int_equal(p.files, 1); /* only f_beyond.prom fits in 16 bytes */
	assert_non_null(strstr(p.text, "\nbeyond 1\n"));
	free(p.text);

	for (int i = 0; i < 6; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	rmdir(dir);
	/* the directory gone: an error, and a valid page of it */
	textfile_collect(dir, &b, &p);
	assert_true(p.error);
	assert_int_equal(p.files, 0);
	assert_non_null(strstr(p.note[0], "cannot read directory"));
	assert_string_equal(p.text, "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a "
				    "file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\n"
				    "node_textfile_scrape_error 1\n");
	free(p.text);
}

/* A segment whose textfile buffers hold `cap` bytes each. */
static struct shm_segment *segment_with_text(uint64_t cap)
{
	size_t size = shm_segment_total_size(16, cap);
	void *base = NULL;
	assert_int_equal(posix_memalign(&base, 64, size), 0);
	memset(base, 0, size);
	struct shm_params p = { .ring_capacity = 16,
				.channel_count = 1,
				.heartbeat_timeout_ms = 5000,
				.copy_max_age_ms = 6000,
				.textfile_capacity = cap };
	shm_init_header(base, size, &p);
	fixture_seal(base);
	return base;
}

static void test_segment_buffers(void **state)
{
	(void)state;
	struct shm_segment *seg = segment_with_text(64);
	char dst[64];
	size_t len;
	uint64_t gen;
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_NONE);
	assert_int_equal(shm_textfile_publish(seg, "a 1\n", 4, 7), 0);
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_NEW);
	assert_int_equal(len, 4);
	assert_int_equal(gen, 7);
	assert_memory_equal(dst, "a 1\n", 4);
	assert_int_equal(shm_textfile_read(seg, 7, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_SAME);
	/* too long for the buffers: refused by the writer */
	char big[65];
	memset(big, 'x', sizeof big);
	assert_int_equal(shm_textfile_publish(seg, big, sizeof big, 8), -1);

	/* a writer killed while writing the other buffer: the published one is read */
	unsigned other = (SHM_LOAD(&seg->textfile.active) & 1u) ^ 1u;
	seqlock_write_begin(&seg->textfile.buf[other].seq);
	SHM_STORE(&seg->textfile.buf[other].len, 9999);
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_NEW);
	assert_int_equal(gen, 7);
	/* and its successor publishes there as if nothing happened */
	assert_int_equal(shm_textfile_publish(seg, "b 22\n", 5, 9), 0);
	assert_int_equal(shm_textfile_read(seg, 7, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_NEW);
	assert_int_equal(len, 5);
	assert_memory_equal(dst, "b 22\n", 5);

	/* stray values: a length beyond the capacity, a counter left odd,
	 * an `active` out of range */
	unsigned cur = SHM_LOAD(&seg->textfile.active) & 1u;
	SHM_STORE(&seg->textfile.buf[cur].len, 65);
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_BAD);
	SHM_STORE(&seg->textfile.buf[cur].len, 5);
	SHM_STORE(&seg->textfile.active, 0xfffffff0u | cur);
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_NEW);
	SHM_STORE(&seg->textfile.buf[cur].seq, 3);
	assert_int_equal(shm_textfile_read(seg, 0, dst, sizeof dst, &len, &gen), SHM_TEXTFILE_TORN);
	/* a destination smaller than the capacity is never written */
	assert_int_equal(shm_textfile_read(seg, 0, dst, 8, &len, &gen), SHM_TEXTFILE_NONE);

	/* the capacity is part of the geometry: validated, and repaired */
	char err[200];
	assert_int_equal(shm_validate(seg, shm_segment_total_size(16, 64), err, sizeof err), 0);
	assert_int_equal(shm_validate(seg, shm_segment_total_size(16, 64) - 1, err, sizeof err), -1);
	seg->textfile.capacity = 1u << 30;
	assert_int_equal(shm_validate(seg, shm_segment_total_size(16, 64), err, sizeof err), -1);
	char what[200];
	assert_int_equal(shm_view_repair(seg, what, sizeof what), 1);
	assert_string_equal(what, "textfile.capacity");
	assert_int_equal(seg->textfile.capacity, 64);
	fixture_free(seg);
}

static char *metrics_page(const struct shm_segment *seg)
{
	struct evbuffer *b = evbuffer_new();
	assert_non_null(b);
	render_metrics(b, seg, seg->hdr.created_monotonic_ns + 1000000000);
	struct selfstat st = {
		.have_cpu = true, .have_start = true, .have_memory = true, .have_fds = true, .have_max_fds = true
	};
	render_process_stats(b, &st);
	render_scrape_cost(b, 0.5, 3);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static void test_exporter_serves_checked_page(void **state)
{
	(void)state;
	struct shm_segment *seg = segment_with_text(4096);
	char *page = metrics_page(seg);
	assert_null(strstr(page, "node_textfile"));
	free(page);

	const char *good = "# HELP robot_volts Volts.\n# TYPE robot_volts gauge\nrobot_volts 24\n"
			   "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 "
			   "otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0\n";
	assert_int_equal(shm_textfile_publish(seg, good, strlen(good), 1), 0);
	page = metrics_page(seg);
	assert_non_null(strstr(page, good));
	free(page);

	/* what the segment must never make the exporter serve */
	static const char *const refused[] = {
		"robot_volts 24\n",                                                                 /* no HELP, TYPE */
		"# HELP sensor_value x\n# TYPE sensor_value gauge\nsensor_value 1\n",               /* ours */
		"# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 2\n", /* apart */
		"# HELP a x\n# TYPE a gauge\na 1 17\n", /* not even text format */
		"# HELP a x\n# TYPE a gauge\na 1",      /* the next family would share its line */
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		assert_int_equal(shm_textfile_publish(seg, refused[i], strlen(refused[i]), 2 + i), 0);
		page = metrics_page(seg);
		if (strstr(page, refused[i]))
			fail_msg("served: %s", refused[i]);
		free(page);
	}
	fixture_free(seg);
}

/* Every family on a page the exporter renders is one family_is_ours
 * knows: a *.prom file can never add a second one of it. */
static void test_every_family_is_ours(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_described_segment(16, 3);
	char *page = metrics_page(seg);
	unsigned n = 0;
	for (const char *p = strstr(page, "# TYPE "); p; p = strstr(p + 1, "\n# TYPE ")) {
		const char *name = p + (*p == '\n' ? 8 : 7);
		size_t len = strcspn(name, " ");
		if (!family_is_ours(name, len))
			fail_msg("not known as ours: %.*s", (int)len, name);
		n++;
	}
	assert_true(n > 30);
	free(page);
	fixture_free(seg);
}

/* A page of one family with n samples. */
static char *page_of(unsigned n, size_t *len)
{
	GString *g = g_string_new("# HELP a x\n# TYPE a gauge\n");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(g, "a{i=\"%u\"} 1\n", i);
	*len = g->len;
	return g_string_free(g, FALSE);
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* The exporter parses no more samples than the collector's limits let the
 * worker write. */
static void test_exporter_check_bounded(void **state)
{
	(void)state;
	char why[200];
	size_t len;
	render_textfile_bound(10, 2); /* 10 series, 2 mtime series, the error series */
	char *page = page_of(13, &len);
	assert_true(render_textfile_page_valid(page, len, why, sizeof why));
	g_free(page);
	page = page_of(14, &len);
	assert_false(render_textfile_page_valid(page, len, why, sizeof why));
	assert_non_null(strstr(why, "more than 13 samples"));
	g_free(page);
	render_textfile_bound(1000, 64);
}

/* A page near the bounds is parsed, and its parse arrays go after. */
static void test_exporter_check_frees(void **state)
{
	(void)state;
	char why[200];
	size_t len;
	render_textfile_bound(100000, 64);
	char *page = page_of(20000, &len);
	size_t before = heap_in_use();
	void *volatile probe = malloc(1 << 20);
	bool counted = heap_in_use() >= before + (1 << 20); /* not under a sanitizer's allocator */
	free(probe);
	assert_true(render_textfile_page_valid(page, len, why, sizeof why));
	size_t after = heap_in_use();
	g_free(page);
	render_textfile_bound(1000, 64);
	if (!counted)
		skip(); /* the heap cannot be measured here */
	assert_true(after < before + 64 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_merge_groups_families_across_files),
		cmocka_unit_test(test_merge_refuses_whole),
		cmocka_unit_test(test_collect_directory),
		cmocka_unit_test(test_segment_buffers),
		cmocka_unit_test(test_exporter_serves_checked_page),
		cmocka_unit_test(test_every_family_is_ours),
		cmocka_unit_test(test_exporter_check_bounded),
		cmocka_unit_test(test_exporter_check_frees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
