/*
 * textbuf.c - appending text into an evbuffer's reserved space (see
 * textbuf.h).
 */
#include "textbuf.h"

#include <event2/buffer.h>

#include "../common/promtext.h"
#include "numfmt.h"

#define FIRST_CHUNK 4096

void tb_begin(struct textbuf *tb, struct evbuffer *out, size_t hint)
{
	*tb = (struct textbuf){ .out = out, .chunk = hint > FIRST_CHUNK ? hint : FIRST_CHUNK };
}

/* Commit the extent in use, if any. */
static void commit(struct textbuf *tb)
{
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

void tb_label_value(struct textbuf *tb, const char *s, size_t len)
{
	/* escaped, it is at most twice as long; the escaper adds a NUL */
	if (tb_room(tb, 2 * len + 1))
		tb->at += prom_escape_label_value(tb->at, (size_t)(tb->end - tb->at), s, len);
}
