/*
 * reader.h - a thread per channel whose reads can block.
 *
 * A read of a sysfs file can take seconds (a 1-Wire sensor converts for
 * 750 ms) or never return (a stuck bus), and nothing interrupts a
 * blocked read() from inside the thread that called it. So each such
 * channel gets a reader thread of its own, started on its first read:
 * the worker's loop hands it a read and goes on, and looks for the result
 * later with a deadline. A read that never returns holds only its own
 * channel's thread; no second thread is started for that channel while
 * it is busy, so a stuck channel costs one small stack, not a leak.
 */
#ifndef SENSOR_WORKER_READER_H
#define SENSOR_WORKER_READER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "source.h"

/* What the readers of one sampler share: one lock, and a condition that
 * every finished read signals. */
struct reader_pool {
	pthread_mutex_t lock;
	pthread_cond_t done;
	uint64_t finished; /* reads finished so far, under lock */
};

struct reader_result {
	int rc; /* source_read's: 0 or -1 with src->why set */
	double value;
	int64_t duration_ns; /* CLOCK_MONOTONIC, from hand-over to return */
	int64_t realtime_ns; /* when the read returned */
	bool has_limits;     /* asked for, and the value read */
	struct limits limits;
};

/* One channel's reader. Between reader_start and the reader_take that
 * returns its result, the thread owns `src`: the caller must not touch it. */
struct reader {
	struct reader_pool *pool;
	struct source *src;
	pthread_t thread;
	pthread_cond_t go;
	bool running; /* the thread exists */
	bool job;     /* a read was handed over and has not returned */
	bool done;    /* a result waits for reader_take */
	bool quit;
	bool want_limits;
	int64_t handed_ns;
	struct reader_result res;
};

int reader_pool_init(struct reader_pool *p);
void reader_pool_destroy(struct reader_pool *p);

/* Reads finished so far; pass it to reader_wait to miss no wake-up. */
uint64_t reader_pool_finished(struct reader_pool *p);

/* Wait until a read finishes after `seen` was taken, or `timeout_ns`
 * passes. */
void reader_wait(struct reader_pool *p, uint64_t seen, int64_t timeout_ns);

void reader_init(struct reader *r, struct reader_pool *p, struct source *src);

/* Hand one read to the channel's thread (with the limits and alarms
 * beside the value when asked: worker/limits.h), starting the thread on first
 * use. Returns 0, or -1 (errno set) when the thread cannot be started. */
int reader_start(struct reader *r, bool with_limits);

/* The result of the read handed over, if it has returned: true and *out
 * filled, after which src is the caller's again. */
bool reader_take(struct reader *r, struct reader_result *out);

/* Stop the thread: a read in flight is given until `until_ns`
 * (CLOCK_MONOTONIC) to return, then the thread is joined. A thread still
 * blocked in a read then is detached and left behind; returns false, and
 * the caller must keep the reader (and its source) allocated. */
bool reader_stop(struct reader *r, int64_t until_ns);

#endif
