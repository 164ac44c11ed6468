/*
 * gzip.h - gzip Content-Encoding of response bodies: whether the client
 * accepts it (Accept-Encoding), and the compression itself (zlib).
 */
#ifndef SENSOR_EXPORTER_GZIP_H
#define SENSOR_EXPORTER_GZIP_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;

/*
 * The zlib level of every compressed response. Chosen from a measurement
 * (bench/gzip_cost.py, make bench-gzip): on the 1,024-channel page level 1 costs about
 * a third of level 6's CPU for a page only a little larger, and a scrape's
 * CPU is what an edge device is short of.
 */
#define GZIP_LEVEL 1

/* Bodies shorter than this go out as they are: gzip's own header and
 * trailer (18 bytes) and a deflate block would outweigh the saving. */
#define GZIP_MIN_BYTES 256

/*
 * Does this Accept-Encoding header value (NULL: no header) accept gzip?
 * RFC 9110 12.5.3: a "gzip" or "x-gzip" coding, or "*" when gzip is not
 * listed itself, with a q-value above 0. Case-insensitive, bounded by the
 * header's length.
 */
bool gzip_accepted(const char *accept_encoding);

/*
 * Compress all of `in` into `out` as one gzip member at `level`.
 * Returns false (and leaves `out` with partial data the caller drops)
 * when zlib or an allocation fails; `in` is never changed.
 */
bool gzip_compress(struct evbuffer *in, struct evbuffer *out, int level);

#endif
