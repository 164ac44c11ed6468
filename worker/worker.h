/*
 * worker.h - the sensor worker process.
 */
#ifndef SENSOR_WORKER_WORKER_H
#define SENSOR_WORKER_WORKER_H

#include "../common/config.h"
#include "../shm/layout.h"
#include "source_push.h"

/* Run until SIGTERM/SIGINT; returns the process exit status. push_fd:
 * the push input's sockets, made by the supervisor (-1 when off). */
int worker_main(struct shm_segment *seg, const struct config *cfg, const int push_fd[PUSH_FD_COUNT]);

/* The most tasks the worker uses: its sampling loop, its processing
 * thread, the node_exporter families' thread and the reader pool at its
 * bound (worker/pool.h). */
unsigned worker_tasks(const struct config *cfg);
/* The same as an expression the preprocessor can give the build: the
 * sampling loop, the processing and node families' threads, the reader
 * pool at its bound. */
#define WORKER_TASKS(reader_threads_max) (3 + (reader_threads_max))

#endif
