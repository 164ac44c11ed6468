/*
 * families.h - which metric families are the service's own, so that text
 * written by other programs (the textfile collector's *.prom files) can
 * never define, redefine or shadow one of them.
 *
 * Every family the exporter writes about the service is named under
 * FAMILY_OWN_PREFIX; its own process is described under
 * FAMILY_PROCESS_PREFIX (the names of Prometheus' client libraries,
 * exporter/render_process.c); the node_* families it writes in
 * node_exporter's names are listed in families.c or in the tables of the
 * collectors that write them (hostfamily.h). A collector that adds
 * node_* families adds them there: test_textfile renders a page and
 * checks that every family on it is known here.
 */
#ifndef SENSOR_COMMON_FAMILIES_H
#define SENSOR_COMMON_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>

#define FAMILY_OWN_PREFIX "sensor_"
#define FAMILY_PROCESS_PREFIX "process_"

/* node_exporter's hwmon and thermal_zone families (worker/nodehw.c). */
#define FAMILY_NODE_HWMON_PREFIX "node_hwmon_"
#define FAMILY_NODE_THERMAL_ZONE "node_thermal_zone_temp"

/* The textfile collector's own families, as node_exporter names them. */
#define FAMILY_TEXTFILE_MTIME "node_textfile_mtime_seconds"
#define FAMILY_TEXTFILE_ERROR "node_textfile_scrape_error"

/* Is the family `name` (len bytes, not NUL-terminated) one we write? */
bool family_is_ours(const char *name, size_t len);

#endif
