/*
 * names.c - joining a table's names for a message (names.h).
 */
#include "names.h"

#include <string.h>

const char *names_join(char *buf, size_t len, unsigned n, name_at_fn *name, const char *last_sep)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? last_sep : ", ";
		strncat(buf, sep, len - strlen(buf) - 1);
		strncat(buf, name(i), len - strlen(buf) - 1);
	}
	return buf;
}
