/*
 * host_stat.c - node_boot_time_seconds, node_context_switches_total,
 * node_forks_total, node_intr_total, node_procs_running and
 * node_procs_blocked from proc/stat (the sample's one read of it, shared
 * with the cpu collector: host_proc_stat).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static const struct {
	const char *key;
	enum host_family family;
} fields[] = {
	{ "btime ", HOST_BOOT_TIME },
	{ "ctxt ", HOST_CONTEXT_SWITCHES },
	{ "processes ", HOST_FORKS },
	{ "intr ", HOST_INTR },
	{ "procs_running ", HOST_PROCS_RUNNING },
	{ "procs_blocked ", HOST_PROCS_BLOCKED },
};

int host_stat_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	const char *buf = host_proc_stat(ctx);
	if (!buf)
		return -1;
	unsigned found = 0;
	for (const char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			size_t n = strlen(fields[i].key);
			if (strncmp(line, fields[i].key, n) == 0) {
				host_add_u64(o, fields[i].family, "", strtoull(line + n, NULL, 10));
				found++;
			}
		}
	return found == sizeof fields / sizeof fields[0] ? 0 : -1;
}
