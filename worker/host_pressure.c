/*
 * host_pressure.c - node_pressure_*_seconds_total from proc/pressure
 * (PSI): the "some" total of cpu, io and memory (waiting) and the "full"
 * total of io and memory (stalled), in microseconds there. Absent (a
 * kernel without PSI): the collector fails, as node_exporter's does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* The total= of the line starting with `kind` ("some" or "full"). */
static int total_us(const char *buf, const char *kind, double *us)
{
	for (const char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, kind, 4) != 0)
			continue;
		const char *t = strstr(line, "total=");
		const char *nl = strchr(line, '\n');
		if (!t || (nl && t > nl))
			return -1;
		*us = (double)strtoull(t + 6, NULL, 10);
		return 0;
	}
	return -1;
}

int host_pressure_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	static const struct {
		const char *res;
		enum host_family some, full; /* full HOST_FAMILY_COUNT: none shown */
	} res[] = {
		{ "cpu", HOST_PRESSURE_CPU_WAITING, HOST_FAMILY_COUNT },
		{ "io", HOST_PRESSURE_IO_WAITING, HOST_PRESSURE_IO_STALLED },
		{ "memory", HOST_PRESSURE_MEMORY_WAITING, HOST_PRESSURE_MEMORY_STALLED },
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof res / sizeof res[0]; i++) {
		char buf[512], path[192];
		double us;
		snprintf(path, sizeof path, "%s/pressure/%s", ctx->proc, res[i].res);
		if (host_read_lines(ctx, path, buf, sizeof buf) <= 0 || total_us(buf, "some", &us) != 0) {
			rc = -1;
			continue;
		}
		host_add_double(o, res[i].some, "", us / 1e6);
		if (res[i].full != HOST_FAMILY_COUNT && total_us(buf, "full", &us) == 0)
			host_add_double(o, res[i].full, "", us / 1e6);
	}
	return rc;
}
