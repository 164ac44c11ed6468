/*
 * source_push.h - readings pushed by other programs.
 *
 * A program sends datagrams to a Unix datagram socket (push-socket) or to
 * UDP on 127.0.0.1 (push-udp-port), each holding one or more lines:
 *
 *     channel value [timestamp]
 *
 * `channel` is a configured channel with source=push, `value` a number in
 * its unit (scale and offset apply), `timestamp` optional Unix seconds
 * (a fraction allowed). The intake is bounded: at most max_per_tick
 * datagrams are read per sampling tick into one fixed buffer, lines beyond
 * `rate` per second (a token bucket with one second of burst) are dropped,
 * a timestamp older than max_age or further than max_skew ahead of the
 * clock is refused, and every line is counted as accepted, malformed,
 * unknown_channel, over_rate or bad_timestamp. Nothing grows with the
 * input.
 */
#ifndef SENSOR_WORKER_SOURCE_PUSH_H
#define SENSOR_WORKER_SOURCE_PUSH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../shm/layout.h"

#define PUSH_DATAGRAM_MAX 1024 /* longer datagrams are dropped as malformed */

/* Where accepted readings go. */
struct push_sink {
	void *ctx;
	int (*lookup)(void *ctx, const char *name); /* push channel index, or -1 */
	/* 0, or -1 when the value is unusable (counted as malformed) */
	int (*accept)(void *ctx, int channel, double value, int64_t realtime_ns);
};

/* The intake's sockets, each -1 when off. */
enum push_fd { PUSH_FD_UNIX, PUSH_FD_UDP, PUSH_FD_COUNT };

struct push_intake {
	int fd[PUSH_FD_COUNT];
	int max_per_tick;
	double rate, tokens;
	int64_t refill_ns;
	int64_t max_age_ns, max_skew_ns; /* window of timestamps around the clock */
};

/* Timestamps in a line: Unix seconds, above 0 and at most this (whose
 * nanoseconds still fit an int64_t); anything else is malformed. */
#define PUSH_TS_MAX_S 9000000000.0

/* Read from the sockets in fd (-1: off), which the supervisor made and
 * keeps: the intake never closes them. Timestamps are taken within a
 * minute of the clock until push_set_window. */
void push_init(struct push_intake *p, const int fd[PUSH_FD_COUNT], int max_per_tick, int rate);

/* Refuse timestamps older than max_age_s or more than max_skew_ms ahead. */
void push_set_window(struct push_intake *p, int max_age_s, int max_skew_ms);

/* Read what is waiting, within the bounds, and count every line. */
void push_drain(struct push_intake *p, int64_t now_mono_ns, const struct push_sink *sink,
		_Atomic uint64_t counters[SHM_PUSH_RESULT_COUNT]);

/* Parse one line. Returns 0 (ts_ns is 0 without a timestamp) or -1. */
int push_parse_line(const char *line, char *name, size_t name_len, double *value, int64_t *ts_ns);

#endif
