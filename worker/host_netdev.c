/*
 * host_netdev.c - node_network_{receive,transmit}_*_total{device} from
 * proc/net/dev, whose columns the kernel folds as node_exporter folds its
 * netlink statistics (drop counts missed too, frame the length, overrun
 * and CRC errors, carrier the aborted, heartbeat and window errors), and
 * receive_nohandler from sys/class/net/<device>/statistics/rx_nohandler,
 * the one counter proc/net/dev lacks: two reads and one per device, where
 * reading every statistics file would be 23 per device. Both stay
 * readable under the unit's ProtectSystem=strict and ProtectProc=invisible
 * (which hides other processes, not the reader's own net/), and
 * proc/net/dev lists the reader's network namespace, as node_exporter's
 * netlink does. As Debian's node_exporter, lo is left out; at most
 * host-netdevs-max devices (by name), the rest counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growarray.h"
#include "host.h"

/* proc/net/dev's columns after "device:", in order. */
static const enum host_family columns[] = {
	HOST_NET_RECEIVE_BYTES,  HOST_NET_RECEIVE_PACKETS,  HOST_NET_RECEIVE_ERRS,       HOST_NET_RECEIVE_DROP,
	HOST_NET_RECEIVE_FIFO,   HOST_NET_RECEIVE_FRAME,    HOST_NET_RECEIVE_COMPRESSED, HOST_NET_RECEIVE_MULTICAST,
	HOST_NET_TRANSMIT_BYTES, HOST_NET_TRANSMIT_PACKETS, HOST_NET_TRANSMIT_ERRS,      HOST_NET_TRANSMIT_DROP,
	HOST_NET_TRANSMIT_FIFO,  HOST_NET_TRANSMIT_COLLS,   HOST_NET_TRANSMIT_CARRIER,   HOST_NET_TRANSMIT_COMPRESSED,
};
#define COLUMNS (sizeof columns / sizeof columns[0])
/* A device name is at most IFNAMSIZ - 1 (15) bytes. */
#define NAME_MAX_LEN 15

struct netdev_line {
	char name[NAME_MAX_LEN + 1];
	unsigned long long v[COLUMNS];
};

/* One "name: v0 v1 ..." line of proc/net/dev; false for a header or a
 * line that is not whole. */
static bool parse_line(const char *line, struct netdev_line *d)
{
	line += strspn(line, " ");
	size_t n = strcspn(line, ":\n");
	if (line[n] != ':' || n == 0 || n > NAME_MAX_LEN || memchr(line, ' ', n) || memchr(line, '|', n))
		return false;
	memcpy(d->name, line, n);
	d->name[n] = '\0';
	const char *p = line + n + 1;
	for (size_t c = 0; c < COLUMNS; c++) {
		char *end;
		p += strspn(p, " ");
		if (*p < '0' || *p > '9')
			return false;
		d->v[c] = strtoull(p, &end, 10);
		p = end;
	}
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct netdev_line *)a)->name, ((const struct netdev_line *)b)->name);
}

static void add_device(struct host_ctx *ctx, struct host_out *o, const struct netdev_line *d)
{
	char labels[HOST_LABELS_SIZE];
	host_label(labels, sizeof labels, 0, "device", d->name);
	for (size_t c = 0; c < COLUMNS; c++)
		host_add_u64(o, columns[c], labels, d->v[c]);
	char path[256], buf[32];
	snprintf(path, sizeof path, "%s/class/net/%s/statistics/rx_nohandler", ctx->sys, d->name);
	if (host_read_file(path, buf, sizeof buf) > 0)
		host_add_u64(o, HOST_NET_RECEIVE_NOHANDLER, labels, strtoull(buf, NULL, 10));
}

int host_netdev_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	char path[192];
	snprintf(path, sizeof path, "%s/net/dev", ctx->proc);
	if (host_read_text(ctx, path, &ctx->scratch) < 0)
		return -1;
	struct growarray devs; /* struct netdev_line */
	growarray_init(&devs, sizeof(struct netdev_line));
	for (const char *line = ctx->scratch.buf; line && *line;) {
		struct netdev_line d;
		if (parse_line(line, &d) && strcmp(d.name, "lo") != 0 && !growarray_push(&devs, &d))
			break;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (devs.len > 1) /* data is NULL while empty, which qsort may not take */
		qsort(devs.data, devs.len, devs.elem, by_name);
	size_t max = (size_t)ctx->cfg->host_netdevs_max;
	for (size_t i = 0; i < devs.len; i++) {
		if (i < max)
			add_device(ctx, o, growarray_at(&devs, i));
		else
			ctx->left_out[SHM_HOST_NETDEVS]++;
	}
	growarray_free(&devs);
	return 0;
}
