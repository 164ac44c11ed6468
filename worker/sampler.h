/*
 * sampler.h - the worker's channels: one source per channel, each read at
 * its own interval, failures counted per reason and logged sparingly,
 * and the push input drained with bounded work on every tick.
 */
#ifndef SENSOR_WORKER_SAMPLER_H
#define SENSOR_WORKER_SAMPLER_H

#include <stdint.h>

#include "../common/config.h"
#include "../shm/layout.h"
#include "source_push.h"

struct sampler;

/* Sources for the segment's channels: the configured ones, or the
 * built-in simulated set, and the push input reading push_fd (the
 * supervisor's sockets, -1 when off). NULL when out of memory. */
struct sampler *sampler_new(struct shm_segment *seg, const struct config *cfg, const int push_fd[PUSH_FD_COUNT]);

/* Drain the push input and read every channel that is due. */
void sampler_tick(struct sampler *s, int64_t now_mono_ns);

/* When the next channel is due (CLOCK_MONOTONIC ns). */
int64_t sampler_next_due(const struct sampler *s);

void sampler_free(struct sampler *s);

/* The pool of reader threads, for other blocking jobs of the worker
 * (the filesystem collector's statfs calls, worker/host.h). */
struct pool *sampler_pool(struct sampler *s);

#endif
