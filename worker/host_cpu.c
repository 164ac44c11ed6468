/*
 * host_cpu.c - node_cpu_seconds_total{cpu,mode} and
 * node_cpu_guest_seconds_total{cpu,mode} from proc/stat's cpuN lines
 * (USER_HZ ticks, 100 a second on Linux), at most host-cpus-max CPUs.
 * The text is the sample's one read of proc/stat (host_proc_stat).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define CPU_FIELDS 10 /* user nice system idle iowait irq softirq steal guest guest_nice */
static const char *const modes[8] = { "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal" };

int host_cpu_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	const char *buf = host_proc_stat(ctx);
	if (!buf)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	double tick = hz > 0 ? 1.0 / (double)hz : 0.01;
	unsigned max = (unsigned)ctx->cfg->host_cpus_max, n = 0;
	/* two passes, one per family, so each family's series are together */
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (const char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
				continue;
			char *end;
			unsigned long cpu = strtoul(line + 3, &end, 10);
			uint64_t v[CPU_FIELDS] = { 0 };
			for (unsigned f = 0; f < CPU_FIELDS; f++)
				v[f] = strtoull(end, &end, 10);
			if (n++ >= max) {
				ctx->left_out[SHM_HOST_CPUS] += pass == 0;
				continue;
			}
			char id[24];
			snprintf(id, sizeof id, "%lu", cpu);
			char labels[HOST_LABELS_SIZE];
			size_t at = host_label(labels, sizeof labels, 0, "cpu", id);
			if (pass == 0) {
				for (unsigned m = 0; m < 8; m++) {
					host_label(labels, sizeof labels, at, "mode", modes[m]);
					host_add_double(o, HOST_CPU_SECONDS, labels, (double)v[m] * tick);
				}
			} else {
				host_label(labels, sizeof labels, at, "mode", "user");
				host_add_double(o, HOST_CPU_GUEST_SECONDS, labels, (double)v[8] * tick);
				host_label(labels, sizeof labels, at, "mode", "nice");
				host_add_double(o, HOST_CPU_GUEST_SECONDS, labels, (double)v[9] * tick);
			}
		}
	}
	return n > 0 ? 0 : -1;
}
