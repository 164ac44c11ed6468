/*
 * textfile.h - the textfile collector, as node_exporter's: the metrics of
 * every *.prom file in textfile-directory, served in /metrics beside
 * ours, with node_textfile_mtime_seconds{file} and
 * node_textfile_scrape_error.
 *
 * Every textfile-interval-ms a job of the worker's reader pool (pool.h:
 * a directory on a hung mount holds one thread, never the loop) lists the
 * directory, reads each file (refusing one that changes while it is read:
 * files are meant to be written elsewhere and renamed in, so a reader
 * always has the old or the new one whole), parses and checks it
 * (common/promparse.h) and merges the files that pass into the page
 * (textfile_merge.h), each whole or not at all. When the page differs
 * from the last one published, the job publishes it into the segment
 * (shm/textfile.h); the exporter checks it again and appends it to
 * /metrics. A file refused for any reason sets node_textfile_scrape_error
 * and is logged through a rate limit by the loop.
 */
#ifndef SENSOR_WORKER_TEXTFILE_H
#define SENSOR_WORKER_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/config.h"
#include "../shm/layout.h"
#include "pool.h"

/* Is the collector on (textfile-directory not "none")? */
bool textfile_on(const struct config *cfg);

/* Bytes of each of the segment's two text buffers: textfile-max-bytes
 * rounded up to 8, or 0 when the collector is off. */
uint64_t textfile_capacity(const struct config *cfg);

struct textfile_bounds {
	uint32_t max_files, max_series;
	size_t max_file_bytes, max_bytes;
};

void textfile_bounds_of(const struct config *cfg, struct textfile_bounds *b);

#define TEXTFILE_NOTES 8u

/* One pass over the directory: the page, and what was refused. */
struct textfile_pass {
	char *text; /* malloc'd; NULL when out of memory */
	size_t len;
	bool error;     /* node_textfile_scrape_error */
	unsigned files; /* taken */
	unsigned nnotes, problems;
	char note[TEXTFILE_NOTES][256]; /* the first problems, one line each */
};

/* Read `dir` once, within the bounds (what the job runs; tests and the
 * benchmark call it directly). Free pass->text. */
void textfile_collect(const char *dir, const struct textfile_bounds *b, struct textfile_pass *pass);

struct textfile;

/* The collector of cfg writing into seg's buffers; NULL when it is off
 * (or out of memory, logged). */
struct textfile *textfile_new(struct shm_segment *seg, const struct config *cfg);

/* Take the last pass's result (logging its problems), hand the next one
 * to the pool when it is due. */
void textfile_tick(struct textfile *t, struct pool *p, int64_t now_mono_ns);

/* When the next pass is due; INT64_MAX for NULL. */
int64_t textfile_next_due(const struct textfile *t);

/* After the pool stopped (its job no longer runs). */
void textfile_free(struct textfile *t);

#endif
