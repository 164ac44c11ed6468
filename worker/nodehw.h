/*
 * nodehw.h - node_exporter's hwmon and thermal_zone series for a sysfs
 * tree: which series there are (found once, described in the segment's
 * node_hw table) and their values (read again each interval).
 */
#ifndef SENSOR_WORKER_NODEHW_H
#define SENSOR_WORKER_NODEHW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../shm/layout.h"
#include "sysfs.h"

/* How a file's text becomes a value, as node_exporter 1.5.0 does it. */
enum nodehw_parse { NODEHW_FLOAT, NODEHW_INT, NODEHW_BEEP, NODEHW_CONSTANT };
enum nodehw_scale { NODEHW_ONE, NODEHW_TIMES_MILLI, NODEHW_PER_MEGA, NODEHW_PER_KILO };

struct nodehw_file {
	char path[SYSFS_PATH_LEN];
	uint8_t parse, scale;
	uint32_t slot; /* its series in the segment's table */
};

struct nodehw {
	struct nodehw_file *files;
	unsigned count;   /* files */
	unsigned series;  /* series published */
	unsigned dropped; /* series beyond the table's capacity */
	void *published;  /* what the table describes (the scan's own list) */
};

/* node_exporter's cleanMetricName: lower case, each character but
 * [a-z0-9:_] made '_', no '_' at the ends. */
void nodehw_clean(const char *in, size_t inlen, char *out, size_t outlen);

/* The `chip` label of hwmon directory `dir`, derived as node_exporter
 * derives it: from its device link, else its name file, else hwmonN.
 * False when none gives one. */
bool nodehw_chip_label(const char *dir, char *out, size_t len);

/* Find every series under root's sys/class/hwmon and sys/class/thermal and
 * describe them in `table` (which the caller's process alone writes).
 * Returns 0, -1 when out of memory. */
int nodehw_scan(struct nodehw *n, const char *root, struct shm_node_hw *table);

/* Look again (a chip whose driver loaded late, a drive plugged in): when
 * the series differ from those published, describe the new ones. 1 when
 * they changed, 0 when not, -1 when out of memory (the old ones stay). */
int nodehw_rescan(struct nodehw *n, const char *root, struct shm_node_hw *table);

/* Read every file once and store the values (present cleared on a failed
 * read or parse). */
void nodehw_read(const struct nodehw *n, struct shm_node_hw *table);

/* A value's text as node_exporter reads it: false when it would skip it. */
bool nodehw_value(const char *text, enum nodehw_parse parse, enum nodehw_scale scale, double *out);

void nodehw_free(struct nodehw *n);

#endif
