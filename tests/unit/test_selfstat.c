/*
 * test_selfstat.c - the process_* figures from a fixture procfs (a stat
 * line whose command name holds spaces and parentheses, limits, fd
 * entries), the parts left out when files are missing or garbled, the
 * exact text rendered, a sanity read of the real /proc/self, and that
 * files opened once are read afresh at every sample: a changed stat
 * line, fds opened and a lowered fd limit show in the next sample, and
 * that scrapes within the age bound share a sample.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../../exporter/render_process.h"
#include "../../exporter/selfstat.h"

static char root[] = "/tmp/test_selfstat.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/test_selfstat.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char path[256];
	snprintf(path, sizeof path, "%s/42", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/42/fd", root);
	mkdir(path, 0755);
	for (int i = 0; i < 5; i++) {
		char name[32];
		snprintf(name, sizeof name, "42/fd/%d", i);
		put(name, "");
	}
	put("stat", "cpu  1 2 3 4\nintr 5\nbtime 1700000000\nprocesses 9\n");
	/* utime 250, stime 150 ticks; starttime 12345 ticks; vsize; rss 300 pages */
	put("42/stat", "42 (sensor (exp) x) S 1 42 42 0 -1 4194560 10 0 0 0 250 150 0 0 20 0 1 0 12345 "
		       "6508544 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
	put("42/statm", "1589 300 120 40 0 700 0\n"); /* 1589 pages = 6508544 bytes */
	put("42/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
			 "Max cpu time              unlimited            unlimited            seconds   \n"
			 "Max open files            1024                 524288               files     \n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(root);
	return 0;
}

/* The text in `b`, NUL-terminated (the buffer keeps it). */
static const char *text_of(struct evbuffer *b)
{
	evbuffer_add(b, "", 1);
	return (const char *)evbuffer_pullup(b, -1);
}

static void test_fixture(void **state)
{
	(void)state;
	struct selfstat st;
	selfstat_read(root, "42", 100, 4096, &st);
	assert_true(st.have_cpu && st.have_start && st.have_memory);
	assert_true(st.cpu_seconds > 3.999 && st.cpu_seconds < 4.001);
	assert_true(st.start_time_seconds > 1700000123.449 && st.start_time_seconds < 1700000123.451);
	assert_int_equal(st.virtual_bytes, 6508544);
	assert_int_equal(st.resident_bytes, 300 * 4096);
	assert_true(st.have_fds);
	assert_int_equal(st.open_fds, 5);
	assert_true(st.have_max_fds);
	assert_int_equal(st.max_fds, 1024);

	struct evbuffer *b = evbuffer_new();
	render_process_stats(b, &st);
	assert_string_equal(text_of(b),
			    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
			    "# TYPE process_cpu_seconds_total counter\n"
			    "process_cpu_seconds_total 4\n"
			    "# HELP process_open_fds Number of open file descriptors.\n"
			    "# TYPE process_open_fds gauge\n"
			    "process_open_fds 5\n"
			    "# HELP process_max_fds Maximum number of open file descriptors.\n"
			    "# TYPE process_max_fds gauge\n"
			    "process_max_fds 1024\n"
			    "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
			    "# TYPE process_virtual_memory_bytes gauge\n"
			    "process_virtual_memory_bytes 6508544\n"
			    "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
			    "# TYPE process_resident_memory_bytes gauge\n"
			    "process_resident_memory_bytes 1228800\n"
			    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
			    "# TYPE process_start_time_seconds gauge\n"
			    "process_start_time_seconds 1700000123.45\n");
	evbuffer_free(b);
}

/* Garbled or missing files: those families are left out, never zeros. */
static void test_missing_parts(void **state)
{
	(void)state;
	struct selfstat st;
	selfstat_read(root, "7", 100, 4096, &st); /* no such process */
	assert_false(st.have_cpu || st.have_start || st.have_memory || st.have_fds || st.have_max_fds);

	put("42/stat", "42 (truncated) S 1 42\n");
	put("42/statm", "1589\n");
	put("42/limits", "Max open files            unlimited            unlimited            files\n");
	selfstat_read(root, "42", 100, 4096, &st);
	assert_false(st.have_cpu || st.have_start || st.have_memory);
	assert_true(st.have_fds);
	assert_false(st.have_max_fds);

	struct evbuffer *b = evbuffer_new();
	render_process_stats(b, &st);
	const char *text = text_of(b);
	assert_non_null(strstr(text, "process_open_fds 5\n"));
	assert_null(strstr(text, "process_cpu_seconds_total"));
	assert_null(strstr(text, "process_max_fds"));
	assert_null(strstr(text, "process_start_time_seconds"));
	assert_null(strstr(text, "process_resident_memory_bytes"));
	evbuffer_free(b);

	/* a statm that is only partly numbers is left out too */
	put("42/statm", "1589 x300 0\n");
	selfstat_read(root, "42", 100, 4096, &st);
	assert_false(st.have_memory);
	put("42/statm", "1589 300 120 40 0 700 0\n");
}

static void test_real_self(void **state)
{
	(void)state;
	struct selfstat st;
	selfstat_read("/proc", "self", sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), &st);
	assert_true(st.have_cpu && st.have_start && st.have_memory && st.have_fds && st.have_max_fds);
	assert_true(st.resident_bytes > 0 && st.virtual_bytes >= st.resident_bytes);
	assert_true(st.open_fds >= 3);
	double now = (double)time(NULL);
	assert_true(st.start_time_seconds <= now + 1 && st.start_time_seconds > now - 3600);
}

/* Open once, sample twice: the second sample reads the file as it is now. */
static void test_open_files_are_read_again(void **state)
{
	(void)state;
	put("42/stat", "42 (x) S 1 42 42 0 -1 4194560 10 0 0 0 250 150 0 0 20 0 1 0 12345 6508544 300 0\n");
	struct selfstat_src src;
	struct selfstat st;
	selfstat_open(&src, root, "42", 100, 4096);
	selfstat_sample(&src, &st);
	assert_true(st.cpu_seconds > 3.999 && st.cpu_seconds < 4.001);
	/* rewritten in place (same inode, the open fd sees it), longer than
	 * before; the start time is read at open, so a new one is not seen */
	put("42/stat", "42 (x) S 1 42 42 0 -1 4194560 10 0 0 0 12500 7500 0 0 20 0 1 0 99999 6508544 3000 0\n");
	put("42/statm", "1589 3000 120 40 0 700 0\n");
	put("42/fd/5", "");
	selfstat_sample(&src, &st);
	assert_true(st.cpu_seconds > 199.999 && st.cpu_seconds < 200.001);
	assert_int_equal(st.resident_bytes, 3000 * 4096);
	assert_true(st.start_time_seconds > 1700000123.449 && st.start_time_seconds < 1700000123.451);
	assert_int_equal(st.open_fds, 6);
	selfstat_close(&src);
	char path[256];
	snprintf(path, sizeof path, "%s/42/fd/5", root);
	unlink(path);
}

/* The entries of /proc/self/fd, listed by this test (its own listing's fd
 * among them). */
static uint64_t listed_fds(void)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "/proc/%d/fd", (int)getpid());
	DIR *d = opendir(cmd);
	assert_non_null(d);
	uint64_t n = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_real_self_sampled_again(void **state)
{
	(void)state;
	struct selfstat_src src;
	struct selfstat st;
	selfstat_open(&src, "/proc", "self", sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
	selfstat_sample(&src, &st);
	assert_true(st.have_cpu && st.have_memory && st.have_fds && st.have_max_fds);
	/* every open fd, the source's own among them: a listing sees one
	 * more, the listing's own */
	assert_int_equal(st.open_fds, listed_fds() - 1);
	uint64_t before = st.open_fds;
	int a = dup(0), b = dup(0);
	assert_true(a >= 0 && b >= 0);
	selfstat_sample(&src, &st);
	assert_int_equal(st.open_fds, before + 2);
	close(a);
	close(b);

	struct rlimit old, lower;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lower = old;
	lower.rlim_cur = old.rlim_cur > 100 ? old.rlim_cur - 1 : old.rlim_cur;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lower), 0);
	selfstat_sample(&src, &st);
	assert_int_equal(st.max_fds, lower.rlim_cur);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	selfstat_close(&src);
}

/* The calling process's CPU comes from its CPU clock: it agrees with
 * getrusage and rises with work done between two samples. */
static void test_real_self_cpu(void **state)
{
	(void)state;
	struct selfstat_src src;
	struct selfstat a, b;
	selfstat_open(&src, "/proc", "self", sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
	selfstat_sample(&src, &a);
	volatile uint64_t x = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do { /* 50 ms of work */
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i * 7;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 50000000L);
	(void)x; /* the work's result, kept only so it is not optimized away */
	selfstat_sample(&src, &b);
	struct rusage ru;
	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	double used = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	assert_true(a.have_cpu && b.have_cpu);
	assert_true(b.cpu_seconds > a.cpu_seconds);
	assert_true(b.cpu_seconds > used - 0.01 && b.cpu_seconds < used + 0.01);
	selfstat_close(&src);
}

/* The render time summary: a sum and a count, no quantiles. */
static void test_scrape_cost_text(void **state)
{
	(void)state;
	struct evbuffer *b = evbuffer_new();
	render_scrape_cost(b, 0.0125, 2500);
	assert_string_equal(text_of(b),
			    "# HELP sensor_metrics_render_seconds Time the exporter spent rendering /metrics bodies "
			    "(before any compression).\n"
			    "# TYPE sensor_metrics_render_seconds summary\n"
			    "sensor_metrics_render_seconds_sum 0.0125\n"
			    "sensor_metrics_render_seconds_count 2500\n");
	evbuffer_free(b);
}

/* Samples closer together than the age bound share one; an older one,
 * or a clock that went backwards, reads the files again. */
static void test_sample_within_age(void **state)
{
	(void)state;
	const int64_t ms = 1000 * 1000;
	struct selfstat_src src;
	struct selfstat st;
	put("42/statm", "1589 300 120 40 0 700 0\n");
	selfstat_open(&src, root, "42", 100, 4096);
	selfstat_sample_within(&src, 1000 * ms, 10 * ms, &st);
	assert_int_equal(st.resident_bytes, 300 * 4096);
	put("42/statm", "1589 600 120 40 0 700 0\n");
	selfstat_sample_within(&src, 1010 * ms, 10 * ms, &st); /* 10 ms old: shared */
	assert_int_equal(st.resident_bytes, 300 * 4096);
	selfstat_sample_within(&src, 1011 * ms, 10 * ms, &st); /* 11 ms old: read again */
	assert_int_equal(st.resident_bytes, 600 * 4096);
	put("42/statm", "1589 900 120 40 0 700 0\n");
	selfstat_sample_within(&src, 1005 * ms, 10 * ms, &st); /* the clock went back */
	assert_int_equal(st.resident_bytes, 900 * 4096);
	selfstat_close(&src);
	put("42/statm", "1589 300 120 40 0 700 0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_real_self),
		cmocka_unit_test(test_open_files_are_read_again),
		cmocka_unit_test(test_real_self_sampled_again),
		cmocka_unit_test(test_real_self_cpu),
		cmocka_unit_test(test_sample_within_age),
		cmocka_unit_test(test_scrape_cost_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
