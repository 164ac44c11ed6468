/*
 * textfile.h - the textfile collector's text in the segment (struct
 * shm_textfile in layout.h): published whole by the worker, copied whole
 * or not at all by the exporter.
 *
 * The geometry (where the two buffers are, how large) comes from the
 * process's copy of the segment's structure (view.h), never from the live
 * segment; a length in the segment beyond that capacity is refused. The
 * text is stored and copied as 64-bit atomic words, so a reader racing a
 * writer is no data race; the buffer's sequence counter tells a torn
 * copy, which the reader throws away.
 */
#ifndef SENSOR_SHM_TEXTFILE_H
#define SENSOR_SHM_TEXTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* The samples a page holds at most: the files' series (textfile-max-series),
 * an mtime series per file taken (textfile-max-files) and the scrape error
 * series (worker/textfile_merge.c). The exporter parses no more. */
static inline uint32_t shm_textfile_max_samples(uint32_t max_series, uint32_t max_files)
{
	return max_series + max_files + 1u;
}

/* Publish `len` bytes of text (len <= the view's textfile_capacity) as
 * generation `generation` (non-zero). Returns 0, or -1 when the collector
 * has no region or the text does not fit. */
int shm_textfile_publish(struct shm_segment *seg, const char *text, size_t len, uint64_t generation);

enum shm_textfile_read {
	SHM_TEXTFILE_SAME, /* generation `known` is still the published one */
	SHM_TEXTFILE_NEW,  /* a whole copy of a newer one is in dst */
	SHM_TEXTFILE_NONE, /* nothing published yet */
	SHM_TEXTFILE_TORN, /* no whole copy within SEQLOCK_READ_TRIES */
	SHM_TEXTFILE_BAD,  /* a length beyond the capacity: not served */
};

/*
 * Copy the published text into dst, which has room for the view's
 * textfile_capacity bytes (rounded up to 8), unless its generation is
 * `known`. *len and *generation describe the copy on SHM_TEXTFILE_NEW.
 */
enum shm_textfile_read shm_textfile_read(const struct shm_segment *seg, uint64_t known, char *dst, size_t dstlen,
					 size_t *len, uint64_t *generation);

#endif
