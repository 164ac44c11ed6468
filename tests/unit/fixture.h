/*
 * fixture.h - helpers shared by the unit tests: a segment in private
 * heap memory laid out exactly as shm_create lays out a shared one, and
 * an evbuffer-to-string helper.
 */
#ifndef SENSOR_TEST_FIXTURE_H
#define SENSOR_TEST_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../shm/layout.h"

/* A zeroed segment with the header fields shm_create fills in. */
static inline struct shm_segment *fixture_segment(uint32_t cap, uint32_t channels)
{
	size_t size = shm_segment_size(cap);
	void *base = NULL;
	if (posix_memalign(&base, 64, size) != 0)
		return NULL;
	memset(base, 0, size);
	struct shm_segment *seg = base;
	seg->hdr.pre.magic = SHM_MAGIC;
	seg->hdr.pre.version = SHM_LAYOUT_VERSION;
	seg->hdr.pre.header_size = sizeof(struct shm_segment);
	seg->hdr.pre.total_size = size;
	seg->hdr.pre.owner_pid = (int32_t)getpid();
	seg->hdr.ring_capacity = cap;
	seg->hdr.channel_count = channels;
	seg->hdr.ring_offset = size - (size_t)cap * sizeof(struct shm_ring_slot);
	seg->hdr.heartbeat_timeout_ms = 5000;
	return seg;
}

static inline void fixture_free(struct shm_segment *seg)
{
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
