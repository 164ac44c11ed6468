/*
 * segment.h - create, validate, attach and remove the shared segment.
 */
#ifndef SENSOR_SHM_SEGMENT_H
#define SENSOR_SHM_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct shm_params {
	uint32_t ring_capacity; /* power of two, SHM_RING_MIN..SHM_RING_MAX */
	uint32_t channel_count; /* 1..SHM_MAX_CHANNELS */
	uint32_t heartbeat_timeout_ms;
	uint32_t copy_max_age_ms;
	uint64_t textfile_capacity; /* 0, or a multiple of 8 up to SHM_TEXTFILE_MAX_BYTES */
};

/*
 * Check that `size` bytes at `base` hold a segment this build can read:
 * magic, version, header size, total size and ring geometry. Never reads
 * past `size`. Returns 0, or -1 with a one-line reason in err.
 */
int shm_validate(const void *base, size_t size, char *err, size_t errlen);

/*
 * Fill the header of a zeroed segment of `total_size` bytes (the magic
 * last): what shm_create does to a new segment, and what the unit tests'
 * fixture does to one in private memory, so the two cannot drift apart.
 */
void shm_init_header(struct shm_segment *seg, size_t total_size, const struct shm_params *p);

/* Store the magic with release, after everything else of the header: the
 * segment's publication (shm_validate loads it with acquire). */
void shm_publish_magic(struct shm_segment *seg);

/*
 * Create the named segment (e.g. "/sensor-service") for this process.
 * An existing segment is replaced only when it is provably stale (ours,
 * and its owner is gone); anything else is refused with a reason.
 * Returns the mapping, or NULL with a one-line reason in err.
 */
struct shm_segment *shm_create(const char *name, const struct shm_params *p, char *err, size_t errlen);

/* Map an existing segment read-only and validate it (for inspection). */
const struct shm_segment *shm_attach_readonly(const char *name, size_t *size_out, char *err, size_t errlen);

void shm_unmap(const void *seg, size_t size);

/* Remove the name; 0 on success or when it was already gone. */
int shm_remove(const char *name);

/* Is `name` a valid POSIX shm name ("/" then 1..250 chars, no other "/")? */
int shm_name_valid(const char *name);

/* Is the segment's owner provably gone? (dead pid, or a pid that now
 * belongs to a program that is not ours) */
int shm_owner_gone(int32_t pid);

/* Are the segment's 32- and 64-bit atomic cells lock-free on this CPU?
 * (shm/lockfree.h: a process-private lock would not exclude the others.) */
bool shm_atomics_lock_free(const struct shm_segment *seg);

#endif
