/*
 * textfile_merge.h - the textfile collector's page: the families of the
 * *.prom files that pass, grouped across files, then
 * node_textfile_mtime_seconds and node_textfile_scrape_error as
 * node_exporter writes them.
 *
 * Files are offered one by one (in name order, each parsed by
 * common/promparse.h) and taken whole or refused whole: a file that
 * defines one of our families (common/families.h), that gives a family
 * another type or help than an earlier file, that repeats a series of an
 * earlier file, whose family names clash with an earlier histogram's or
 * summary's sample names, or that would pass the bounds on series or
 * bytes. A family without HELP gets node_exporter's: "Metric read from"
 * and the files' paths.
 */
#ifndef SENSOR_WORKER_TEXTFILE_MERGE_H
#define SENSOR_WORKER_TEXTFILE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/promparse.h"

struct textfile_merge;

/* At most max_series series and max_bytes bytes of page in all. */
struct textfile_merge *textfile_merge_new(uint32_t max_series, size_t max_bytes);
void textfile_merge_free(struct textfile_merge *m);

/* Offer a parsed file (doc and path must live until the render). 0:
 * taken; -1: refused whole, with the reason in why. */
int textfile_merge_add(struct textfile_merge *m, const char *path, int64_t mtime_s, const struct prom_doc *doc,
		       char *why, size_t whylen);

/* The page of the files taken, with node_textfile_scrape_error `error`;
 * *out is malloc'd (free it). Returns its length, at most max_bytes;
 * (size_t)-1 when out of memory. */
size_t textfile_merge_render(struct textfile_merge *m, bool error, char **out);

#endif
