/*
 * fixture.h - helpers shared by the unit tests: a segment in private
 * heap memory laid out exactly as shm_create lays out a shared one, with
 * the process's copy of its structure (view.h) taken, and an
 * evbuffer-to-string helper.
 */
#ifndef SENSOR_TEST_FIXTURE_H
#define SENSOR_TEST_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../shm/layout.h"
#include "../../shm/view.h"

/* Take (again) the copy of the segment's structure that readers use, as
 * main.c does once the channels are described: a test that writes names,
 * units, sources or header fields calls this before it reads. */
static inline void fixture_seal(struct shm_segment *seg)
{
	char err[200];
	if (shm_view_capture(seg, seg->hdr.pre.total_size, err, sizeof err) != 0)
		abort(); /* the fixture's own header is always valid */
}

/* A zeroed segment with the header fields shm_create fills in. */
static inline struct shm_segment *fixture_segment(uint32_t cap, uint32_t channels)
{
	size_t size = shm_segment_size(cap);
	void *base = NULL;
	if (posix_memalign(&base, 64, size) != 0)
		abort(); /* out of memory in a test: nothing to check */
	memset(base, 0, size);
	struct shm_segment *seg = base;
	seg->hdr.pre.magic = SHM_MAGIC;
	seg->hdr.pre.version = SHM_LAYOUT_VERSION;
	seg->hdr.pre.header_size = sizeof(struct shm_segment);
	seg->hdr.pre.total_size = size;
	seg->hdr.pre.owner_pid = (int32_t)getpid();
	seg->hdr.ring_capacity = cap;
	seg->hdr.channel_count = channels;
	seg->hdr.ring_offset = SHM_RING_OFFSET;
	seg->hdr.heartbeat_timeout_ms = 5000;
	if (channels >= 1 && channels <= SHM_MAX_CHANNELS)
		fixture_seal(seg);
	return seg;
}

static inline void fixture_free(struct shm_segment *seg)
{
	shm_view_release(seg);
	free(seg);
}

#ifdef FIXTURE_WITH_EVBUFFER
#include <event2/buffer.h>

/* The buffer's contents as a NUL-terminated string (caller frees). */
static inline char *fixture_evbuffer_string(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	evbuffer_copyout(b, s, len);
	s[len] = '\0';
	return s;
}
#endif

#endif
