/* host_filesystem.c - placeholder, filled in below. */
#include <stdlib.h>

#include "host.h"

int host_filesystem_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)ctx;
	(void)state;
	(void)o;
	return -1;
}

void *host_filesystem_new(const struct host_ctx *ctx)
{
	(void)ctx;
	return malloc(1);
}

void host_filesystem_free(void *state)
{
	free(state);
}
