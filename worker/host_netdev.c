/*
 * host_netdev.c - node_network_{receive,transmit}_*_total{device} from
 * sys/class/net/<device>/statistics: the kernel's own counters, which
 * node_exporter reads over netlink and folds into /proc/net/dev's names
 * (drop counts missed too, frame the length, overrun and CRC errors,
 * carrier the aborted, heartbeat and window errors). sysfs stays readable
 * under the unit's ProtectSystem=strict and ProtectProc=invisible. As
 * Debian's node_exporter, lo is left out; at most host-netdevs-max
 * devices (by name), the rest counted.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* Each family: the sum of up to four statistics files. */
static const struct {
	enum host_family family;
	const char *files[4];
} stats[] = {
	{ HOST_NET_RECEIVE_BYTES, { "rx_bytes" } },
	{ HOST_NET_RECEIVE_PACKETS, { "rx_packets" } },
	{ HOST_NET_RECEIVE_ERRS, { "rx_errors" } },
	{ HOST_NET_RECEIVE_DROP, { "rx_dropped", "rx_missed_errors" } },
	{ HOST_NET_RECEIVE_FIFO, { "rx_fifo_errors" } },
	{ HOST_NET_RECEIVE_FRAME, { "rx_frame_errors", "rx_length_errors", "rx_over_errors", "rx_crc_errors" } },
	{ HOST_NET_RECEIVE_COMPRESSED, { "rx_compressed" } },
	{ HOST_NET_RECEIVE_MULTICAST, { "multicast" } },
	{ HOST_NET_RECEIVE_NOHANDLER, { "rx_nohandler" } },
	{ HOST_NET_TRANSMIT_BYTES, { "tx_bytes" } },
	{ HOST_NET_TRANSMIT_PACKETS, { "tx_packets" } },
	{ HOST_NET_TRANSMIT_ERRS, { "tx_errors" } },
	{ HOST_NET_TRANSMIT_DROP, { "tx_dropped" } },
	{ HOST_NET_TRANSMIT_FIFO, { "tx_fifo_errors" } },
	{ HOST_NET_TRANSMIT_COLLS, { "collisions" } },
	{ HOST_NET_TRANSMIT_CARRIER,
	  { "tx_carrier_errors", "tx_aborted_errors", "tx_heartbeat_errors", "tx_window_errors" } },
	{ HOST_NET_TRANSMIT_COMPRESSED, { "tx_compressed" } },
};

int host_netdev_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	char dir[192];
	snprintf(dir, sizeof dir, "%s/class/net", ctx->sys);
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return -1;
	unsigned max = (unsigned)ctx->cfg->host_netdevs_max, shown = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (name[0] == '.' || strcmp(name, "lo") == 0)
			continue;
		if (shown++ >= max) {
			ctx->left_out[SHM_HOST_NETDEVS]++;
			continue;
		}
		char labels[HOST_LABELS_SIZE];
		host_label(labels, sizeof labels, 0, "device", name);
		for (size_t s = 0; s < sizeof stats / sizeof stats[0]; s++) {
			uint64_t sum = 0;
			bool any = false;
			for (unsigned f = 0; f < 4 && stats[s].files[f]; f++) {
				char path[512], buf[32];
				snprintf(path, sizeof path, "%s/%s/statistics/%s", dir, name, stats[s].files[f]);
				if (host_read_file(path, buf, sizeof buf) > 0) {
					sum += strtoull(buf, NULL, 10);
					any = true;
				}
			}
			if (any)
				host_add_u64(o, stats[s].family, labels, sum);
		}
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return 0;
}
