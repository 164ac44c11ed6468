/*
 * test_fault.c - the fault-injection option (a testing aid): its parser,
 * with every kind of bad spec, and what an armed child really does (in a
 * forked child: exit, segfault, leak until a memory cap, spike).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/fault.h"
#include "../../shm/metrics.h"

static int parse(const char *spec, struct fault_plan *plan, char *err, size_t errlen)
{
	return fault_parse(spec, plan, err, errlen);
}

static void test_parse_none(void **state)
{
	(void)state;
	struct fault_plan plan;
	char err[160];
	assert_int_equal(parse(NULL, &plan, err, sizeof err), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(parse("", &plan, err, sizeof err), 0);
	assert_int_equal(parse("none", &plan, err, sizeof err), 0);
	assert_int_equal(plan.n, 0);
}

static void test_parse_each_kind(void **state)
{
	(void)state;
	struct fault_plan plan;
	char err[160];
	assert_int_equal(parse("worker:leak:16M,worker:crash:1500,exporter:hang:0,exporter:exit:0,worker:spike:2000",
			       &plan, err, sizeof err),
			 0);
	assert_int_equal(plan.n, 5);
	assert_int_equal(plan.f[0].process, FAULT_WORKER);
	assert_int_equal(plan.f[0].kind, FAULT_LEAK);
	assert_int_equal(plan.f[0].arg, 16L << 20);
	assert_int_equal(plan.f[1].kind, FAULT_CRASH);
	assert_int_equal(plan.f[1].arg, 1500);
	assert_int_equal(plan.f[2].process, FAULT_EXPORTER);
	assert_int_equal(plan.f[2].kind, FAULT_HANG);
	assert_int_equal(plan.f[2].arg, 0);
	assert_int_equal(plan.f[3].kind, FAULT_EXIT);
	assert_int_equal(plan.f[4].kind, FAULT_SPIKE);
	assert_int_equal(plan.f[4].arg, 2000);
}

static void test_parse_sizes(void **state)
{
	(void)state;
	struct fault_plan plan;
	char err[160];
	const struct {
		const char *spec;
		long bytes;
	} ok[] = {
		{ "worker:leak:1", 1 },         { "worker:leak:4k", 4096 },     { "worker:leak:4K", 4096 },
		{ "worker:leak:3m", 3L << 20 }, { "worker:leak:1G", 1L << 30 }, { "worker:leak:1073741824", 1L << 30 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(parse(ok[i].spec, &plan, err, sizeof err), 0);
		assert_int_equal(plan.f[0].arg, ok[i].bytes);
	}
	assert_int_equal(parse("worker:crash:86400000", &plan, err, sizeof err), 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct fault_plan plan;
	const struct {
		const char *spec;
		const char *says;
	} bad[] = {
		{ "worker", "PROCESS:KIND:ARG" },
		{ "worker:crash", "PROCESS:KIND:ARG" },
		{ "worker:crash:", "AFTER_MS" },
		{ "worker:crash:-1", "AFTER_MS" },
		{ "worker:crash:1.5", "AFTER_MS" },
		{ "worker:crash: 10", "AFTER_MS" },
		{ "worker:crash:86400001", "AFTER_MS" },
		{ "worker:crash:99999999999999999999999", "AFTER_MS" },
		{ "worker:crash:10:20", "AFTER_MS" },
		{ "worker:crash:10k", "AFTER_MS" },
		{ "supervisor:crash:10", "unknown process" },
		{ "Worker:crash:10", "unknown process" },
		{ ":crash:10", "unknown process" },
		{ "worker:explode:10", "unknown fault" },
		{ "worker::10", "unknown fault" },
		{ "exporter:spike:10", "only the worker" },
		{ "worker:spike:0", "MS must be" },
		{ "worker:leak:0", "RATE" },
		{ "worker:leak:2G", "RATE" },
		{ "worker:leak:M", "RATE" },
		{ "worker:leak:1T", "RATE" },
		{ "worker:leak:1048577k", "RATE" },
		{ "worker:crash:10,", "PROCESS:KIND:ARG" },
		{ ",worker:crash:10", "PROCESS:KIND:ARG" },
		{ "worker:crash:10,,worker:hang:10", "PROCESS:KIND:ARG" },
		{ "worker:crash:10,worker:crash:20", "given twice" },
		{ "worker:hang:1,worker:exit:1,worker:crash:1,worker:leak:1,worker:spike:1,"
		  "exporter:hang:1,exporter:exit:1,exporter:crash:1,exporter:leak:1",
		  "more than" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[160] = "";
		if (parse(bad[i].spec, &plan, err, sizeof err) != -1 || !strstr(err, bad[i].says))
			fail_msg("spec '%s': expected an error with '%s', got '%s'", bad[i].spec, bad[i].says, err);
	}
}

static void test_parse_error_is_bounded(void **state)
{
	(void)state;
	struct fault_plan plan;
	char spec[4096], err[32];
	memset(spec, 'x', sizeof spec - 1);
	spec[sizeof spec - 1] = '\0';
	assert_int_equal(parse(spec, &plan, err, sizeof err), -1);
	assert_true(strlen(err) < sizeof err);
}

static void test_begin_arms_only_own_process(void **state)
{
	(void)state;
	fault_begin(FAULT_WORKER, "none");
	assert_false(fault_active());
	fault_begin(FAULT_WORKER, "exporter:crash:100000");
	assert_false(fault_active());
	fault_tick(); /* nothing armed: a no-op */
	fault_begin(FAULT_WORKER, "bogus");
	assert_false(fault_active());
	fault_begin(FAULT_WORKER, "worker:crash:100000");
	assert_true(fault_active());
	fault_tick(); /* not due for 100 s */
	fault_begin(FAULT_WORKER, "none");
	assert_false(fault_active());
}

/* Run `spec` as `who` in a child that ticks every 10 ms; returns its wait status. */
static int run_child(enum fault_process who, const char *spec, rlim_t data_limit, int ticks)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (data_limit) {
			struct rlimit rl = { data_limit, data_limit };
			setrlimit(RLIMIT_DATA, &rl);
		}
		fault_begin(who, spec);
		struct timespec ten_ms = { 0, 10000000 };
		for (int i = 0; i < ticks; i++) {
			nanosleep(&ten_ms, NULL);
			fault_tick();
		}
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

static void test_exit_at_once(void **state)
{
	(void)state;
	int st = run_child(FAULT_WORKER, "worker:exit:0", 0, 100);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), FAULT_EXIT_STATUS);
	st = run_child(FAULT_EXPORTER, "exporter:exit:50", 0, 100);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), FAULT_EXIT_STATUS);
	/* the other process's fault does not fire here */
	st = run_child(FAULT_WORKER, "exporter:exit:0", 0, 3);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_crash_is_a_real_segfault(void **state)
{
	(void)state;
	int st = run_child(FAULT_WORKER, "worker:crash:30", 0, 100);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
}

static void test_leak_dies_at_the_rlimit(void **state)
{
	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	skip(); /* ASan's shadow counts as data: RLIMIT_DATA cannot be used */
#else
	/* 64 MiB/s against a 24 MiB data limit: dead within a few hundred ms */
	int st = run_child(FAULT_WORKER, "worker:leak:64M", 24u << 20, 300);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), FAULT_EXIT_LEAK);
#endif
}

static void test_hang_never_returns(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		fault_begin(FAULT_EXPORTER, "exporter:hang:0");
		_exit(0); /* not reached */
	}
	struct timespec t = { 0, 200000000 };
	nanosleep(&t, NULL);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still spinning */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
}

static void test_spike_burns_the_time(void **state)
{
	(void)state;
	fault_begin(FAULT_WORKER, "worker:spike:120");
	int64_t t0 = monotonic_ns(), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	fault_spike();
	int64_t cpu_ms = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1000000;
	assert_true(cpu_ms >= 120); /* the thread's CPU, however long it waited for it */
	assert_true((monotonic_ns() - t0) / 1000000 >= 120);
	fault_begin(FAULT_WORKER, "none");
	t0 = monotonic_ns();
	fault_spike();
	assert_true((monotonic_ns() - t0) / 1000000 < 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_none),
		cmocka_unit_test(test_parse_each_kind),
		cmocka_unit_test(test_parse_sizes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_is_bounded),
		cmocka_unit_test(test_begin_arms_only_own_process),
		cmocka_unit_test(test_exit_at_once),
		cmocka_unit_test(test_crash_is_a_real_segfault),
		cmocka_unit_test(test_leak_dies_at_the_rlimit),
		cmocka_unit_test(test_hang_never_returns),
		cmocka_unit_test(test_spike_burns_the_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
