/*
 * textfile.c - the textfile collector's text in the segment (textfile.h).
 */
#include "textfile.h"

#include <string.h>

#include "seqlock.h"
#include "view.h"

/* Buffer b's words: after the ring, b buffers of the copy's capacity. */
static _Atomic uint64_t *buffer_words(const struct shm_segment *seg, const struct shm_view *v, unsigned b)
{
	char *base = (char *)seg + shm_segment_size(v->hdr.ring_capacity) + (size_t)b * v->textfile_capacity;
	return (_Atomic uint64_t *)base;
}

int shm_textfile_publish(struct shm_segment *seg, const char *text, size_t len, uint64_t generation)
{
	const struct shm_view *v = shm_view_of(seg);
	if (v->seg != seg || v->textfile_capacity == 0 || len > v->textfile_capacity)
		return -1;
	struct shm_textfile *t = &seg->textfile;
	unsigned b = (atomic_load_explicit(&t->active, memory_order_relaxed) & 1u) ^ 1u;
	struct shm_textfile_buf *buf = &t->buf[b];
	_Atomic uint64_t *w = buffer_words(seg, v, b);
	seqlock_write_begin(&buf->seq);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, text + i, 8);
		SHM_STORE(&w[i / 8], word);
	}
	if (i < len) {
		uint64_t word = 0;
		memcpy(&word, text + i, len - i);
		SHM_STORE(&w[i / 8], word);
	}
	SHM_STORE(&buf->len, (uint64_t)len);
	SHM_STORE(&buf->generation, generation);
	seqlock_write_end(&buf->seq);
	atomic_store_explicit(&t->active, b, memory_order_release);
	return 0;
}

enum shm_textfile_read shm_textfile_read(const struct shm_segment *seg, uint64_t known, char *dst, size_t dstlen,
					 size_t *len, uint64_t *generation)
{
	const struct shm_view *v = shm_view_of(seg);
	uint64_t cap = v->textfile_capacity;
	if (v->seg != seg || cap == 0 || dstlen < cap)
		return SHM_TEXTFILE_NONE;
	const struct shm_textfile *t = &seg->textfile;
	for (int tries = 0; tries < SEQLOCK_READ_TRIES; tries++) {
		unsigned b = atomic_load_explicit((_Atomic uint32_t *)&t->active, memory_order_acquire) & 1u;
		const struct shm_textfile_buf *buf = &t->buf[b];
		uint32_t start = seqlock_read_begin(&buf->seq);
		uint64_t gen = SHM_LOAD((_Atomic uint64_t *)&buf->generation);
		uint64_t n = SHM_LOAD((_Atomic uint64_t *)&buf->len);
		if (gen == known || gen == 0 || n > cap) {
			if (!seqlock_read_ok(&buf->seq, start))
				continue;
			return gen == 0 ? SHM_TEXTFILE_NONE : gen == known ? SHM_TEXTFILE_SAME : SHM_TEXTFILE_BAD;
		}
		const _Atomic uint64_t *w = buffer_words(seg, v, b);
		size_t words = (size_t)(n + 7) / 8, i = 0;
		for (; i + 1 < words || (i < words && n % 8 == 0); i++) {
			uint64_t word = SHM_LOAD((_Atomic uint64_t *)&w[i]);
			memcpy(dst + i * 8, &word, 8);
		}
		if (i < words) { /* the last, partial word: only its bytes */
			uint64_t word = SHM_LOAD((_Atomic uint64_t *)&w[i]);
			memcpy(dst + i * 8, &word, (size_t)(n - i * 8));
		}
		if (!seqlock_read_ok(&buf->seq, start))
			continue;
		*len = (size_t)n;
		*generation = gen;
		return SHM_TEXTFILE_NEW;
	}
	return SHM_TEXTFILE_TORN;
}
