/*
 * render_nodehw.c - node_exporter's node_hwmon_* and node_thermal_zone_temp
 * families, from the table the worker fills (worker/nodehw.h).
 *
 * The table is worker-written, so nothing in it is trusted: its geometry
 * must be ours, its count is bounded, each family name must be a metric
 * name of node_exporter's families, each label value well-formed UTF-8
 * (escaped as it is written), and a family split into two runs of the
 * table is written once, its first run only.
 */
#include <stdatomic.h>
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
};

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

static void sample(struct textbuf *tb, const struct node_series *s, double v)
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
	render_value_double(tb, v);
}

/* Was `family` the family of an entry before `before` (not counting the
 * run just ended)? */
static bool written_before(const struct shm_node_hw *t, uint32_t before, const char *family)
{
	for (uint32_t j = 0; j < before; j++)
		if (strncmp(t->series[j].family, family, SHM_NODE_HW_TEXT_LEN) == 0)
			return true;
	return false;
}

void render_node_families(struct textbuf *tb, const struct shm_segment *seg)
{
	const struct shm_node_hw *t = &seg->node_hw;
	uint32_t seq = atomic_load_explicit(&t->seq, memory_order_acquire);
	if ((seq & 1u) || atomic_load_explicit(&t->capacity, memory_order_relaxed) != SHM_NODE_HW_MAX ||
	    atomic_load_explicit(&t->entry_size, memory_order_relaxed) != sizeof(struct shm_node_hw_series))
		return; /* none yet, being described, or not a table of ours */
	uint32_t n = atomic_load_explicit(&t->count, memory_order_acquire);
	if (n > SHM_NODE_HW_MAX)
		n = SHM_NODE_HW_MAX;
	char current[SHM_NODE_HW_TEXT_LEN + 1] = "";
	bool skipping = false;
	uint32_t run_start = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct node_series s;
		if (!read_entry(&t->series[i], &s))
			continue;
		if (strcmp(s.family, current) != 0) {
			memcpy(current, s.family, sizeof current);
			run_start = i;
			skipping = written_before(t, run_start, s.family);
			if (!skipping) {
				TB_LIT(tb, "# HELP ");
				tb_str(tb, s.family);
				TB_LIT(tb,
				       " node_exporter's series of this name for the same sysfs (docs/metrics.md).\n# TYPE ");
				tb_str(tb, s.family);
				if (s.counter)
					TB_LIT(tb, " counter\n");
				else
					TB_LIT(tb, " gauge\n");
			}
		}
		if (skipping || !atomic_load_explicit(&t->series[i].present, memory_order_acquire))
			continue;
		sample(tb, &s,
		       shm_bits_to_double(atomic_load_explicit(&t->series[i].value_bits, memory_order_relaxed)));
	}
}
