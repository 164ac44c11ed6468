/*
 * test_nodehw.c - node_exporter's hwmon and thermal_zone series: names and
 * values as node_exporter 1.5.0 makes them (clean names, the chip label,
 * value parsing and scales), the table the worker fills from a board
 * fixture, and the exporter's rendering of a table it must not trust.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIXTURE_WITH_EVBUFFER
#include "../../exporter/render.h"
#include "../../exporter/textbuf.h"
#include "../../shm/seqlock.h"
#include "../../worker/nodehw.h"
#include "fixture.h"

#define BOARDS "tests/fixtures/boards"

static void test_clean_names(void **state)
{
	(void)state;
	char out[64];
	const struct {
		const char *in, *want;
	} cases[] = {
		{ "coretemp.0", "coretemp_0" },
		{ "nvme\n", "nvme" },
		{ "Core 0", "core_0" },
		{ "0000:0a:00.0", "0000:0a:00_0" },
		{ "__x__", "x" },
		{ "ACPI000D:00", "acpi000d:00" },
		{ "caf\xc3\xa9", "caf" },
		{ "a\xc3\xa9"
		  "b",
		  "a_b" },
		{ "---", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		nodehw_clean(cases[i].in, strlen(cases[i].in), out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_chip_label(void **state)
{
	(void)state;
	char out[64];
	/* the device link: its directory's parent and name */
	assert_true(nodehw_chip_label(BOARDS "/gateway/sys/class/hwmon/hwmon2", out, sizeof out));
	assert_string_equal(out, "platform_nct6775_656");
	assert_true(nodehw_chip_label(BOARDS "/nvme/sys/class/hwmon/hwmon1", out, sizeof out));
	assert_string_equal(out, "nvme_nvme0");
	assert_true(nodehw_chip_label(BOARDS "/thermals/sys/class/hwmon/hwmon0", out, sizeof out));
	assert_string_equal(out, "thermal_thermal_zone0");
	/* no device link: the name file */
	assert_true(nodehw_chip_label(BOARDS "/pc/sys/class/hwmon/hwmon3", out, sizeof out));
	assert_string_equal(out, "coretemp");
}

static void test_values(void **state)
{
	(void)state;
	double v;
	assert_true(nodehw_value("41500", NODEHW_FLOAT, NODEHW_TIMES_MILLI, &v));
	assert_true(v == 41500 * 0.001);
	assert_true(nodehw_value("18320000", NODEHW_FLOAT, NODEHW_PER_MEGA, &v));
	assert_true(v == 18320000 / 1000000.0);
	assert_true(nodehw_value("-273150", NODEHW_FLOAT, NODEHW_TIMES_MILLI, &v));
	assert_true(v == -273150 * 0.001);
	assert_true(nodehw_value("1054", NODEHW_FLOAT, NODEHW_ONE, &v));
	assert_true(v == 1054);
	/* a zone's temperature: an integer, blanks around allowed, / 1000 */
	assert_true(nodehw_value(" 41250\n", NODEHW_INT, NODEHW_PER_KILO, &v));
	assert_true(v == 41250 / 1000.0);
	assert_false(nodehw_value("41.5", NODEHW_INT, NODEHW_PER_KILO, &v));
	/* what node_exporter's ParseFloat refuses */
	assert_false(nodehw_value("N/A", NODEHW_FLOAT, NODEHW_ONE, &v));
	assert_false(nodehw_value("", NODEHW_FLOAT, NODEHW_ONE, &v));
	assert_false(nodehw_value(" 5", NODEHW_FLOAT, NODEHW_ONE, &v));
	assert_false(nodehw_value("5 ", NODEHW_FLOAT, NODEHW_ONE, &v));
	assert_false(nodehw_value("1e999", NODEHW_FLOAT, NODEHW_ONE, &v));
	/* beep_enable: "1" is 1, anything else 0 */
	assert_true(nodehw_value("1", NODEHW_BEEP, NODEHW_ONE, &v));
	assert_true(v == 1);
	assert_true(nodehw_value("yes", NODEHW_BEEP, NODEHW_ONE, &v));
	assert_true(v == 0);
}

/* The rendered /metrics text of a segment. */
static char *render(const struct shm_segment *seg)
{
	struct evbuffer *b = evbuffer_new();
	struct textbuf tb;
	tb_begin(&tb, b, 0);
	render_node_families(&tb, seg);
	tb_end(&tb);
	char *s = fixture_evbuffer_string(b);
	evbuffer_free(b);
	return s;
}

static void test_scan_gateway(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct nodehw n;
	assert_int_equal(nodehw_scan(&n, BOARDS "/gateway", &seg->node_hw), 0);
	assert_int_equal(atomic_load(&seg->node_hw.seq) % 2, 0);
	assert_int_equal(atomic_load(&seg->node_hw.count), n.series);
	assert_int_equal(n.dropped, 0);
	nodehw_read(&n, &seg->node_hw);
	char *text = render(seg);
	const char *want[] = {
		"node_hwmon_temp_celsius{chip=\"platform_nct6775_656\",sensor=\"temp1\"} 41.5\n",
		"node_hwmon_sensor_label{chip=\"platform_nct6775_656\",label=\"PECI Agent 0\",sensor=\"temp7\"} 1\n",
		"node_hwmon_chip_names{chip=\"platform_nct6775_656\",chip_name=\"nct6798\"} 1\n",
		"node_hwmon_fan_rpm{chip=\"platform_nct6775_656\",sensor=\"fan1\"} 1054\n",
		"node_hwmon_fan_target_rpm{chip=\"platform_nct6775_656\",sensor=\"fan1\"} 1100\n",
		"node_hwmon_in_alarm{chip=\"platform_nct6775_656\",sensor=\"in1\"} 1\n",
		"node_hwmon_intrusion_alarm{chip=\"platform_nct6775_656\",sensor=\"intrusion0\"} 1\n",
		"node_hwmon_beep_enabled{chip=\"platform_nct6775_656\",sensor=\"beep_enable0\"} 0\n",
		"node_hwmon_voltage_regulator_version{chip=\"platform_nct6775_656\",sensor=\"vrm0\"} 100\n",
		/* an alarm flag: 1, where node_exporter writes 0.001 */
		"node_hwmon_temp_crit_alarm_celsius{chip=\"platform_coretemp_0\",sensor=\"temp3\"} 1\n",
		/* the zone and its twin, and the zone's temp read as the twin's device */
		"node_thermal_zone_temp{type=\"acpitz\",zone=\"0\"} 27.8\n",
		"node_hwmon_temp_celsius{chip=\"thermal_thermal_zone0\",sensor=\"temp0\"} 27.8\n",
		"node_hwmon_temp_celsius{chip=\"thermal_thermal_zone0\",sensor=\"temp1\"} 27.8\n",
		"# TYPE node_hwmon_temp_celsius gauge\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text, want[i]))
			fail_msg("missing %s in:\n%s", want[i], text);
	/* a value that does not parse (temp9_input "N/A") is left out */
	assert_null(strstr(text, "node_hwmon_temp_celsius{chip=\"platform_nct6775_656\",sensor=\"temp9\"}"));
	assert_non_null(strstr(text, "label=\"AUXTIN3\",sensor=\"temp9\"} 1\n"));
	/* every family's HELP once */
	for (const char *p = text; (p = strstr(p, "# HELP ")) != NULL; p++) {
		char name[80];
		assert_int_equal(sscanf(p, "# HELP %79s", name), 1);
		char needle[100];
		snprintf(needle, sizeof needle, "# HELP %s ", name);
		assert_ptr_equal(strstr(text, needle), p);
	}
	free(text);
	nodehw_free(&n);
	fixture_free(seg);
}

static void put(struct shm_node_hw_series *s, const char *family, const char *key, const char *name, double v)
{
	memset(s, 0, sizeof *s);
	snprintf(s->family, sizeof s->family, "%s", family);
	snprintf(s->key, sizeof s->key, "%s", key);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->kind = SHM_NODE_HW_SENSOR;
	atomic_store(&s->value_bits, shm_double_to_bits(v));
	atomic_store(&s->present, 1);
}

static void table(struct shm_node_hw *t, uint32_t count)
{
	atomic_store(&t->capacity, SHM_NODE_HW_MAX);
	atomic_store(&t->entry_size, sizeof(struct shm_node_hw_series));
	atomic_store(&t->count, count);
	atomic_store(&t->seq, 2);
}

/* Whatever the worker (or a stray write) left in the table, the page
 * holds only well-formed node_* families, each once. */
static void test_untrusted_table(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct shm_node_hw *t = &seg->node_hw;
	put(&t->series[0], "node_hwmon_temp_celsius", "c", "temp1", 40);
	put(&t->series[1], "node_hwmon_fan_rpm", "c", "fan1", 900);
	put(&t->series[2], "node_hwmon_temp_celsius", "c", "temp2", 41); /* the family again, later */
	put(&t->series[3], "sensor_value{x=\"1\"}", "c", "temp3", 1);    /* not a family of ours */
	put(&t->series[4], "node_hwmon_in_volts", "c\"\\\n", "in0", 1);  /* a label to escape */
	put(&t->series[5], "node_hwmon_in_volts", "\xff\xfe", "in1", 2); /* not UTF-8 */
	memset(t->series[6].family, 'a', sizeof t->series[6].family);    /* no NUL */
	atomic_store(&t->series[6].present, 1);
	put(&t->series[7], "node_hwmon_curr_amps", "c", "curr1", 3);
	t->series[7].kind = 99; /* a kind out of range */
	put(&t->series[8], "node_hwmon_power_watt", "c", "power1", 4);
	atomic_store(&t->series[8].present, 0); /* not read yet */
	table(t, 9);

	char *text = render(seg);
	assert_non_null(strstr(text, "node_hwmon_temp_celsius{chip=\"c\",sensor=\"temp1\"} 40\n"));
	assert_non_null(strstr(text, "node_hwmon_fan_rpm{chip=\"c\",sensor=\"fan1\"} 900\n"));
	assert_null(strstr(text, "temp2"));
	assert_null(strstr(text, "sensor_value"));
	assert_non_null(strstr(text, "node_hwmon_in_volts{chip=\"c\\\"\\\\\\n\",sensor=\"in0\"} 1\n"));
	assert_null(strstr(text, "in1"));
	assert_null(strstr(text, "aaaa"));
	assert_null(strstr(text, "curr1"));
	assert_null(strstr(text, "power1\"}"));
	free(text);

	/* a count beyond the table is bounded by it */
	atomic_store(&t->count, UINT32_MAX);
	text = render(seg);
	assert_non_null(strstr(text, "sensor=\"temp1\"} 40\n"));
	free(text);
	/* being described (odd), or a geometry not ours: nothing */
	atomic_store(&t->count, 9);
	atomic_store(&t->seq, 3);
	text = render(seg);
	assert_string_equal(text, "");
	free(text);
	atomic_store(&t->seq, 4);
	atomic_store(&t->entry_size, 1);
	text = render(seg);
	assert_string_equal(text, "");
	free(text);
	fixture_free(seg);
}

/* Is the page well-formed in what a table can break: each family's HELP
 * and TYPE at most once, no series twice? */
static bool page_valid(const char *text)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool ok = true;
	gchar **lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; ok && *l; l++) {
		if (**l == '\0')
			continue;
		/* a HELP or TYPE line counts by its family, a series line whole */
		char key[200];
		if (strncmp(*l, "# ", 2) == 0)
			snprintf(key, sizeof key, "%.6s%.*s", *l, (int)strcspn(*l + 7, " "), *l + 7);
		else
			snprintf(key, sizeof key, "%.*s", (int)strcspn(*l, " "), *l);
		ok = g_hash_table_add(seen, g_strdup(key));
	}
	g_strfreev(lines);
	g_hash_table_destroy(seen);
	return ok;
}

/* A forged table whose families alternate run by run: each family once,
 * its first run only. */
static void test_split_runs(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct shm_node_hw *t = &seg->node_hw;
	const char *fams[] = { "node_hwmon_temp_celsius", "node_hwmon_fan_rpm", "node_hwmon_in_volts" };
	for (unsigned i = 0; i < SHM_NODE_HW_MAX; i++) {
		char sensor[32];
		snprintf(sensor, sizeof sensor, "s%u", i);
		put(&t->series[i], fams[i % 3], "c", sensor, i);
	}
	table(t, SHM_NODE_HW_MAX);
	char *text = render(seg);
	assert_true(page_valid(text));
	for (unsigned f = 0; f < 3; f++) {
		char want[100];
		snprintf(want, sizeof want, "# HELP %s ", fams[f]);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof want, "%s{chip=\"c\",sensor=\"s%u\"} %u\n", fams[f], f, f);
		assert_non_null(strstr(text, want));
	}
	assert_null(strstr(text, "sensor=\"s3\""));
	/* a family whose first entry does not validate starts at its first
	 * that does */
	put(&t->series[0], "node_hwmon_temp_celsius", "\xff", "s0", 0);
	text = (free(text), render(seg));
	assert_true(page_valid(text));
	assert_non_null(strstr(text, "node_hwmon_temp_celsius{chip=\"c\",sensor=\"s3\"} 3\n"));
	assert_null(strstr(text, "sensor=\"s6\""));
	free(text);
	fixture_free(seg);
}

#define FLIP_FAMILIES 8u
#define FLIP_SERIES 16u

struct flipper {
	struct shm_node_hw *t;
	atomic_bool stop;
	atomic_uint flips;
};

/* The table described again and again, as the worker's rescan does: in
 * one order, then with its families reversed (a mix writes a family
 * twice), in the first order, then with each family's sensors reversed (a
 * mix writes a series twice). */
static void *flip(void *arg)
{
	struct flipper *f = arg;
	const char *fams[FLIP_FAMILIES] = {
		"node_hwmon_temp_celsius", "node_hwmon_fan_rpm",  "node_hwmon_in_volts",  "node_hwmon_curr_amps",
		"node_hwmon_power_watt",   "node_hwmon_in_alarm", "node_hwmon_fan_alarm", "node_hwmon_temp_alarm",
	};
	for (unsigned k = 0; !atomic_load(&f->stop); k++) {
		seqlock_write_begin(&f->t->seq);
		for (unsigned i = 0; i < FLIP_FAMILIES * FLIP_SERIES; i++) {
			unsigned fam = i / FLIP_SERIES, sensor = i % FLIP_SERIES;
			if (k % 4 == 1)
				fam = FLIP_FAMILIES - 1 - fam;
			if (k % 4 == 3)
				sensor = FLIP_SERIES - 1 - sensor;
			char name[32];
			snprintf(name, sizeof name, "s%u", sensor);
			put(&f->t->series[i], fams[fam], "c", name, sensor);
		}
		seqlock_write_end(&f->t->seq);
		atomic_fetch_add(&f->flips, 1);
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	}
	return NULL;
}

/* A scrape that meets the worker describing the table again serves a
 * whole table or none of it, never a mix of the two (a family's HELP, or
 * a series, twice). */
static void test_described_during_scrape(void **state)
{
	(void)state;
	struct shm_segment *seg = fixture_segment(16, 1);
	struct flipper f = { .t = &seg->node_hw };
	table(f.t, FLIP_FAMILIES * FLIP_SERIES);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, flip, &f), 0);
	/* scrapes while the writer describes the table a few hundred times
	 * (bounded, should it never be scheduled) */
	unsigned whole = 0, bad = 0;
	for (int i = 0; i < 200000 && bad == 0 && atomic_load(&f.flips) < 1000; i++) {
		char *text = render(seg);
		if (!page_valid(text))
			bad++;
		else if (*text)
			whole++;
		free(text);
	}
	atomic_store(&f.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(bad, 0);
	assert_true(whole > 0);
	fixture_free(seg);
}

static void put_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Labels and zone types that are not UTF-8 get U+FFFD for each byte that
 * starts no character, exactly as glib's g_utf8_make_valid makes them,
 * cut after the last whole character that fits the table's text (a
 * character cut in half would make the exporter leave the series out). */
static void test_labels_made_valid(void **state)
{
	(void)state;
	static const char *const labels[] = {
		"plain",
		"caf\xc3\xa9",
		"\xff\xfe",
		"a\xc3",
		"\xe2\x82",
		"\xed\xa0\x80x",
		"\xf4\x90\x80\x80",
		"\xc0\xaf",
		"\xf0\x9f\x98\x80ok",
		"\xe0\x80\xaf",
		"\xef\xbf\xbf\x80",
		"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		"a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	};
	const size_t count = sizeof labels / sizeof labels[0];
	char root[] = "/tmp/test_nodehw_XXXXXX", dir[256], zone[256], name[32];
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof dir, "%s/sys/class/hwmon/hwmon0", root);
	snprintf(zone, sizeof zone, "%s/sys/class/thermal/thermal_zone0", root);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s'", dir, zone);
	assert_int_equal(system(cmd), 0);
	put_file(dir, "name", "chip\n", 5);
	for (size_t i = 0; i < count; i++) {
		snprintf(name, sizeof name, "temp%zu_input", i + 1);
		put_file(dir, name, "1000\n", 5);
		snprintf(name, sizeof name, "temp%zu_label", i + 1);
		put_file(dir, name, labels[i], strlen(labels[i]));
	}
	put_file(zone, "type",
		 "\xfe"
		 "cpu\n",
		 5);
	put_file(zone, "policy", "step_wise\n", 10);
	put_file(zone, "temp", "40000\n", 6);

	struct shm_segment *seg = fixture_segment(16, 1);
	struct nodehw n;
	assert_int_equal(nodehw_scan(&n, root, &seg->node_hw), 0);
	size_t labelled = 0, zones = 0;
	for (unsigned i = 0; i < n.series; i++) {
		const struct shm_node_hw_series *s = &seg->node_hw.series[i];
		const char *in = NULL;
		const char *got = s->label;
		if (s->kind == SHM_NODE_HW_SENSOR_LABEL) {
			unsigned k;
			assert_int_equal(sscanf(s->name, "temp%u", &k), 1);
			in = labels[k - 1];
			labelled++;
		} else if (s->kind == SHM_NODE_HW_ZONE) {
			in = "\xfe"
			     "cpu";
			got = s->name;
			zones++;
		} else {
			continue;
		}
		gchar *want = g_utf8_make_valid(in, -1);
		char cut[SHM_NODE_HW_TEXT_LEN];
		snprintf(cut, sizeof cut, "%s", want);
		const gchar *end;
		if (!g_utf8_validate(cut, -1, &end))
			cut[end - cut] = '\0'; /* the character snprintf cut in half */
		assert_string_equal(got, cut);
		assert_true(g_utf8_validate(got, -1, NULL));
		g_free(want);
	}
	assert_int_equal(labelled, count);
	assert_int_equal(zones, 1);
	nodehw_free(&n);
	fixture_free(seg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_names),
		cmocka_unit_test(test_chip_label),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_scan_gateway),
		cmocka_unit_test(test_labels_made_valid),
		cmocka_unit_test(test_untrusted_table),
		cmocka_unit_test(test_split_runs),
		cmocka_unit_test(test_described_during_scrape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
