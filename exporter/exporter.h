/*
 * exporter.h - the HTTP exporter process.
 */
#ifndef SENSOR_EXPORTER_EXPORTER_H
#define SENSOR_EXPORTER_EXPORTER_H

#include "../common/config.h"
#include "../shm/layout.h"

/*
 * Serve /, /metrics and /debug on `listen_fd` (bound and listening, owned
 * by the supervisor so that a restart never loses the port) until
 * SIGTERM/SIGINT. Returns the process exit status.
 */
int exporter_main(struct shm_segment *seg, const struct config *cfg, int listen_fd);

#endif
