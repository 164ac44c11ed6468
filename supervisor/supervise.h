/*
 * supervise.h - the supervisor's loop: start the children, reap and
 * restart them, watch their heartbeats and memory, stop them on request.
 */
#ifndef SENSOR_SUPERVISOR_SUPERVISE_H
#define SENSOR_SUPERVISOR_SUPERVISE_H

#include "../common/config.h"
#include "../shm/layout.h"
#include "pushsock.h"

/* Runs until SIGTERM/SIGINT, then stops both children. Returns the
 * supervisor's exit status. The exporter inherits listen_fd, every worker
 * the push sockets. The caller removes the segment and closes the sockets. */
int supervise(struct shm_segment *seg, const struct config *cfg, int listen_fd, const struct pushsock *push);

#endif
