/*
 * view.h - what a process may trust about the shared segment: its
 * structural part (the header, each channel's description, the push
 * flag), copied into the process's private memory once, from a validated
 * segment, by the supervisor before its first fork. Children inherit the
 * copy with fork(), so a stray write into the live segment (by a dying
 * child, or anyone who can open /dev/shm) changes nothing any process
 * reads its geometry or strings from; before each restart the supervisor
 * compares the live structure with its copy and rewrites what differs.
 *
 * Every string in the copy is NUL-terminated within its field's size.
 * The ring's offset is a constant of the layout (SHM_RING_OFFSET) and is
 * never read from the segment at all.
 *
 * Why the children do not map the structural part read-only: it shares
 * its pages with fields the children must write (the child records with
 * their heartbeats sit right after the header; each channel's name and
 * labels sit around the counters the worker updates), so protecting it
 * would mean a new layout version splitting static from live data, and it
 * would still not stop the other writer this guards against, a process
 * outside the service writing through /dev/shm. Readers never use the
 * live structural bytes, so a write there can only be noticed (and
 * undone) by the supervisor, never followed.
 *
 * Late channels (discovery's hot-plug, worker/sampler.c): a sensor that
 * appears after the start is described by the WORKER into the next free
 * slot beyond the initial channel_count, and published through
 * seg->live_channels. Those slots are not in the copy (they did not exist
 * before the fork), so the two guarantees are kept apart:
 *  - slots [0, hdr.channel_count) are the supervisor's: readers take them
 *    from the copy, and the repair rewrites them from it;
 *  - slots [hdr.channel_count, live) are the worker's: live is bounded by
 *    the mapping's fixed array (SHM_MAX_CHANNELS, checked at capture), the
 *    supervisor's repair never touches them (the worker rewrites a damaged
 *    one at its next rescan, and a restarted worker re-adds what it finds),
 *    and every read of one goes through shm_view_chan(), which copies the
 *    strings into the caller's scratch under the slot's desc_seq (the
 *    worker rewrites a slot after a restart), terminated within their
 *    field's size, drops its constant labels (they go into the page
 *    unescaped, so only the supervisor's are taken; discovery gives late
 *    channels none), and refuses a slot caught mid-write, or whose name
 *    is empty, whose name or unit is not UTF-8, or whose source is
 *    unknown. A stray write there can only drop that late channel's own
 *    series, never the initial ones, the page's validity nor a reader's
 *    bounds.
 */
#ifndef SENSOR_SHM_VIEW_H
#define SENSOR_SHM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct shm_channel_desc {
	char name[SHM_CHANNEL_NAME_LEN];
	char unit[SHM_CHANNEL_UNIT_LEN];
	char labels[SHM_CHANNEL_LABELS_LEN];
	uint32_t source;
	uint32_t interval_ms;
	uint32_t spectrum;
};

struct shm_view {
	const struct shm_segment *seg; /* the mapping this copy describes */
	struct shm_header hdr;         /* validated: geometry within bounds */
	uint32_t push_enabled;
	uint64_t textfile_capacity;    /* validated: the region fits the mapping */
	struct shm_channel_desc *chan; /* hdr.channel_count entries */
	uint64_t capture;              /* which capture this is: never the same twice in a process */
};

/* How many mappings one process may hold views of (tests use several). */
#define SHM_VIEW_MAX 4u

/*
 * Validate the `size` bytes mapped at `seg` (shm_validate) and copy their
 * structural part into private memory, as this process's view of that
 * mapping (replacing an earlier view of it). Returns 0, or -1 with a
 * one-line reason in err.
 */
int shm_view_capture(const struct shm_segment *seg, size_t size, char *err, size_t errlen);

/* The view of `seg`; a view of nothing (no channels, no ring) when none
 * was captured, so a reader handed a stranger reads nothing. */
const struct shm_view *shm_view_of(const struct shm_segment *seg);

void shm_view_release(const struct shm_segment *seg);

/*
 * How many channels readers iterate: the copy's channel_count, plus the
 * late channels the worker has published (live_channels, bounded by
 * SHM_MAX_CHANNELS; ignored when not above channel_count).
 */
uint32_t shm_view_channels(const struct shm_view *v);

/*
 * Channel i's description: the copy's for an initial channel; for a late
 * one, a validated copy of the live slot in *scratch; NULL when i is out
 * of range or the late slot does not validate (the reader skips it).
 */
const struct shm_channel_desc *shm_view_chan(const struct shm_view *v, uint32_t i, struct shm_channel_desc *scratch);

/* The length of the well-formed UTF-8 character s starts with (1 to 4),
 * or 0 when it starts with none (or with the terminating NUL). */
size_t shm_utf8_char_len(const char *s);

/* Is the NUL-terminated s well-formed UTF-8 (what a Prometheus label
 * value and a JSON string must be)? */
bool shm_utf8_valid(const char *s);

/*
 * Supervisor: compare the live structural part of `seg` with its view and
 * rewrite every field that differs. Returns how many fields were
 * rewritten; `what` gets their names (e.g. "ring_offset, channel 0
 * name"), cut to whatlen.
 */
unsigned shm_view_repair(struct shm_segment *seg, char *what, size_t whatlen);

#endif
