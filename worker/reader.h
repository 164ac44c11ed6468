/*
 * reader.h - a channel's read as a job of the worker's pool
 * (worker/pool.h).
 *
 * A read of a sysfs file can take seconds (a 1-Wire sensor converts for
 * 750 ms) or never return (a stuck bus), and nothing interrupts a
 * blocked read() from inside the thread that called it. So the worker's
 * loop hands each such read to the pool and goes on, and looks for the
 * result later with a deadline. A channel has at most one read in
 * flight: one that never returns holds one pool thread, never more.
 */
#ifndef SENSOR_WORKER_READER_H
#define SENSOR_WORKER_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "pool.h"
#include "source.h"

/* The deepest path of a read (hwmon resolve: directory scan, label files,
 * vsnprintf) needs a few KiB; the sanitizers' red zones need more. */
#if defined(__SANITIZE_ADDRESS__)
#define READER_STACK_BYTES (512u * 1024u)
#else
#define READER_STACK_BYTES (64u * 1024u)
#endif

struct reader_result {
	int rc; /* source_read's: 0 or -1 with src->why set */
	double value;
	int64_t duration_ns; /* CLOCK_MONOTONIC, from hand-over to return */
	int64_t realtime_ns; /* when the read returned */
	bool has_limits;     /* asked for, and the value read */
	struct limits limits;
};

/* One channel's read. Between reader_start and the reader_take that
 * returns its result, the pool's thread owns `src`: the caller must not
 * touch it. */
struct reader {
	struct pool_job job; /* first: the job is the reader */
	struct pool *pool;
	struct source *src;
	bool want_limits;
	struct reader_result res;
};

void reader_init(struct reader *r, struct pool *p, struct source *src);

/* Hand one read to the pool (with the limits and alarms beside the value
 * when asked: worker/limits.h). Returns 0, or -1 (errno set) when no
 * thread can run it. */
int reader_start(struct reader *r, bool with_limits);

/* The result of the read handed over, if it has returned: true and *out
 * filled, after which src is the caller's again. */
bool reader_take(struct reader *r, struct reader_result *out);

/* Take back a read no thread has started yet: true, src is the caller's. */
bool reader_cancel(struct reader *r);

#endif
