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

/* The most tasks the exporter uses: its one thread (one event loop,
 * whatever the number of connections). */
unsigned exporter_tasks(const struct config *cfg);
/* The same as an expression the preprocessor can give the build: the
 * event loop, and with a web config its bcrypt verify threads. */
#define EXPORTER_TASKS(web_config, auth_verifiers) (1 + ((web_config) ? (auth_verifiers) : 0))

#endif
