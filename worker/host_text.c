/*
 * host_text.c - proc/stat, read once per sample for the cpu and stat
 * collectors (host.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "host.h"

#define HOST_STAT_SIZE 65536

const char *host_proc_stat(struct host_ctx *ctx)
{
	if (!ctx->stat_read) {
		char path[192];
		snprintf(path, sizeof path, "%s/stat", ctx->proc);
		if (!ctx->stat)
			ctx->stat = malloc(HOST_STAT_SIZE);
		ctx->stat_len = ctx->stat ? host_read_file(path, ctx->stat, HOST_STAT_SIZE) : -1;
		ctx->stat_read = true;
	}
	return ctx->stat_len > 0 ? ctx->stat : NULL;
}
