/*
 * textbuf.h - text appended to an evbuffer without printf: written
 * straight into space reserved at the buffer's end
 * (evbuffer_reserve_space), a memcpy per constant piece and numfmt.h for
 * each number, committed by tb_end. The /metrics page is hundreds of
 * short lines of a few constant pieces and one number each; a vsnprintf
 * per line (evbuffer_add_printf) was most of a scrape's CPU.
 *
 * Between tb_begin and tb_end nothing else may touch the evbuffer. When
 * it cannot grow (an allocation failed: the memory cap, which memwatch
 * counts, so the exporter answers 500), the writer writes nothing more;
 * tb_end commits what was written.
 *
 * Or the text goes into a block of a pagepool (tb_begin_page), grown in
 * place as the text needs; the caller hands the block to a response by
 * reference. A block that cannot grow sets `failed` the same way (the
 * caller counts it: no allocator of libevent's was involved).
 */
#ifndef SENSOR_EXPORTER_TEXTBUF_H
#define SENSOR_EXPORTER_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct evbuffer;
struct page;

struct textbuf {
	struct evbuffer *out;  /* the evbuffer written to, or NULL: */
	struct page *page;     /* the block written to (it moves as it grows) */
	char *base, *at, *end; /* the reserved extent, its first free byte, its end */
	size_t committed;      /* bytes committed by earlier extents */
	size_t chunk;          /* the next extent's size */
	bool failed;           /* the buffer could not grow: nothing more is written */
};

/* Start appending to `out`; `hint`: the bytes expected (the first
 * extent's size; 0 for a small default). */
void tb_begin(struct textbuf *tb, struct evbuffer *out, size_t hint);

/* Start writing into `pg` (a pagepool block) from its first byte. */
void tb_begin_page(struct textbuf *tb, struct page *pg);

/* Commit what was written; returns the bytes appended since tb_begin
 * (with tb_begin_page: the text's length, at tb->page->data). */
size_t tb_end(struct textbuf *tb);

/* Make room for n more bytes (commits the extent, reserves another);
 * false when the buffer cannot grow. */
bool tb_grow(struct textbuf *tb, size_t n);

static inline bool tb_room(struct textbuf *tb, size_t n)
{
	return (size_t)(tb->end - tb->at) >= n || tb_grow(tb, n);
}

static inline void tb_put(struct textbuf *tb, const char *s, size_t n)
{
	/* nothing to copy: a buffer that never got memory (tb->at NULL) is no
	 * destination even for memcpy's zero bytes */
	if (n > 0 && tb_room(tb, n)) {
		memcpy(tb->at, s, n);
		tb->at += n;
	}
}

/* A string literal: its length is known at compile time. */
#define TB_LIT(tb, lit) tb_put((tb), "" lit, sizeof(lit) - 1)

/* A NUL-terminated string. */
static inline void tb_str(struct textbuf *tb, const char *s)
{
	tb_put(tb, s, strlen(s));
}

static inline void tb_char(struct textbuf *tb, char c)
{
	if (tb_room(tb, 1))
		*tb->at++ = c;
}

/* A counter in decimal. */
void tb_u64(struct textbuf *tb, uint64_t v);

/* A double as the exposition format writes it (numfmt_double). */
void tb_double(struct textbuf *tb, double v);

/* The first `len` bytes of `s`, escaped as a label value (\\, \", \n). */
void tb_label_value(struct textbuf *tb, const char *s, size_t len);

#endif
