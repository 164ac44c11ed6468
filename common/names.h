/*
 * names.h - a table's names joined into one string for a message ("must
 * be one of error, warn, info, debug"), so each table lists its names
 * once and every message that quotes them asks it.
 */
#ifndef SENSOR_COMMON_NAMES_H
#define SENSOR_COMMON_NAMES_H

#include <stddef.h>

/* The i-th name of a table, i < n. */
typedef const char *name_at_fn(unsigned i);

/*
 * Join name(0) .. name(n - 1) into `buf` (len bytes, NUL-terminated,
 * truncated if need be), separated by ", " and the last by `last_sep`
 * (", " or " or "). Returns buf.
 */
const char *names_join(char *buf, size_t len, unsigned n, name_at_fn *name, const char *last_sep);

#endif
