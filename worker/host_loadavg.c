/*
 * host_loadavg.c - node_load1, node_load5 and node_load15 from
 * proc/loadavg.
 */
#include <stdio.h>

#include "host.h"

int host_loadavg_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	char buf[256], path[192];
	double l1, l5, l15;
	snprintf(path, sizeof path, "%s/loadavg", ctx->proc);
	if (host_read_lines(ctx, path, buf, sizeof buf) <= 0 || sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15) != 3)
		return -1;
	host_add_double(o, HOST_LOAD1, "", l1);
	host_add_double(o, HOST_LOAD5, "", l5);
	host_add_double(o, HOST_LOAD15, "", l15);
	return 0;
}
