/*
 * fuzz_shm.c - fuzz target: the shared segment as untrusted bytes.
 * 1. shm_validate over the input as a mapping of that size: never reads
 *    past it, and accepts only a geometry that is consistent.
 * 2. The input spread over the segment, header and strings included and
 *    nothing terminated (what a dying or buggy writer, or any process
 *    that can open /dev/shm, could leave), after this process took its
 *    copy of the structure (view.h): the ring and all the exporter's
 *    renderers must neither crash nor read out of bounds, and still show
 *    the channels of the copy; the supervisor's repair must then restore
 *    the structure exactly.
 */
#include <event2/buffer.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../../exporter/render.h"
#include "../../shm/ring.h"
#include "../../shm/segment.h"
#include "../../shm/view.h"
#include "fuzz.h"

#define CAP 16u
#define MAX_CHANNELS 8u

static struct shm_segment *seg, *good;
static size_t seg_size;

static void validate_raw(const uint8_t *data, size_t size)
{
	char err[128];
	if (shm_validate(data, size, err, sizeof err) != 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		return;
	}
	const struct shm_segment *s = (const void *)data;
	uint32_t cap = s->hdr.ring_capacity;
	FUZZ_ASSERT(size >= shm_segment_size(cap));
	FUZZ_ASSERT(s->hdr.ring_offset + (uint64_t)cap * sizeof(struct shm_ring_slot) <= size);
}

/* A segment as the supervisor leaves it before forking, and its copy. */
static void describe(uint32_t channels)
{
	if (!seg) {
		seg_size = shm_segment_size(CAP);
		seg = calloc(1, seg_size);
		good = calloc(1, seg_size);
		FUZZ_ASSERT(seg != NULL && good != NULL);
	}
	memset(seg, 0, seg_size);
	seg->hdr.pre.magic = SHM_MAGIC;
	seg->hdr.pre.version = SHM_LAYOUT_VERSION;
	seg->hdr.pre.header_size = sizeof(struct shm_segment);
	seg->hdr.pre.total_size = seg_size;
	seg->hdr.ring_capacity = CAP;
	seg->hdr.channel_count = channels;
	seg->hdr.ring_offset = SHM_RING_OFFSET;
	seg->hdr.heartbeat_timeout_ms = 1000;
	for (uint32_t c = 0; c < channels; c++) {
		struct shm_channel *ch = &seg->channels[c];
		snprintf(ch->name, sizeof ch->name, "ch%u", c);
		snprintf(ch->unit, sizeof ch->unit, "u%u", c);
		snprintf(ch->labels, sizeof ch->labels, "room=\"r%u\"", c);
		ch->source = c % SHM_SOURCE_COUNT;
		ch->spectrum = c & 1;
	}
	seg->push.enabled = channels & 1;
	char err[128];
	FUZZ_ASSERT(shm_view_capture(seg, seg_size, err, sizeof err) == 0);
	memcpy(good, seg, seg_size);
}

/* The input, repeated, over every byte any reader may look at: all but
 * the channel records past the last one described (which no reader
 * touches, and which would make each run a hundred times slower). */
static void spread(const uint8_t *data, size_t size)
{
	const size_t used = offsetof(struct shm_segment, channels) + MAX_CHANNELS * sizeof(struct shm_channel);
	const size_t rest = offsetof(struct shm_segment, push);
	unsigned char *b = (unsigned char *)seg;
	size_t k = 0;
	for (size_t i = 0; i < seg_size; i = i + 1 == used ? rest : i + 1)
		b[i] = size ? data[k++ % size] : 0;
}

static void read_everything(int64_t now)
{
	struct reading out[CAP];
	FUZZ_ASSERT(ring_depth(seg) <= CAP);
	FUZZ_ASSERT(ring_peek_recent(seg, out, CAP) <= CAP);
	struct evbuffer *b = evbuffer_new();
	FUZZ_ASSERT(b != NULL);
	render_metrics(b, seg, now);
	/* the copy's channels, not the bytes now in the live names */
	const char *ch0 = "sensor_value{channel=\"ch0\",unit=\"u0\",room=\"r0\"}";
	FUZZ_ASSERT(evbuffer_search(b, ch0, strlen(ch0), NULL).pos >= 0);
	int status = render_health(b, seg, now);
	FUZZ_ASSERT(status == 200 || status == 503);
	render_debug(b, seg, now, 64);
	evbuffer_free(b);
}

/* Everything the supervisor wrote before forking is as it wrote it. */
static void structure_restored(void)
{
	FUZZ_ASSERT(memcmp(&seg->hdr, &good->hdr, sizeof seg->hdr) == 0);
	for (uint32_t c = 0; c < good->hdr.channel_count; c++) {
		const struct shm_channel *a = &seg->channels[c], *g = &good->channels[c];
		FUZZ_ASSERT(memcmp(a->name, g->name, sizeof a->name) == 0);
		FUZZ_ASSERT(memcmp(a->unit, g->unit, sizeof a->unit) == 0);
		FUZZ_ASSERT(memcmp(a->labels, g->labels, sizeof a->labels) == 0);
		FUZZ_ASSERT(a->source == g->source && a->interval_ms == g->interval_ms && a->spectrum == g->spectrum);
	}
	FUZZ_ASSERT(seg->push.enabled == good->push.enabled);
	char err[128];
	FUZZ_ASSERT(shm_validate(seg, seg_size, err, sizeof err) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	validate_raw(data, size);

	describe(size ? 1 + data[0] % MAX_CHANNELS : 1);
	spread(data, size);
	int64_t now = size >= 8 ? (int64_t)data[size - 1] << 32 : 0;
	read_everything(now);

	char what[160];
	unsigned fixed = shm_view_repair(seg, what, sizeof what);
	FUZZ_ASSERT(memchr(what, '\0', sizeof what) != NULL);
	FUZZ_ASSERT((fixed == 0) == (what[0] == '\0'));
	structure_restored();
	FUZZ_ASSERT(shm_view_repair(seg, what, sizeof what) == 0);
	read_everything(now);
	shm_view_release(seg);
	return 0;
}
