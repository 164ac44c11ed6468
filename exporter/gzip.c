/*
 * gzip.c - Accept-Encoding parsing and zlib compression of a response
 * body (see gzip.h).
 *
 * The body is read where it lies (evbuffer_peek, no copy) and deflated
 * straight into space reserved in the output buffer. zlib's state lives
 * only for the call, so an idle exporter holds none of it, and it is sized
 * to the body: a window no larger than the body loses no match, and a
 * small body's state (64 KiB for the default 7 KB page, against 256 KiB
 * at zlib's defaults) comes from the heap's free space instead of fresh
 * pages mapped, faulted in and unmapped at every scrape.
 */
#include "gzip.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/log.h"
#include "optlibs.h"

#define GZIP_WRAPPER 16   /* added to windowBits: a gzip header and trailer */
#define MIN_WINDOW_BITS 9 /* zlib's smallest for deflate */
/* An 8 KiB window at most, not zlib's 32 KiB: what repeats in a metrics
 * page (family names, label sets) lies a few lines apart, so a board's
 * page comes out about 2% larger, while deflate's state, which stays in
 * the exporter's heap after its first compressed answer, is 64 KiB
 * instead of 256 KiB. */
#define MAX_WINDOW_BITS 13
#define OUT_CHUNK 16384
#define MAX_CODING_LEN 32

/* A q-value ("q=0.5", "q=0", "q=1.000"): is it above zero? Anything that
 * does not parse counts as 1, as if the parameter were absent. */
static bool q_positive(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return true;
	for (p += 2; p < end && *p != ' ' && *p != '\t'; p++)
		if (*p >= '1' && *p <= '9')
			return true;
	return false;
}

bool gzip_accepted(const char *accept_encoding)
{
	if (!accept_encoding)
		return false;
	int gzip = -1, star = -1; /* -1: not listed; 0: refused; 1: accepted */
	const char *p = accept_encoding;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *end = p + len;
		const char *tok = p;
		while (tok < end && (*tok == ' ' || *tok == '\t'))
			tok++;
		size_t tlen = strcspn(tok, ";, \t");
		if (tok + tlen > end)
			tlen = (size_t)(end - tok);
		const char *semi = memchr(tok, ';', (size_t)(end - tok));
		bool ok = semi ? q_positive(semi + 1, end) : true;
		if (tlen < MAX_CODING_LEN) {
			if ((tlen == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
			    (tlen == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
				gzip = ok;
			else if (tlen == 1 && tok[0] == '*')
				star = ok;
		}
		p = *end ? end + 1 : end;
	}
	return gzip >= 0 ? gzip == 1 : star == 1;
}

/* Deflate what is in zs->next_in (flush: Z_NO_FLUSH or Z_FINISH) into out. */
static bool deflate_into(z_stream *zs, struct evbuffer *out, int flush)
{
	int rc;
	do {
		struct evbuffer_iovec v;
		if (evbuffer_reserve_space(out, OUT_CHUNK, &v, 1) < 1)
			return false;
		zs->next_out = v.iov_base;
		zs->avail_out = (uInt)(v.iov_len > UINT32_MAX ? UINT32_MAX : v.iov_len);
		uInt avail = zs->avail_out;
		rc = libz.deflate(zs, flush);
		v.iov_len = avail - zs->avail_out;
		if (evbuffer_commit_space(out, &v, 1) != 0 || rc == Z_STREAM_ERROR)
			return false;
	} while (zs->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return true;
}

/* The smallest window that holds `len` bytes, within zlib's range. */
static int window_bits_for(size_t len)
{
	int bits = MIN_WINDOW_BITS;
	while (bits < MAX_WINDOW_BITS && ((size_t)1 << bits) < len)
		bits++;
	return bits;
}

/* zlib, opened at the first response a client asks to compress; if it
 * cannot be, every response goes out uncompressed and that is said once. */
static bool have_zlib(void)
{
	static bool said;
	char why[256];
	if (optlibs_zlib(why, sizeof why))
		return true;
	if (!said)
		log_error("gzip: %s: responses are sent uncompressed", why);
	said = true;
	return false;
}

bool gzip_compress(struct evbuffer *in, struct evbuffer *out, int level)
{
	if (!have_zlib())
		return false;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	int bits = window_bits_for(evbuffer_get_length(in));
	/* the hash table scaled with the window, as zlib's defaults scale it
	 * (memLevel 8 for a 15-bit window) */
	int mem_level = bits - 7;
	/* deflateInit2 is a macro over deflateInit2_ */
	if (libz.deflateInit2_(&zs, level, Z_DEFLATED, bits + GZIP_WRAPPER, mem_level < 1 ? 1 : mem_level,
			       Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof zs) != Z_OK)
		return false;
	bool ok = true;
	int n = evbuffer_peek(in, -1, NULL, NULL, 0);
	struct evbuffer_iovec *v = n > 0 ? calloc((size_t)n, sizeof *v) : NULL;
	if (n > 0 && !v)
		ok = false;
	if (ok && n > 0)
		n = evbuffer_peek(in, -1, NULL, v, n);
	for (int i = 0; ok && i < n; i++) {
		zs.next_in = v[i].iov_base;
		zs.avail_in = (uInt)v[i].iov_len;
		ok = deflate_into(&zs, out, Z_NO_FLUSH);
	}
	if (ok) {
		zs.next_in = NULL;
		zs.avail_in = 0;
		ok = deflate_into(&zs, out, Z_FINISH);
	}
	free(v);
	libz.deflateEnd(&zs);
	return ok;
}
