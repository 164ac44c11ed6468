/*
 * source_file.c - any file holding one number (a one-off driver's
 * attribute, a value another program keeps up to date). The path is read
 * below --sysfs-root.
 */
#include "source.h"

static int file_resolve(struct source *s)
{
	if (!sysfs_join(s->path, sizeof s->path, s->root, s->cc->path))
		return source_fail(s, SHM_READ_MISSING, "path below %s is too long", s->root);
	return 0;
}

const struct source_ops source_file_ops = { "file", file_resolve, source_read_path };
