/*
 * fuzz_shm.c - fuzz target: the shared segment as untrusted bytes.
 * 1. shm_validate over the input as a mapping of that size: never reads
 *    past it, and accepts only a geometry that is consistent.
 * 2. The input spread over every field after a valid header (what a
 *    dying or buggy writer could leave): the ring and all the exporter's
 *    renderers must neither crash nor read out of bounds.
 */
#include <event2/buffer.h>
#include <string.h>

#include "../../exporter/render.h"
#include "../../shm/ring.h"
#include "../../shm/segment.h"
#include "fuzz.h"

#define CAP 16u

static struct shm_segment *seg;
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

static void fresh_header(uint32_t channels)
{
	if (!seg) {
		seg_size = shm_segment_size(CAP);
		seg = calloc(1, seg_size);
		FUZZ_ASSERT(seg != NULL);
	}
	memset(&seg->hdr, 0, sizeof seg->hdr);
	seg->hdr.pre.magic = SHM_MAGIC;
	seg->hdr.pre.version = SHM_LAYOUT_VERSION;
	seg->hdr.pre.header_size = sizeof(struct shm_segment);
	seg->hdr.pre.total_size = seg_size;
	seg->hdr.ring_capacity = CAP;
	seg->hdr.channel_count = channels;
	seg->hdr.ring_offset = seg_size - CAP * sizeof(struct shm_ring_slot);
	seg->hdr.heartbeat_timeout_ms = 1000;
}

/* The input, repeated, over everything after the header. */
static void spread(const uint8_t *data, size_t size)
{
	unsigned char *body = (unsigned char *)seg + sizeof seg->hdr;
	size_t len = seg_size - sizeof seg->hdr;
	for (size_t i = 0; i < len; i++)
		body[i] = size ? data[i % size] : 0;
	/* names and units are written once before the fork, always terminated */
	for (uint32_t c = 0; c < SHM_MAX_CHANNELS; c++) {
		seg->channels[c].name[SHM_CHANNEL_NAME_LEN - 1] = '\0';
		seg->channels[c].unit[SHM_CHANNEL_UNIT_LEN - 1] = '\0';
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	validate_raw(data, size);

	fresh_header(size ? 1 + data[0] % 8 : 1);
	spread(data, size);
	char err[128];
	FUZZ_ASSERT(shm_validate(seg, seg_size, err, sizeof err) == 0);

	struct reading out[CAP];
	FUZZ_ASSERT(ring_depth(seg) <= CAP);
	FUZZ_ASSERT(ring_peek_recent(seg, out, CAP) <= CAP);
	struct evbuffer *b = evbuffer_new();
	FUZZ_ASSERT(b != NULL);
	int64_t now = size >= 8 ? (int64_t)data[size - 1] << 32 : 0;
	render_metrics(b, seg, now);
	int status = render_health(b, seg, now);
	FUZZ_ASSERT(status == 200 || status == 503);
	render_debug(b, seg, now, 64);
	evbuffer_free(b);
	return 0;
}
