/*
 * taskbudget.c - the service's task budget, summed from what each process
 * says it uses, and its check against the cgroup's pids.max.
 */
#include "taskbudget.h"

#include <stdio.h>

#include "../exporter/exporter.h"
#include "../worker/worker.h"
#include "cglimit.h"

void task_budget(const struct config *cfg, struct task_budget *tb)
{
	tb->supervisor = TASK_BUDGET_SUPERVISOR;
	tb->exporter = exporter_tasks(cfg);
	tb->worker = worker_tasks(cfg);
	tb->restart = TASK_BUDGET_RESTART;
	tb->total = tb->supervisor + tb->exporter + tb->worker + tb->restart;
}

int task_budget_check(const struct config *cfg, const char *root, char *err, size_t errlen)
{
	char where[512];
	uint64_t max = cglimit_pids_max(root, where, sizeof where);
	struct task_budget tb;
	task_budget(cfg, &tb);
	if (max == 0 || tb.total <= max)
		return 0;
	snprintf(err, errlen,
		 "the service may use %u tasks (supervisor %u, exporter %u, worker %u with reader-threads-max=%d, "
		 "a restart %u), more than the %llu of %s: raise the limit (systemd: TasksMax=) or lower "
		 "reader-threads-max",
		 tb.total, tb.supervisor, tb.exporter, tb.worker, cfg->reader_threads_max, tb.restart,
		 (unsigned long long)max, where);
	return -1;
}
