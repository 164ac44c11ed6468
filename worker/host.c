/*
 * host.c - the table of host collectors and their sampling (host.h):
 * every host-interval-ms each collector that is on adds its series to a
 * private host_out, and the whole sample is published into the segment's
 * host block, grouped by family, under its seqlock.
 */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../shm/clock.h"
#include "../shm/seqlock.h"

/* The one table of collectors, in node_exporter's names. */
static const struct host_collector collectors[] = {
	{ "cpu", offsetof(struct config, collector_cpu), host_cpu_collect, NULL, NULL },
	{ "meminfo", offsetof(struct config, collector_meminfo), host_meminfo_collect, NULL, NULL },
	{ "loadavg", offsetof(struct config, collector_loadavg), host_loadavg_collect, NULL, NULL },
	{ "stat", offsetof(struct config, collector_stat), host_stat_collect, NULL, NULL },
	{ "pressure", offsetof(struct config, collector_pressure), host_pressure_collect, NULL, NULL },
	{ "uname", offsetof(struct config, collector_uname), host_uname_collect, NULL, NULL },
	{ "filesystem", offsetof(struct config, collector_filesystem), host_filesystem_collect, host_filesystem_new,
	  host_filesystem_free },
	{ "netdev", offsetof(struct config, collector_netdev), host_netdev_collect, NULL, NULL },
	{ "diskstats", offsetof(struct config, collector_diskstats), host_diskstats_collect, NULL, NULL },
};
#define COLLECTOR_COUNT (sizeof collectors / sizeof collectors[0])

struct host {
	struct shm_segment *seg;
	struct host_ctx ctx;
	int64_t interval_ns, next_due_ns;
	bool on[COLLECTOR_COUNT];
	void *state[COLLECTOR_COUNT];
	struct host_out out;
	uint16_t order[SHM_HOST_SERIES_MAX]; /* out's series grouped by family */
};
_Static_assert(SHM_HOST_SERIES_MAX <= 65536, "a series index fits in host.order");

static void join_path(char *dst, size_t size, const char *root, const char *leaf)
{
	size_t n = strlen(root);
	snprintf(dst, size, "%s%s%s", root, n && root[n - 1] == '/' ? "" : "/", leaf);
}

struct host *host_new(struct shm_segment *seg, const struct config *cfg, struct pool *pool)
{
	bool any = false;
	for (size_t i = 0; i < COLLECTOR_COUNT; i++)
		any |= *(const bool *)((const char *)cfg + collectors[i].enabled);
	if (!any)
		return NULL;
	struct host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->seg = seg;
	h->ctx.cfg = cfg;
	join_path(h->ctx.proc, sizeof h->ctx.proc, cfg->procfs_root, "proc");
	join_path(h->ctx.sys, sizeof h->ctx.sys, cfg->sysfs_root, "sys");
	h->ctx.pool = pool;
	h->ctx.read_timeout_ns = (int64_t)cfg->read_timeout_ms * 1000000;
	h->ctx.wait_ns = (int64_t)cfg->tick_budget_ms * 1000000;
	h->interval_ns = (int64_t)cfg->host_interval_ms * 1000000;
	h->next_due_ns = monotonic_ns();
	char names[160] = "";
	for (size_t i = 0; i < COLLECTOR_COUNT; i++) {
		h->on[i] = *(const bool *)((const char *)cfg + collectors[i].enabled);
		if (h->on[i] && collectors[i].state_new && !(h->state[i] = collectors[i].state_new(&h->ctx))) {
			log_warn("host collector %s: no memory for its state, left out", collectors[i].name);
			h->on[i] = false;
		}
		if (h->on[i]) {
			size_t n = strlen(names);
			snprintf(names + n, sizeof names - n, "%s%s", n ? " " : "", collectors[i].name);
		}
	}
	log_info("host vital signs every %d ms: %s", cfg->host_interval_ms, names);
	return h;
}

/* The sample into the segment, grouped by family (a counting sort of the
 * series' indexes, stable: each collector's order within a family is
 * kept; sorting indexes rather than series touches 2 bytes a series). */
static void publish(struct host *h, int64_t now)
{
	const struct host_out *o = &h->out;
	unsigned start[HOST_FAMILY_COUNT + 1] = { 0 };
	for (unsigned i = 0; i < o->count; i++)
		start[o->s[i].family + 1]++;
	for (unsigned f = 0; f < HOST_FAMILY_COUNT; f++)
		start[f + 1] += start[f];
	for (unsigned i = 0; i < o->count; i++)
		h->order[start[o->s[i].family]++] = (uint16_t)i;
	struct shm_host *b = &h->seg->host;
	seqlock_write_begin(&b->seq);
	for (unsigned i = 0; i < o->count; i++) {
		const struct host_series *s = &o->s[h->order[i]];
		SHM_STORE(&b->series[i].value_bits, s->value_bits);
		SHM_STORE(&b->series[i].meta,
			  (uint32_t)s->family | (uint32_t)s->flags << 16 | (uint32_t)s->text_len << 24);
		memcpy(b->series[i].text, s->text, s->text_len);
	}
	SHM_STORE(&b->count, o->count);
	SHM_STORE(&b->sampled_monotonic_ns, now);
	seqlock_write_end(&b->seq);
	for (unsigned k = 0; k < SHM_HOST_BOUND_COUNT; k++)
		SHM_STORE(&b->left_out[k], h->ctx.left_out[k]);
	SHM_STORE(&b->series_left_out, o->left_out);
}

static void sample(struct host *h, int64_t now)
{
	h->out.count = 0;
	h->out.left_out = 0;
	memset(h->ctx.left_out, 0, sizeof h->ctx.left_out);
	h->ctx.stat_read = false; /* proc/stat is read once per sample */
	for (size_t i = 0; i < COLLECTOR_COUNT; i++) {
		if (!h->on[i])
			continue;
		char label[HOST_LABELS_SIZE];
		host_label(label, sizeof label, 0, "collector", collectors[i].name);
		int64_t t0 = monotonic_ns();
		h->ctx.now_ns = t0;
		int rc = collectors[i].collect(&h->ctx, h->state[i], &h->out);
		host_add_u64(&h->out, HOST_SCRAPE_SUCCESS, label, rc == 0);
		host_add_double(&h->out, HOST_SCRAPE_DURATION, label, (double)(monotonic_ns() - t0) / 1e9);
	}
	publish(h, now);
}

void host_tick(struct host *h, int64_t now_ns)
{
	if (!h || now_ns < h->next_due_ns)
		return;
	sample(h, now_ns);
	h->next_due_ns += h->interval_ns;
	if (h->next_due_ns < now_ns)
		h->next_due_ns = now_ns + h->interval_ns; /* fell behind: skip, never burst */
}

int64_t host_next_due(const struct host *h)
{
	return h ? h->next_due_ns : INT64_MAX;
}

void host_free(struct host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < COLLECTOR_COUNT; i++)
		if (h->state[i])
			collectors[i].state_free(h->state[i]);
	free(h->ctx.stat.buf);
	free(h->ctx.scratch.buf);
	free(h);
}
