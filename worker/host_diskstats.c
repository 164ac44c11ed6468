/*
 * host_diskstats.c - node_disk_* from proc/diskstats, with node_exporter's
 * units (sectors of 512 bytes, milliseconds as seconds) and its default
 * exclusion of partitions and pseudo devices (ram, loop, fd, and the
 * partitions of hd, sd, vd, xvd and nvme disks); node_disk_info from
 * udev's database under rootfs (run/udev/data), its labels empty where
 * udev has none (a container without it). At most host-disks-max disks,
 * the rest counted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "host_exclude.h"

#define DISK_STATS 17

/* The value of diskstats field i as node_exporter shows it. */
static const struct {
	enum host_family family;
	double factor; /* 0: the count as it is */
} fields[DISK_STATS] = {
	{ HOST_DISK_READS_COMPLETED_TOTAL, 0 },
	{ HOST_DISK_READS_MERGED_TOTAL, 0 },
	{ HOST_DISK_READ_BYTES_TOTAL, 512 },
	{ HOST_DISK_READ_TIME_SECONDS_TOTAL, 0.001 },
	{ HOST_DISK_WRITES_COMPLETED_TOTAL, 0 },
	{ HOST_DISK_WRITES_MERGED_TOTAL, 0 },
	{ HOST_DISK_WRITTEN_BYTES_TOTAL, 512 },
	{ HOST_DISK_WRITE_TIME_SECONDS_TOTAL, 0.001 },
	{ HOST_DISK_IO_NOW, 0 },
	{ HOST_DISK_IO_TIME_SECONDS_TOTAL, 0.001 },
	{ HOST_DISK_IO_TIME_WEIGHTED_SECONDS_TOTAL, 0.001 },
	{ HOST_DISK_DISCARDS_COMPLETED_TOTAL, 0 },
	{ HOST_DISK_DISCARDS_MERGED_TOTAL, 0 },
	{ HOST_DISK_DISCARDED_SECTORS_TOTAL, 0 },
	{ HOST_DISK_DISCARD_TIME_SECONDS_TOTAL, 0.001 },
	{ HOST_DISK_FLUSH_REQUESTS_TOTAL, 0 },
	{ HOST_DISK_FLUSH_REQUESTS_TIME_SECONDS_TOTAL, 0.001 },
};

/* udev's properties of the disk (E:KEY=VALUE lines), "" when absent. */
struct udev_props {
	char path[96], wwn[64], model[64], serial[64], revision[32];
};

static void copy_prop(const char *line, const char *key, char *dst, size_t size)
{
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0)
		return;
	size_t k = strcspn(line + n, "\n");
	if (k >= size)
		k = size - 1;
	memcpy(dst, line + n, k);
	dst[k] = '\0';
}

static void udev_props(struct host_ctx *ctx, unsigned major, unsigned minor, struct udev_props *u)
{
	memset(u, 0, sizeof *u);
	char path[256], buf[8192];
	const char *root = ctx->cfg->rootfs;
	snprintf(path, sizeof path, "%s%srun/udev/data/b%u:%u", root, root[strlen(root) - 1] == '/' ? "" : "/", major,
		 minor);
	if (host_read_lines(ctx, path, buf, sizeof buf) <= 0)
		return;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		copy_prop(line, "E:ID_PATH=", u->path, sizeof u->path);
		copy_prop(line, "E:ID_WWN=", u->wwn, sizeof u->wwn);
		copy_prop(line, "E:ID_MODEL=", u->model, sizeof u->model);
		copy_prop(line, "E:ID_SERIAL_SHORT=", u->serial, sizeof u->serial);
		copy_prop(line, "E:ID_REVISION=", u->revision, sizeof u->revision);
	}
}

static void add_info(struct host_ctx *ctx, struct host_out *o, const char *dev, unsigned major, unsigned minor)
{
	struct udev_props u;
	char labels[HOST_LABELS_SIZE], num[16];
	udev_props(ctx, major, minor, &u);
	size_t at = host_label(labels, sizeof labels, 0, "device", dev);
	snprintf(num, sizeof num, "%u", major);
	at = host_label(labels, sizeof labels, at, "major", num);
	snprintf(num, sizeof num, "%u", minor);
	at = host_label(labels, sizeof labels, at, "minor", num);
	at = host_label(labels, sizeof labels, at, "model", u.model);
	at = host_label(labels, sizeof labels, at, "path", u.path);
	at = host_label(labels, sizeof labels, at, "revision", u.revision);
	at = host_label(labels, sizeof labels, at, "serial", u.serial);
	host_label(labels, sizeof labels, at, "wwn", u.wwn);
	host_add_u64(o, HOST_DISK_INFO, labels, 1);
}

int host_diskstats_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	char path[192];
	snprintf(path, sizeof path, "%s/diskstats", ctx->proc);
	if (host_read_text(ctx, path, &ctx->scratch) <= 0)
		return -1;
	char *buf = ctx->scratch.buf;
	unsigned max = (unsigned)ctx->cfg->host_disks_max, disks = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned major, minor;
		char dev[64];
		int used = 0;
		if (sscanf(line, "%u %u %63s%n", &major, &minor, dev, &used) != 3)
			continue;
		if (host_disk_excluded(dev))
			continue;
		if (disks++ >= max) {
			ctx->left_out[SHM_HOST_DISKS]++;
			continue;
		}
		add_info(ctx, o, dev, major, minor);
		char labels[HOST_LABELS_SIZE];
		host_label(labels, sizeof labels, 0, "device", dev);
		char *p = line + used, *end;
		for (unsigned i = 0; i < DISK_STATS; i++) {
			uint64_t v = strtoull(p, &end, 10);
			if (end == p || *end == '\0')
				break; /* an older kernel: fewer fields */
			p = end;
			if (fields[i].factor == 0)
				host_add_u64(o, fields[i].family, labels, v);
			else
				host_add_double(o, fields[i].family, labels, (double)v * fields[i].factor);
			if (*p == '\n')
				break;
		}
	}
	return 0;
}
