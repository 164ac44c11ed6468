/*
 * nodehw_thread.h - the thread that finds node_exporter's hwmon and
 * thermal_zone series (nodehw.h) and reads them every
 * node-families-interval-ms (and looks for new ones every
 * discovery-rescan-ms; while it has found nothing to read, it wakes only
 * for those rescans), beside the sampling loop: a slow or stuck
 * hwmon file holds up these series only, never a sampling tick or the
 * worker's heartbeat.
 */
#ifndef SENSOR_WORKER_NODEHW_THREAD_H
#define SENSOR_WORKER_NODEHW_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../common/config.h"
#include "../shm/layout.h"
#include "nodehw.h"
#include "sleeper.h"

struct nodehw_thread {
	struct shm_node_hw *table;
	char root[sizeof(((struct config *)0)->sysfs_root)];
	int64_t interval_ns;
	int64_t rescan_ns; /* 0: never */
	struct nodehw found;
	pthread_t tid;
	struct sleeper sleep;
	bool running;
};

/* Start it when node-families is on; 0, or -1 with why in err. */
int nodehw_thread_start(struct nodehw_thread *t, struct shm_segment *seg, const struct config *cfg, char *err,
			size_t errlen);

/* Stop and join it (nothing when it was not started). */
void nodehw_thread_stop(struct nodehw_thread *t);

#endif
