/*
 * families.c - the families the service writes (families.h).
 */
#include "families.h"

#include "hostfamily.h"

#include <string.h>

/* node_exporter's names of families we write ourselves. */
static const char *const node_families[] = {
	FAMILY_TEXTFILE_MTIME,
	FAMILY_TEXTFILE_ERROR,
	FAMILY_NODE_THERMAL_ZONE,
};

static const char *const prefixes[] = { FAMILY_OWN_PREFIX, FAMILY_PROCESS_PREFIX, FAMILY_NODE_HWMON_PREFIX };

bool family_is_ours(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t plen = strlen(prefixes[i]);
		if (len >= plen && memcmp(name, prefixes[i], plen) == 0)
			return true;
	}
	for (size_t i = 0; i < sizeof node_families / sizeof node_families[0]; i++)
		if (strlen(node_families[i]) == len && memcmp(name, node_families[i], len) == 0)
			return true;
	/* the host's vital signs: a named family (meminfo's fields) owns its prefix */
	for (size_t i = 0; i < HOST_FAMILY_COUNT; i++) {
		const struct host_family_desc *f = &host_families[i];
		if (f->named ? len >= f->name_len && memcmp(name, f->name, f->name_len) == 0
			     : f->name_len == len && memcmp(name, f->name, len) == 0)
			return true;
	}
	return false;
}
