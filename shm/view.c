/*
 * view.c - the private, validated copy of the segment's structure, and
 * the supervisor's repair of the live one from it.
 */
#include "view.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "seqlock.h"

static struct shm_view views[SHM_VIEW_MAX];
static const struct shm_view nothing;

static struct shm_view *slot_of(const struct shm_segment *seg)
{
	for (unsigned i = 0; i < SHM_VIEW_MAX; i++)
		if (views[i].seg == seg)
			return &views[i];
	return NULL;
}

/* Copy a string field, terminated within its size whatever the source. */
static void copy_string(char *dst, const char *src, size_t size)
{
	memcpy(dst, src, size);
	dst[size - 1] = '\0';
}

int shm_view_capture(const struct shm_segment *seg, size_t size, char *err, size_t errlen)
{
	if (shm_validate(seg, size, err, errlen) != 0)
		return -1;
	static uint64_t captures;
	struct shm_view v = { .seg = seg, .hdr = seg->hdr, .push_enabled = seg->push.enabled, .capture = ++captures };
	v.textfile_capacity = seg->textfile.capacity;
	v.chan = calloc(v.hdr.channel_count, sizeof *v.chan);
	if (!v.chan) {
		snprintf(err, errlen, "cannot allocate the copy of %u channel descriptions", v.hdr.channel_count);
		return -1;
	}
	for (uint32_t i = 0; i < v.hdr.channel_count; i++) {
		const struct shm_channel *c = &seg->channels[i];
		struct shm_channel_desc *d = &v.chan[i];
		copy_string(d->name, c->name, sizeof d->name);
		copy_string(d->unit, c->unit, sizeof d->unit);
		copy_string(d->labels, c->labels, sizeof d->labels);
		d->source = c->source;
		d->interval_ms = c->interval_ms;
		d->spectrum = c->spectrum;
	}
	shm_view_release(seg);
	struct shm_view *free_slot = slot_of(NULL);
	if (!free_slot) {
		free(v.chan);
		snprintf(err, errlen, "more than %u segments mapped", SHM_VIEW_MAX);
		return -1;
	}
	*free_slot = v;
	return 0;
}

const struct shm_view *shm_view_of(const struct shm_segment *seg)
{
	const struct shm_view *v = seg ? slot_of(seg) : NULL;
	return v ? v : &nothing;
}

void shm_view_release(const struct shm_segment *seg)
{
	struct shm_view *v = seg ? slot_of(seg) : NULL;
	if (!v)
		return;
	free(v->chan);
	memset(v, 0, sizeof *v);
}

uint32_t shm_view_channels(const struct shm_view *v)
{
	uint32_t n = v->hdr.channel_count;
	if (!v->seg)
		return n;
	uint32_t live = atomic_load_explicit(&v->seg->live_channels, memory_order_acquire);
	return live > n && live <= SHM_MAX_CHANNELS ? live : n;
}

size_t shm_utf8_char_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = *p++, more, min;
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		more = 1, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		more = 2, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		more = 3, min = 0x10000;
	else
		return 0;
	unsigned cp = c & (0x3fu >> more);
	for (unsigned k = 0; k < more; k++, p++) {
		if ((*p & 0xc0) != 0x80)
			return 0; /* the terminating NUL included */
		cp = cp << 6 | (*p & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return more + 1;
}

bool shm_utf8_valid(const char *s)
{
	while (*s) {
		size_t n = shm_utf8_char_len(s);
		if (!n)
			return false;
		s += n;
	}
	return true;
}

const struct shm_channel_desc *shm_view_chan(const struct shm_view *v, uint32_t i, struct shm_channel_desc *scratch)
{
	if (i < v->hdr.channel_count)
		return &v->chan[i];
	if (i >= shm_view_channels(v))
		return NULL;
	/* a late channel, written by the worker: untrusted */
	struct shm_channel *c = (struct shm_channel *)&v->seg->channels[i]; /* loads only */
	bool whole = false;
	for (int tries = 0; tries < SEQLOCK_READ_TRIES && !whole; tries++) {
		uint32_t s = seqlock_read_begin(&c->desc_seq);
		copy_string(scratch->name, c->name, sizeof scratch->name);
		copy_string(scratch->unit, c->unit, sizeof scratch->unit);
		scratch->source = c->source;
		scratch->interval_ms = c->interval_ms;
		scratch->spectrum = c->spectrum;
		whole = seqlock_read_ok(&c->desc_seq, s);
	}
	/* Constant labels go into the page as they are (pre-rendered), so
	 * only the supervisor's are taken; discovery gives a late channel
	 * none. */
	scratch->labels[0] = '\0';
	if (!whole || scratch->name[0] == '\0' || scratch->source >= SHM_SOURCE_COUNT ||
	    !shm_utf8_valid(scratch->name) || !shm_utf8_valid(scratch->unit))
		return NULL;
	return scratch;
}

/* Repair bookkeeping: the count and the names, comma-separated. */
struct repair {
	unsigned n;
	char *what;
	size_t len, used;
};

/* Count a field rewritten, by name. */
static void note(struct repair *r, const char *name, long index)
{
	r->n++;
	if (r->used + 1 >= r->len)
		return;
	int w = index < 0 ? snprintf(r->what + r->used, r->len - r->used, "%s%s", r->n > 1 ? ", " : "", name)
			  : snprintf(r->what + r->used, r->len - r->used, "%schannel %ld %s", r->n > 1 ? ", " : "",
				     index, name);
	if (w > 0)
		r->used += (size_t)w < r->len - r->used ? (size_t)w : r->len - r->used - 1;
}

static void fix(struct repair *r, void *live, const void *good, size_t size, const char *name, long index)
{
	if (memcmp(live, good, size) == 0)
		return;
	memcpy(live, good, size);
	note(r, name, index);
}

#define FIX_HDR(field) fix(&r, &live->field, &good->field, sizeof good->field, #field, -1)
#define FIX_CHAN(field) fix(&r, c->field, d->field, sizeof d->field, #field, (long)i)
#define FIX_CHAN_U32(field) fix(&r, &c->field, &d->field, sizeof d->field, #field, (long)i)

unsigned shm_view_repair(struct shm_segment *seg, char *what, size_t whatlen)
{
	const struct shm_view *v = shm_view_of(seg);
	struct repair r = { 0, what, whatlen, 0 };
	if (whatlen)
		what[0] = '\0';
	if (v->seg != seg)
		return 0;

	struct shm_header *live = &seg->hdr;
	const struct shm_header *good = &v->hdr;
	FIX_HDR(pre.version);
	FIX_HDR(pre.header_size);
	FIX_HDR(pre.total_size);
	FIX_HDR(pre.owner_pid);
	FIX_HDR(pre.reserved);
	FIX_HDR(created_realtime_ns);
	FIX_HDR(created_monotonic_ns);
	FIX_HDR(ring_capacity);
	FIX_HDR(channel_count);
	FIX_HDR(ring_offset);
	FIX_HDR(heartbeat_timeout_ms);
	FIX_HDR(copy_max_age_ms);
	if (atomic_load_explicit((_Atomic uint64_t *)&live->pre.magic, memory_order_relaxed) != good->pre.magic) {
		shm_publish_magic(seg); /* the magic last, as shm_create publishes it */
		note(&r, "pre.magic", -1);
	}

	for (uint32_t i = 0; i < good->channel_count; i++) {
		struct shm_channel *c = &seg->channels[i];
		const struct shm_channel_desc *d = &v->chan[i];
		FIX_CHAN(name);
		FIX_CHAN(unit);
		FIX_CHAN(labels);
		FIX_CHAN_U32(source);
		FIX_CHAN_U32(interval_ms);
		FIX_CHAN_U32(spectrum);
	}
	fix(&r, &seg->push.enabled, &v->push_enabled, sizeof v->push_enabled, "push.enabled", -1);
	fix(&r, &seg->textfile.capacity, &v->textfile_capacity, sizeof v->textfile_capacity, "textfile.capacity", -1);
	return r.n;
}
