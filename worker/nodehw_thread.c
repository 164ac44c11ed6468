/*
 * nodehw_thread.c - find node_exporter's series once, then read them every
 * interval until stopped.
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

static bool wait_until(struct nodehw_thread *t, int64_t deadline_ns)
{
	struct timespec at = { .tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000 };
	pthread_mutex_lock(&t->mu);
	while (!atomic_load(&t->stopping) && pthread_cond_timedwait(&t->wake, &t->mu, &at) != ETIMEDOUT)
		;
	bool stop = atomic_load(&t->stopping);
	pthread_mutex_unlock(&t->mu);
	return stop;
}

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
	int64_t next = monotonic_ns();
	while (t->found.count > 0 && !atomic_load(&t->stopping)) {
		nodehw_read(&t->found, t->table);
		next += t->interval_ns;
		int64_t now = monotonic_ns();
		if (next < now)
			next = now; /* fell behind: skip, never burst */
		if (wait_until(t, next))
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
	atomic_init(&t->stopping, false);
	pthread_condattr_t ca;
	int rc = pthread_condattr_init(&ca);
	if (rc == 0) {
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		rc = pthread_cond_init(&t->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (rc == 0 && (rc = pthread_mutex_init(&t->mu, NULL)) != 0)
		pthread_cond_destroy(&t->wake);
	if (rc == 0) {
		pthread_attr_t a;
		if ((rc = pthread_attr_init(&a)) == 0) {
			pthread_attr_setstacksize(&a, NODEHW_STACK_BYTES);
			rc = pthread_create(&t->tid, &a, run, t);
			pthread_attr_destroy(&a);
		}
		if (rc != 0) {
			pthread_mutex_destroy(&t->mu);
			pthread_cond_destroy(&t->wake);
		}
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
	pthread_mutex_lock(&t->mu);
	atomic_store(&t->stopping, true);
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->tid, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->wake);
	nodehw_free(&t->found);
	t->running = false;
}
