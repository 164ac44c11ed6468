/*
 * families.c - the families the service writes (families.h).
 */
#include "families.h"

#include <string.h>

/* node_exporter's names of families we write ourselves. */
static const char *const node_families[] = {
	FAMILY_TEXTFILE_MTIME,
	FAMILY_TEXTFILE_ERROR,
};

static const char *const prefixes[] = { FAMILY_OWN_PREFIX, FAMILY_PROCESS_PREFIX };

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
	return false;
}
