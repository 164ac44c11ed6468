/*
 * test_task_budget.c - the service's task budget (supervisor/taskbudget.h):
 * summed from the processes' own counts, following reader-threads-max;
 * the systemd unit's TasksMax= (TASK_BUDGET_AT_DEFAULTS) is the budget of
 * the defaults; and the
 * check against a cgroup's pids.max (v1 and v2 fixture trees) refuses a
 * limit below the need with a line naming the need, its parts and the
 * file, and accepts one at the need, "max" and no limit at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_tree.h"
#include "../../supervisor/taskbudget.h"

static int make_root(void **state)
{
	(void)state;
	return fixture_tree_make("test_task_budget");
}

static int remove_root(void **state)
{
	(void)state;
	return fixture_tree_remove();
}

static void test_budget_follows_the_pool_bound(void **state)
{
	(void)state;
	struct config c;
	struct task_budget tb;
	config_defaults(&c);
	task_budget(&c, &tb);
	assert_int_equal(tb.supervisor, 1);
	assert_int_equal(tb.exporter, 1);
	assert_int_equal(tb.worker,
			 3 + (unsigned)c.reader_threads_max); /* sampling, processing, node families, readers */
	assert_int_equal(tb.restart, 1);
	assert_int_equal(tb.total, tb.supervisor + tb.exporter + tb.worker + tb.restart);
	unsigned before = tb.total;
	c.reader_threads_max += 6;
	task_budget(&c, &tb);
	assert_int_equal(tb.total, before + 6);
}

/* With a web config the exporter verifies passwords in threads of its own. */
static void test_budget_counts_the_verify_threads(void **state)
{
	(void)state;
	struct config c;
	struct task_budget tb;
	config_defaults(&c);
	snprintf(c.web_config_file, sizeof c.web_config_file, "/etc/sensor-service/web.yml");
	c.auth_verifiers = 3;
	task_budget(&c, &tb);
	assert_int_equal(tb.exporter, 1 + 3);
}

/* The build writes TASK_BUDGET_AT_DEFAULTS into the unit as TasksMax=:
 * the expression and the budget of the defaults are the same number. */
static void test_budget_at_defaults_is_the_units(void **state)
{
	(void)state;
	struct config c;
	struct task_budget tb;
	config_defaults(&c);
	task_budget(&c, &tb);
	assert_int_equal(tb.total, TASK_BUDGET_AT_DEFAULTS);
	assert_int_equal(c.reader_threads_max, CONFIG_READER_THREADS_MAX_DEFAULT);
}

#define V1_MOUNT "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n30 25 0:26 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
#define V2_MOUNT "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n31 25 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"

static void test_v1_pids_max_below_the_need_is_refused(void **state)
{
	(void)state;
	struct config c;
	struct task_budget tb;
	char err[512], text[32];
	config_defaults(&c);
	task_budget(&c, &tb);
	fixture_tree_put("/proc/self/cgroup", "8:pids:/svc\n4:memory:/\n0::/\n");
	fixture_tree_put("/proc/self/mountinfo", V1_MOUNT);
	snprintf(text, sizeof text, "%u\n", tb.total - 1);
	fixture_tree_put("/sys/fs/cgroup/pids/svc/pids.max", text);
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), -1);
	char want[512];
	snprintf(want, sizeof want, "the service may use %u tasks (supervisor 1, exporter 1, worker %u", tb.total,
		 tb.worker);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "more than the %u of %s/sys/fs/cgroup/pids/svc/pids.max", tb.total - 1,
		 fixture_root);
	if (!strstr(err, want))
		fail_msg("no '%s' in '%s'", want, err);
	/* fewer reader threads fit */
	c.reader_threads_max -= 1;
	c.reader_threads = 1;
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), 0);
	config_defaults(&c);
	/* exactly the need fits; "max" and no file are no limit */
	snprintf(text, sizeof text, "%u\n", tb.total);
	fixture_tree_put("/sys/fs/cgroup/pids/svc/pids.max", text);
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), 0);
	fixture_tree_put("/sys/fs/cgroup/pids/svc/pids.max", "max\n");
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), 0);
	/* a parent's smaller limit counts */
	fixture_tree_put("/sys/fs/cgroup/pids/pids.max", "4\n");
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), -1);
}

static void test_v2_pids_max(void **state)
{
	(void)state;
	struct config c;
	char err[512];
	config_defaults(&c);
	fixture_tree_put("/proc/self/cgroup", "0::/system.slice/sensor-service.service\n");
	fixture_tree_put("/proc/self/mountinfo", V2_MOUNT);
	fixture_tree_put("/sys/fs/cgroup/system.slice/sensor-service.service/pids.max", "8\n");
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), -1);
	assert_non_null(strstr(err, "sensor-service.service/pids.max"));
	fixture_tree_put("/sys/fs/cgroup/system.slice/sensor-service.service/pids.max", "100\n");
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), 0);
}

static void test_no_cgroup_no_limit(void **state)
{
	(void)state;
	struct config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(task_budget_check(&c, fixture_root, err, sizeof err), 0); /* nothing under fixture_root */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_follows_the_pool_bound),
		cmocka_unit_test(test_budget_counts_the_verify_threads),
		cmocka_unit_test(test_budget_at_defaults_is_the_units),
		cmocka_unit_test_setup_teardown(test_v1_pids_max_below_the_need_is_refused, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_pids_max, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_no_cgroup_no_limit, make_root, remove_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
