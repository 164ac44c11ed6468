/*
 * render_nodehw.c - node_exporter's node_hwmon_* and node_thermal_zone_temp
 * families, from the table the worker fills (worker/nodehw.h).
 *
 * The table is worker-written, so nothing in it is trusted: its geometry
 * must be ours, its count is bounded, each family name must be a metric
 * name of node_exporter's families, each label value well-formed UTF-8
 * (escaped as it is written), and a family split into two runs of the
 * table is written once, its first run only.
 *
 * The table is copied (validated) first and rendered from the copies only
 * when its seq shows the copy whole: a worker describing it again during a
 * scrape can make numbers stale, never a family appear twice. Which runs
 * come first of their family is decided by sorting the copies' runs, so a
 * forged table whose families alternate costs n log n comparisons.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../common/families.h"
#include "../shm/layout.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "render.h"
#include "series.h"
#include "textbuf.h"

struct node_series {
	char family[SHM_NODE_HW_TEXT_LEN + 1];
	char key[SHM_NODE_HW_TEXT_LEN + 1];
	char name[SHM_NODE_HW_TEXT_LEN + 1];
	char label[SHM_NODE_HW_TEXT_LEN + 1];
	uint32_t kind;
	bool counter;
	bool present;
	double value;
};

/* Copies tried per scrape; a table described through all of them is left
 * out of that scrape (the worker describes it only at a rescan). */
#define NODEHW_READ_TRIES 4

/* The last read's validated copies, and the first entry of each run of a
 * family in them (static: a whole table's worth is too large for the
 * stack; a board's few dozen series touch a few pages of it). */
static struct node_series copies[SHM_NODE_HW_MAX];
static uint16_t run_start[SHM_NODE_HW_MAX], run_order[SHM_NODE_HW_MAX];
static bool run_first[SHM_NODE_HW_MAX];

static void copy_text(char *dst, const char *src)
{
	memcpy(dst, src, SHM_NODE_HW_TEXT_LEN);
	dst[SHM_NODE_HW_TEXT_LEN] = '\0';
}

static bool metric_name(const char *s)
{
	if (strncmp(s, FAMILY_NODE_HWMON_PREFIX, strlen(FAMILY_NODE_HWMON_PREFIX)) != 0 &&
	    strcmp(s, FAMILY_NODE_THERMAL_ZONE) != 0)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

/* A validated copy of entry i; false when it does not validate. */
static bool read_entry(const struct shm_node_hw_series *e, struct node_series *s)
{
	copy_text(s->family, e->family);
	copy_text(s->key, e->key);
	copy_text(s->name, e->name);
	copy_text(s->label, e->label);
	s->kind = e->kind;
	s->counter = e->counter != 0;
	s->present = atomic_load_explicit(&e->present, memory_order_acquire) != 0;
	s->value = shm_bits_to_double(atomic_load_explicit(&e->value_bits, memory_order_relaxed));
	return s->kind < SHM_NODE_HW_KIND_COUNT && metric_name(s->family) && shm_utf8_valid(s->key) &&
	       shm_utf8_valid(s->name) && shm_utf8_valid(s->label);
}

static void label(struct textbuf *tb, const char *open, size_t len, const char *value)
{
	tb_put(tb, open, len);
	tb_label_value(tb, value, strlen(value));
	tb_char(tb, '"');
}
#define LABEL(tb, text, value) label(tb, text, sizeof(text) - 1, value)

static void sample(struct textbuf *tb, const struct node_series *s)
{
	tb_str(tb, s->family);
	switch (s->kind) {
	case SHM_NODE_HW_ZONE:
		LABEL(tb, "{type=\"", s->name);
		LABEL(tb, ",zone=\"", s->key);
		break;
	case SHM_NODE_HW_CHIP_NAME:
		LABEL(tb, "{chip=\"", s->key);
		LABEL(tb, ",chip_name=\"", s->name);
		break;
	case SHM_NODE_HW_SENSOR_LABEL:
		LABEL(tb, "{chip=\"", s->key);
		LABEL(tb, ",label=\"", s->label);
		LABEL(tb, ",sensor=\"", s->name);
		break;
	default:
		LABEL(tb, "{chip=\"", s->key);
		LABEL(tb, ",sensor=\"", s->name);
		break;
	}
	tb_char(tb, '}');
	render_value_double(tb, s->value);
}

/* The table's valid entries copied, their count; -1 when the table is
 * being described (or was during the copy) or is not a table of ours. */
static long read_table(const struct shm_node_hw *t)
{
	uint32_t start = seqlock_read_begin(&t->seq);
	if ((start & 1u) || SHM_LOAD(&t->capacity) != SHM_NODE_HW_MAX ||
	    SHM_LOAD(&t->entry_size) != sizeof(struct shm_node_hw_series))
		return -1;
	uint32_t n = SHM_LOAD(&t->count);
	if (n > SHM_NODE_HW_MAX)
		n = SHM_NODE_HW_MAX;
	long k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (read_entry(&t->series[i], &copies[k]))
			k++;
	return seqlock_read_ok(&t->seq, start) ? k : -1;
}

/* Runs by family, and within a family by their place in the table. */
static int by_family(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	int c = strcmp(copies[run_start[x]].family, copies[run_start[y]].family);
	return c != 0 ? c : (x > y) - (x < y);
}

/* Split the n copies into runs of a family; mark each run that is its
 * family's first. The number of runs. */
static unsigned mark_runs(long n)
{
	unsigned runs = 0;
	for (long i = 0; i < n; i++)
		if (i == 0 || strcmp(copies[i].family, copies[i - 1].family) != 0)
			run_start[runs++] = (uint16_t)i;
	for (unsigned r = 0; r < runs; r++)
		run_order[r] = (uint16_t)r;
	qsort(run_order, runs, sizeof run_order[0], by_family);
	for (unsigned r = 0; r < runs; r++)
		run_first[run_order[r]] = r == 0 || strcmp(copies[run_start[run_order[r]]].family,
							   copies[run_start[run_order[r - 1]]].family) != 0;
	return runs;
}

void render_node_families(struct textbuf *tb, const struct shm_segment *seg)
{
	long n = -1;
	for (int t = 0; t < NODEHW_READ_TRIES && n < 0; t++)
		n = read_table(&seg->node_hw);
	if (n <= 0)
		return; /* none yet, being described, or not a table of ours */
	unsigned runs = mark_runs(n), run = 0;
	for (long i = 0; i < n; i++) {
		const struct node_series *s = &copies[i];
		bool starts = run < runs && run_start[run] == i;
		run += starts;
		if (!run_first[run - 1])
			continue; /* a later run of a family already written */
		if (starts) {
			TB_LIT(tb, "# HELP ");
			tb_str(tb, s->family);
			TB_LIT(tb,
			       " node_exporter's series of this name for the same sysfs (docs/metrics.md).\n# TYPE ");
			tb_str(tb, s->family);
			if (s->counter)
				TB_LIT(tb, " counter\n");
			else
				TB_LIT(tb, " gauge\n");
		}
		if (s->present)
			sample(tb, s);
	}
}
