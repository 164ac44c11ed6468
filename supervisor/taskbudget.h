/*
 * taskbudget.h - the most tasks (processes and threads) the service can
 * use, from its settings: the supervisor, the exporter's and the worker's
 * own (exporter_tasks, worker_tasks), and one more for a child being
 * started while the one it replaces is still being reaped. A systemd
 * TasksMax= or a cgroup's pids.max below it makes a thread start or a
 * restart's fork fail under load, so the supervisor refuses to start
 * where it does not fit. The systemd unit's TasksMax= is the budget of
 * the defaults, TASK_BUDGET_AT_DEFAULTS, which the build evaluates with
 * the preprocessor (`make tasks-max`) and writes into the unit it installs.
 */
#ifndef SENSOR_SUPERVISOR_TASKBUDGET_H
#define SENSOR_SUPERVISOR_TASKBUDGET_H

#include <stddef.h>

#include "../common/config.h"
#include "../exporter/exporter.h"
#include "../worker/worker.h"

#define TASK_BUDGET_SUPERVISOR 1
#define TASK_BUDGET_RESTART 1 /* a child started while the one it replaces is reaped */
/* The budget of the defaults (no web config), as an expression of the
 * owners' own: the unit's TasksMax=. */
#define TASK_BUDGET_AT_DEFAULTS                                                                            \
	(TASK_BUDGET_SUPERVISOR + EXPORTER_TASKS(0, 0) + WORKER_TASKS(CONFIG_READER_THREADS_MAX_DEFAULT) + \
	 TASK_BUDGET_RESTART)

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
