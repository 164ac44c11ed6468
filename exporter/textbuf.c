/*
 * textbuf.c - appending text into an evbuffer's reserved space (see
 * textbuf.h).
 */
#include "textbuf.h"

#include <event2/buffer.h>

#include "../common/promtext.h"
#include "numfmt.h"
#include "pagepool.h"

#define FIRST_CHUNK 4096

void tb_begin(struct textbuf *tb, struct evbuffer *out, size_t hint)
{
	*tb = (struct textbuf){ .out = out, .chunk = hint > FIRST_CHUNK ? hint : FIRST_CHUNK };
}

void tb_begin_page(struct textbuf *tb, struct page *pg)
{
	*tb = (struct textbuf){ .page = pg, .base = pg->data, .at = pg->data, .end = pg->data + pg->cap };
}

/* A block too small for n more bytes: at least doubled, in place. */
static bool grow_page(struct textbuf *tb, size_t n)
{
	size_t used = (size_t)(tb->at - tb->base), cap = (size_t)(tb->end - tb->base);
	size_t want = 2 * cap > used + n ? 2 * cap : used + n;
	struct page *pg = page_resize(tb->page, want);
	if (!pg) {
		tb->failed = true;
		return false;
	}
	tb->page = pg;
	tb->base = pg->data;
	tb->at = pg->data + used;
	tb->end = pg->data + want;
	return true;
}

/* Commit the extent in use, if any. */
static void commit(struct textbuf *tb)
{
	if (tb->page) {
		tb->committed = (size_t)(tb->at - tb->base);
		return;
	}
	if (!tb->base)
		return;
	struct evbuffer_iovec v = { .iov_base = tb->base, .iov_len = (size_t)(tb->at - tb->base) };
	evbuffer_commit_space(tb->out, &v, 1);
	tb->committed += v.iov_len;
	tb->base = tb->at = tb->end = NULL;
}

bool tb_grow(struct textbuf *tb, size_t n)
{
	if (tb->failed)
		return false;
	if (tb->page)
		return grow_page(tb, n);
	commit(tb);
	size_t want = n > tb->chunk ? n : tb->chunk;
	struct evbuffer_iovec v;
	if (evbuffer_reserve_space(tb->out, (ev_ssize_t)want, &v, 1) < 1 || v.iov_len < n) {
		tb->failed = true;
		return false;
	}
	tb->base = tb->at = v.iov_base;
	tb->end = tb->base + v.iov_len;
	/* a page larger than the hint: each extent as large as all before */
	tb->chunk = tb->committed > tb->chunk ? tb->committed : tb->chunk;
	return true;
}

size_t tb_end(struct textbuf *tb)
{
	commit(tb);
	return tb->committed;
}

void tb_u64(struct textbuf *tb, uint64_t v)
{
	if (tb_room(tb, NUMFMT_MAX))
		tb->at += numfmt_u64(tb->at, v);
}

void tb_double(struct textbuf *tb, double v)
{
	if (tb_room(tb, NUMFMT_MAX))
		tb->at += numfmt_double(tb->at, v);
}

#define BYTES_01 UINT64_C(0x0101010101010101)
#define BYTES_80 UINT64_C(0x8080808080808080)

/* Non-zero when one of the eight bytes of w is c (exact: the classic
 * zero-byte test applied to w ^ c...c). */
static inline uint64_t has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (BYTES_01 * c);
	return (x - BYTES_01) & ~x & BYTES_80;
}

/* Has s a character the label format escapes? Names and units almost
 * never do: those are copied as they are. Eight bytes at a time. */
static bool needs_escape(const char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, sizeof w);
		if (has_byte(w, '\\') | has_byte(w, '"') | has_byte(w, '\n'))
			return true;
	}
	for (; i < len; i++)
		if (s[i] == '\\' || s[i] == '"' || s[i] == '\n')
			return true;
	return false;
}

void tb_label_value(struct textbuf *tb, const char *s, size_t len)
{
	if (!needs_escape(s, len)) {
		tb_put(tb, s, len);
		return;
	}
	/* escaped, it is at most twice as long; the escaper adds a NUL */
	if (tb_room(tb, 2 * len + 1))
		tb->at += prom_escape_label_value(tb->at, (size_t)(tb->end - tb->at), s, len);
}
