/*
 * host.h - the host's vital signs: node_exporter's board-relevant
 * collectors (cpu, meminfo, loadavg, stat, pressure, uname, filesystem,
 * netdev, diskstats) under its names, sampled by the worker every
 * host-interval-ms (at the first sampling tick after it is due, so that
 * it does not wake the worker on its own, unless sample-interval-ms is
 * the longer) into the segment's host block (shm/layout.h), which the
 * exporter renders: a scrape never reads /proc or calls statfs().
 *
 * One file per collector (worker/host_<name>.c), all listed in one table
 * (host.c), each on by default with a collector-<name> setting. A
 * collector adds series to a host_out: a family of common/hostfamily.h,
 * its label text (built and escaped here, once per sample, so the
 * exporter only copies it) and a value. host.c publishes them, grouped by
 * family, under the block's seqlock, with node_scrape_collector_success
 * and _duration_seconds of each.
 *
 * Paths follow sysfs-root: procfs-root holds proc/, sysfs-root holds
 * sys/, rootfs is the host's / (a container mounts the host's elsewhere).
 */
#ifndef SENSOR_WORKER_HOST_H
#define SENSOR_WORKER_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "../common/config.h"
#include "../common/hostfamily.h"
#include "../shm/layout.h"

struct pool;
struct host;

/* A text read whole (host_read_text): buf grows up to HOST_TEXT_MAX. */
struct host_text {
	char *buf;
	size_t size;
};
/* The most of one /proc text a sample reads: proc/stat of a 1024-CPU
 * machine with a few thousand interrupts, or a mount table of a few
 * thousand mounts, is a few hundred KiB. Past it, the text is cut after
 * its last whole line and the lines left out are counted
 * (sensor_host_left_out{bound="lines"}). */
#define HOST_TEXT_MAX (1024u * 1024u)

/* What a collector reads from: paths, bounds, the reader pool. */
struct host_ctx {
	const struct config *cfg;
	char proc[160]; /* procfs-root + "proc" */
	char sys[160];  /* sysfs-root + "sys" */
	struct pool *pool;
	int64_t read_timeout_ns, wait_ns; /* a blocking job's budget; the longest one sample waits */
	int64_t now_ns;                   /* CLOCK_MONOTONIC at the sample */
	uint64_t left_out[SHM_HOST_BOUND_COUNT];
	/* proc/stat of this sample, read once for the cpu and stat
	 * collectors (host_proc_stat); stat_read is cleared per sample */
	struct host_text stat;
	long stat_len;
	bool stat_read;
	struct host_text scratch; /* the text of the collector that runs */
};

/* The series of one sample, before they are published. */
struct host_series {
	uint64_t value_bits;
	uint16_t family;
	uint8_t flags, text_len;
	char text[SHM_HOST_TEXT_LEN];
};
struct host_out {
	unsigned count;
	uint64_t left_out; /* series past SHM_HOST_SERIES_MAX, or text too long */
	struct host_series s[SHM_HOST_SERIES_MAX];
};

/* One series; `text` is the label text (`k="v",...`, escaped: see
 * host_label), "" for none, or a named family's member name. */
void host_add_u64(struct host_out *o, enum host_family f, const char *text, uint64_t v);
void host_add_double(struct host_out *o, enum host_family f, const char *text, double v);

/* Append `key="value"` (a comma first unless at is 0) to buf of `size`
 * (HOST_LABELS_SIZE), the value escaped as the exposition format wants;
 * returns the new length. When it does not fit, returns size and leaves
 * a text too long for any series: host_add leaves it out and counts it. */
#define HOST_LABELS_SIZE (SHM_HOST_TEXT_LEN + 2)
size_t host_label(char *buf, size_t size, size_t at, const char *key, const char *value);

/* Read a whole small file into buf (NUL-terminated); its length, or -1. */
long host_read_file(const char *path, char *buf, size_t size);
/* Read a text of lines into t, growing it up to HOST_TEXT_MAX, or into
 * the fixed buf of size: NUL-terminated, its length, or -1. A text that
 * does not fit is cut after its last whole line (a line cut in the
 * middle is never parsed) and the lines left out are counted in
 * ctx->left_out[SHM_HOST_LINES]. */
long host_read_text(struct host_ctx *ctx, const char *path, struct host_text *t);
long host_read_lines(struct host_ctx *ctx, const char *path, char *buf, size_t size);
/* proc/stat of this sample, read by the first collector that asks; NULL
 * when it cannot be read. */
const char *host_proc_stat(struct host_ctx *ctx);

/* A collector: adds its series, returns 0, or -1 when it failed (its
 * node_scrape_collector_success is 0). `state`: from state_new. */
struct host_collector {
	const char *name;
	size_t enabled; /* offsetof(struct config, collector_<name>) */
	int (*collect)(struct host_ctx *ctx, void *state, struct host_out *o);
	void *(*state_new)(const struct host_ctx *ctx);
	void (*state_free)(void *state);
};

int host_cpu_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_meminfo_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_loadavg_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_stat_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_pressure_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_uname_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_netdev_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_diskstats_collect(struct host_ctx *ctx, void *state, struct host_out *o);
int host_filesystem_collect(struct host_ctx *ctx, void *state, struct host_out *o);
/* statfs(2), as the filesystem collector calls it (tests put a call that
 * blocks, as a hung mount's does, in its place). */
struct statfs;
extern int (*host_statfs)(const char *path, struct statfs *st);
void *host_filesystem_new(const struct host_ctx *ctx);
void host_filesystem_free(void *state);

/* The worker's side: NULL when every collector is off (or no memory). */
struct host *host_new(struct shm_segment *seg, const struct config *cfg, struct pool *pool);
/* Sample and publish when due. */
void host_tick(struct host *h, int64_t now_ns);
/* When the next sample is due (INT64_MAX without h). */
int64_t host_next_due(const struct host *h);
void host_free(struct host *h);

#endif
