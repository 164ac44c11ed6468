/*
 * taskbudget.h - the most tasks (processes and threads) the service can
 * use, from its settings: the supervisor, the exporter's and the worker's
 * own (exporter_tasks, worker_tasks), and one more for a child being
 * started while the one it replaces is still being reaped. A systemd
 * TasksMax= or a cgroup's pids.max below it makes a thread start or a
 * restart's fork fail under load, so the supervisor refuses to start
 * where it does not fit. deploy/systemd/sensor-service.service's
 * TasksMax= is the budget of the defaults (checked by
 * tests/unit/test_task_budget.c).
 */
#ifndef SENSOR_SUPERVISOR_TASKBUDGET_H
#define SENSOR_SUPERVISOR_TASKBUDGET_H

#include <stddef.h>

#include "../common/config.h"

struct task_budget {
	unsigned supervisor, exporter, worker, restart;
	unsigned total;
};

void task_budget(const struct config *cfg, struct task_budget *tb);

/* Does the budget fit the pids.max of the cgroup we run in (read below
 * `root`: "" for the real system)? 0 when it does or none is set; -1 with
 * a one-line reason in err. */
int task_budget_check(const struct config *cfg, const char *root, char *err, size_t errlen);

#endif
