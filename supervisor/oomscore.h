/*
 * oomscore.h - who the kernel's OOM killer picks when the enclosing
 * cgroup (or the machine) runs out of memory anyway: the worker first,
 * the exporter next, the supervisor last.
 *
 * Lowering a score needs CAP_SYS_RESOURCE, which a container's root (and
 * any ordinary user) lacks, but any process may raise its own. So the
 * supervisor keeps the score it was given and each child raises its own,
 * right after fork, above the supervisor's.
 */
#ifndef SENSOR_SUPERVISOR_OOMSCORE_H
#define SENSOR_SUPERVISOR_OOMSCORE_H

#include "../shm/layout.h"

#define OOMSCORE_MAX 1000 /* the kernel's OOM_SCORE_ADJ_MAX */
#define OOMSCORE_MIN (-1000)

/* The oom_score_adj a child takes when the supervisor's is `parent_adj`:
 * the worker the maximum, the exporter halfway between the supervisor
 * and the maximum, both never below the supervisor's. */
int oomscore_for(enum shm_child_id id, int parent_adj);

/* This process's oom_score_adj (0 when it cannot be read). */
int oomscore_own(void);

/* In the child after fork: raise our own score to oomscore_for(). */
void oomscore_enter(enum shm_child_id id);

#endif
