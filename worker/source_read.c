/*
 * source_read.c - what the kinds that read a file share: recording why a
 * read failed, and reading one number from the source's path. Below
 * source.c, which dispatches to the kinds, so that the kinds never call
 * back into it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "source.h"

int source_fail(struct source *s, enum shm_read_error why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof s->detail, fmt, ap);
	va_end(ap);
	s->why = why;
	return -1;
}

int source_read_path(struct source *s, int64_t now_mono_ns, double *raw)
{
	(void)now_mono_ns;
	enum shm_read_error why;
	if (sysfs_read_number(s->path, raw, &why) != 0)
		return source_fail(s, why, "cannot read %s: %s", s->path,
				   why == SHM_READ_PARSE ? "not one number" : strerror(errno));
	return 0;
}
