/*
 * host_meminfo.c - node_memory_<field>[_bytes] for every line of
 * proc/meminfo, named as node_exporter names them: "Active(anon)"
 * becomes Active_anon, and a field in kB is multiplied by 1024 and gets
 * _bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int host_meminfo_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)state;
	char path[192];
	snprintf(path, sizeof path, "%s/meminfo", ctx->proc);
	if (host_read_text(ctx, path, &ctx->scratch) <= 0)
		return -1;
	char *buf = ctx->scratch.buf;
	unsigned n = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char name[64];
		size_t k = 0;
		const char *p = line;
		for (; *p && *p != ':' && *p != '\n' && k + 8 < sizeof name; p++) {
			if (*p == '(')
				name[k++] = '_';
			else if (*p == ')')
				continue;
			else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				 *p == '_')
				name[k++] = *p;
			else
				break;
		}
		if (*p != ':' || k == 0)
			continue;
		char *end;
		uint64_t v = strtoull(p + 1, &end, 10);
		while (*end == ' ')
			end++;
		if (strncmp(end, "kB", 2) == 0) {
			v *= 1024;
			memcpy(name + k, "_bytes", 6);
			k += 6;
		}
		name[k] = '\0';
		host_add_u64(o, HOST_MEMINFO, name, v);
		n++;
	}
	return n > 0 ? 0 : -1;
}
