/*
 * nodehw_thread.c - find node_exporter's series once, then read them every
 * interval until stopped; with none found, sleep from rescan to rescan.
 */
#define _GNU_SOURCE
#include "nodehw_thread.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../shm/clock.h"

/* Plain reads and small buffers: a small stack is plenty. */
#define NODEHW_STACK_BYTES (128u * 1024u)

static void *run(void *arg)
{
	struct nodehw_thread *t = arg;
	if (nodehw_scan(&t->found, t->root, t->table) != 0) {
		log_error("cannot allocate node_exporter's hwmon series");
		return NULL;
	}
	log_info("node_exporter families: %u hwmon and thermal_zone series under %s, %u files read every %lld ms",
		 t->found.series, t->root, t->found.count, (long long)(t->interval_ns / 1000000));
	if (t->found.dropped > 0)
		log_warn("%u node_exporter series left out: %u at most", t->found.dropped, SHM_NODE_HW_MAX);
	int64_t next = monotonic_ns(), next_scan = next + t->rescan_ns;
	while ((t->found.count > 0 || t->rescan_ns > 0) && !atomic_load(&t->sleep.stopping)) {
		nodehw_read(&t->found, t->table);
		int64_t now = monotonic_ns();
		if (t->rescan_ns > 0 && now >= next_scan) {
			next_scan = now + t->rescan_ns;
			if (nodehw_rescan(&t->found, t->root, t->table) > 0) {
				log_info("node_exporter families: now %u series, %u files", t->found.series,
					 t->found.count);
				continue; /* read the new ones at once */
			}
		}
		next += t->interval_ns;
		if (next < now)
			next = now; /* fell behind: skip, never burst */
		/* Nothing to read (a board without hwmon or thermal files): no
		 * wakeup until the rescan that may find some. */
		if (t->found.count == 0 && next < next_scan)
			next = next_scan;
		if (sleeper_wait_until(&t->sleep, next))
			break;
	}
	return NULL;
}

int nodehw_thread_start(struct nodehw_thread *t, struct shm_segment *seg, const struct config *cfg, char *err,
			size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (!cfg->node_families)
		return 0;
	t->table = &seg->node_hw;
	snprintf(t->root, sizeof t->root, "%s", cfg->sysfs_root);
	t->interval_ns = (int64_t)cfg->node_families_interval_ms * 1000000;
	t->rescan_ns = (int64_t)cfg->discovery_rescan_ms * 1000000;
	int rc = sleeper_init(&t->sleep);
	if (rc == 0) {
		pthread_attr_t a;
		if ((rc = pthread_attr_init(&a)) == 0) {
			pthread_attr_setstacksize(&a, NODEHW_STACK_BYTES);
			rc = pthread_create(&t->tid, &a, run, t);
			pthread_attr_destroy(&a);
		}
		if (rc != 0)
			sleeper_destroy(&t->sleep);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the node_exporter families' thread: %s", strerror(rc));
		return -1;
	}
	t->running = true;
	return 0;
}

void nodehw_thread_stop(struct nodehw_thread *t)
{
	if (!t->running)
		return;
	sleeper_stop(&t->sleep);
	pthread_join(t->tid, NULL);
	sleeper_destroy(&t->sleep);
	nodehw_free(&t->found);
	t->running = false;
}
