/*
 * source_thermal.c - Linux thermal zones, /sys/class/thermal/thermal_zone*,
 * chosen by the text of their `type` file (x86_pkg_temp, cpu-thermal,
 * acpitz...) and, where several share a type, by `zone` (thermal_zone3).
 * `temp` is in millidegrees Celsius.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "source.h"

static int match_zone(const char *dir, const char *name, void *ctx)
{
	struct source *s = ctx;
	if (s->cc->path[0] && strcmp(name, s->cc->path) != 0)
		return 0; /* zone= pins one of several zones of a type */
	char path[SYSFS_PATH_LEN], type[CHANNEL_SELECTOR_LEN];
	if (!sysfs_path(path, sizeof path, "%s/type", dir) || sysfs_read_line(path, type, sizeof type) != 0 ||
	    strcmp(type, s->cc->device) != 0)
		return 0;
	if (!sysfs_path(s->path, sizeof s->path, "%s/temp", dir))
		return 0;
	s->factor = 1e-3;
	s->unit = "celsius";
	return 1;
}

static int thermal_resolve(struct source *s)
{
	char dir[SYSFS_PATH_LEN];
	if (!sysfs_join(dir, sizeof dir, s->root, "/sys/class/thermal"))
		return source_fail(s, SHM_READ_MISSING, "sysfs root %s is too long", s->root);
	int rc = sysfs_scan(dir, "thermal_zone", match_zone, s);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return source_fail(s, sysfs_errno_reason(errno), "cannot list %s: %s", dir, strerror(errno));
	return source_fail(s, SHM_READ_MISSING, "no thermal zone of type '%s' in %s", s->cc->device, dir);
}

const struct source_ops source_thermal_ops = { "thermal", thermal_resolve, source_read_path };
