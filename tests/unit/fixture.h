/*
 * fixture.h - helpers shared by the unit tests: a segment in private
 * heap memory laid out exactly as shm_create lays out a shared one, with
 * the process's copy of its structure (view.h) taken, one with its
 * channels described (FIXTURE_WITH_CHANNELS), and an evbuffer-to-string
 * helper (FIXTURE_WITH_EVBUFFER).
 */
#ifndef SENSOR_TEST_FIXTURE_H
#define SENSOR_TEST_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../shm/layout.h"
#include "../../shm/segment.h"
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

/* A zeroed segment with the header shm_create gives a new one. */
static inline struct shm_segment *fixture_segment(uint32_t cap, uint32_t channels)
{
	size_t size = shm_segment_size(cap);
	void *base = NULL;
	if (posix_memalign(&base, 64, size) != 0)
		abort(); /* out of memory in a test: nothing to check */
	memset(base, 0, size);
	struct shm_segment *seg = base;
	struct shm_params p = {
		.ring_capacity = cap, .channel_count = channels, .heartbeat_timeout_ms = 5000, .copy_max_age_ms = 6000
	};
	shm_init_header(seg, size, &p);
	if (channels >= 1 && channels <= SHM_MAX_CHANNELS)
		fixture_seal(seg);
	return seg;
}

static inline void fixture_free(struct shm_segment *seg)
{
	shm_view_release(seg);
	free(seg);
}

#ifdef FIXTURE_WITH_CHANNELS
#include "../../common/config.h"
#include "../../worker/source.h"

/* A segment whose n built-in channels are described by the supervisor's
 * own code (names, units, which ones get a spectrum), as main.c does. */
static inline struct shm_segment *fixture_described_segment(uint32_t cap, uint32_t n)
{
	struct shm_segment *seg = fixture_segment(cap, n);
	struct config cfg;
	config_defaults(&cfg);
	cfg.channels = (int)n;
	source_describe_channels(seg, &cfg);
	fixture_seal(seg);
	return seg;
}
#endif

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
