/*
 * test_memfit.c - the children's caps fitted into the enclosing cgroup's
 * limit (memfit_compute), the limit found in a fixture cgroup tree
 * (cglimit_read: v1, v2, a container's view, unlimited groups) and the
 * OOM killer's order (oomscore_for).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_tree.h"
#include "../../supervisor/cglimit.h"
#include "../../supervisor/memfit.h"
#include "../../supervisor/oomscore.h"

#define MiB (UINT64_C(1) << 20)

/* ---- memfit_compute ---- */

static void test_no_limit_keeps_caps(void **state)
{
	(void)state;
	struct memfit m;
	memfit_compute(&m, 0, 8 * MiB, 64, 64);
	assert_int_equal(m.worker_bytes, 64 * MiB);
	assert_int_equal(m.exporter_bytes, 64 * MiB);
	assert_false(m.lowered);
	assert_true(m.fits);
}

static void test_large_limit_keeps_caps(void **state)
{
	(void)state;
	struct memfit m;
	memfit_compute(&m, 1024 * MiB, 8 * MiB, 64, 64);
	assert_false(m.lowered);
	assert_int_equal(m.worker_bytes, 64 * MiB);
	/* exactly fitting is fitting */
	memfit_compute(&m, 136 * MiB, 8 * MiB, 64, 64);
	assert_false(m.lowered);
	assert_int_equal(m.exporter_bytes, 64 * MiB);
	/* one byte less is not */
	memfit_compute(&m, 136 * MiB - 1, 8 * MiB, 64, 64);
	assert_true(m.lowered);
}

static void test_small_limit_lowers_equally(void **state)
{
	(void)state;
	struct memfit m;
	/* a 48 MiB container, 8 MiB + a 1 MiB segment reserved: 39 MiB left */
	memfit_compute(&m, 48 * MiB, 9 * MiB, 64, 64);
	assert_true(m.lowered);
	assert_true(m.fits);
	assert_int_equal(m.worker_bytes, 19 * MiB);
	assert_int_equal(m.exporter_bytes, 20 * MiB);
	assert_true(m.worker_bytes + m.exporter_bytes + m.reserve_bytes <= m.limit_bytes);
	assert_int_equal(m.limit_bytes, 48 * MiB);
}

static void test_proportional_split(void **state)
{
	(void)state;
	struct memfit m;
	memfit_compute(&m, 68 * MiB, 8 * MiB, 96, 32); /* 60 MiB left, 3:1 */
	assert_int_equal(m.worker_bytes, 45 * MiB);
	assert_int_equal(m.exporter_bytes, 15 * MiB);
	assert_true(m.fits);
}

static void test_never_raised_above_configured(void **state)
{
	(void)state;
	struct memfit m;
	/* 14 MiB left for 100:4: the exporter's share would be 0, the floor 4 */
	memfit_compute(&m, 22 * MiB, 8 * MiB, 100, 4);
	assert_true(m.lowered);
	assert_int_equal(m.exporter_bytes, 4 * MiB);
	assert_int_equal(m.worker_bytes, 13 * MiB);
	assert_false(m.fits); /* 13 + 4 > 14 */
	/* the worker's cap already small: lowering the other never raises it */
	memfit_compute(&m, 30 * MiB, 8 * MiB, 4, 64);
	assert_true(m.worker_bytes <= 4 * MiB);
	assert_true(m.exporter_bytes <= 64 * MiB);
}

static void test_limit_below_reserve_uses_floors(void **state)
{
	(void)state;
	struct memfit m;
	memfit_compute(&m, 6 * MiB, 8 * MiB, 64, 64);
	assert_true(m.lowered);
	assert_false(m.fits);
	assert_int_equal(m.worker_bytes, MEMFIT_MIN_CAP_MB * MiB);
	assert_int_equal(m.exporter_bytes, MEMFIT_MIN_CAP_MB * MiB);
	memfit_compute(&m, 8 * MiB, 8 * MiB, 64, 64); /* equal to the reserve */
	assert_false(m.fits);
}

static void test_huge_values_do_not_overflow(void **state)
{
	(void)state;
	struct memfit m;
	/* just under "unlimited", the largest caps: no wrap-around */
	memfit_compute(&m, CGLIMIT_UNLIMITED - 1, 65536 * MiB, 65536, 65536);
	assert_false(m.lowered);
	memfit_compute(&m, 100000 * MiB, 65536 * MiB, 65536, 65536);
	assert_true(m.lowered);
	assert_true(m.fits);
	assert_int_equal(m.worker_bytes + m.exporter_bytes, (100000 - 65536) * MiB);
}

/* ---- cglimit_read on a fixture tree ---- */

static int make_root(void **state)
{
	(void)state;
	return fixture_tree_make("test_memfit");
}

static int remove_root(void **state)
{
	(void)state;
	return fixture_tree_remove();
}

#define V1_MOUNT "30 25 0:26 %s /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
#define V2_MOUNT "31 25 0:27 %s /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n"
#define UNLIMITED_V1 "9223372036854771712\n"

static void mounts(const char *v1_root, const char *v2_root)
{
	char text[512];
	int n = snprintf(text, sizeof text, "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
	if (v1_root)
		n += snprintf(text + n, sizeof text - (size_t)n, V1_MOUNT, v1_root);
	if (v2_root)
		snprintf(text + n, sizeof text - (size_t)n, V2_MOUNT, v2_root);
	fixture_tree_put("/proc/self/mountinfo", text);
}

static void test_v1_own_group(void **state)
{
	(void)state;
	char where[512];
	fixture_tree_put("/proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/box\n0::/\n");
	mounts("/", NULL);
	fixture_tree_put("/sys/fs/cgroup/memory/memory.limit_in_bytes", UNLIMITED_V1);
	fixture_tree_put("/sys/fs/cgroup/memory/box/memory.limit_in_bytes", "50331648\n");
	assert_int_equal(cglimit_read(fixture_root, where, sizeof where), 48 * MiB);
	assert_non_null(strstr(where, "/sys/fs/cgroup/memory/box/memory.limit_in_bytes"));
}

static void test_v1_walks_up_to_smallest(void **state)
{
	(void)state;
	fixture_tree_put("/proc/self/cgroup", "4:memory:/outer/inner/leaf\n");
	mounts("/", NULL);
	fixture_tree_put("/sys/fs/cgroup/memory/memory.limit_in_bytes", UNLIMITED_V1);
	fixture_tree_put("/sys/fs/cgroup/memory/outer/memory.limit_in_bytes", "100663296\n");
	fixture_tree_put("/sys/fs/cgroup/memory/outer/inner/memory.limit_in_bytes", UNLIMITED_V1);
	fixture_tree_put("/sys/fs/cgroup/memory/outer/inner/leaf/memory.limit_in_bytes", UNLIMITED_V1);
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 96 * MiB);
	/* a smaller one further down wins */
	fixture_tree_put("/sys/fs/cgroup/memory/outer/inner/memory.limit_in_bytes", "67108864\n");
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 64 * MiB);
}

static void test_v1_container_view(void **state)
{
	(void)state;
	/* podman with the host's cgroup namespace: /proc/self/cgroup names the
	 * host path, the mount shows only the container's own group, and the
	 * limit set on the parent is visible through memory.stat only. */
	char where[512];
	fixture_tree_put("/proc/self/cgroup", "4:memory:/libpod_parent/libpod-abc\n");
	mounts("/libpod_parent/libpod-abc", NULL);
	fixture_tree_put("/sys/fs/cgroup/memory/memory.limit_in_bytes", UNLIMITED_V1);
	fixture_tree_put("/sys/fs/cgroup/memory/memory.stat", "cache 0\nrss 1\nhierarchical_memory_limit 33554432\n");
	assert_int_equal(cglimit_read(fixture_root, where, sizeof where), 32 * MiB);
	assert_non_null(strstr(where, "memory.stat"));
}

static void test_v2_max(void **state)
{
	(void)state;
	fixture_tree_put("/proc/self/cgroup", "0::/system.slice/sensor.service\n");
	fixture_tree_put("/proc/self/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
						 "31 25 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
	fixture_tree_put("/sys/fs/cgroup/system.slice/memory.max", "max\n");
	fixture_tree_put("/sys/fs/cgroup/system.slice/sensor.service/memory.max", "max\n");
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 0);
	fixture_tree_put("/sys/fs/cgroup/system.slice/memory.max", "209715200\n");
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 200 * MiB);
}

static void test_hybrid_without_v2_memory(void **state)
{
	(void)state;
	/* this kind of machine: v1 memory, a v2 tree with no memory files */
	fixture_tree_put("/proc/self/cgroup", "4:memory:/\n0::/\n");
	mounts("/", "/");
	fixture_tree_put("/sys/fs/cgroup/memory/memory.limit_in_bytes", UNLIMITED_V1);
	fixture_tree_put("/sys/fs/cgroup/unified/cgroup.procs", "1\n");
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 0);
}

static void test_unreadable_is_no_limit(void **state)
{
	(void)state;
	char where[16] = "stale";
	fixture_tree_put("/proc/self/cgroup", "garbage\n4:memory\n::\n");
	fixture_tree_put("/proc/self/mountinfo", "nonsense line\n");
	assert_int_equal(cglimit_read(fixture_root, where, sizeof where), 0);
	assert_string_equal(where, "");
	fixture_tree_put("/proc/self/cgroup", "4:memory:/g\n");
	mounts("/", NULL);
	fixture_tree_put("/sys/fs/cgroup/memory/g/memory.limit_in_bytes", "not a number\n");
	assert_int_equal(cglimit_read(fixture_root, NULL, 0), 0);
}

/* ---- oomscore_for ---- */

static void test_oom_order(void **state)
{
	(void)state;
	const int parents[] = { -1000, -500, 0, 300, 999, 1000 };
	for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++) {
		int p = parents[i];
		int w = oomscore_for(SHM_CHILD_WORKER, p), e = oomscore_for(SHM_CHILD_EXPORTER, p);
		assert_int_equal(w, OOMSCORE_MAX);
		assert_true(e >= p && e <= w);
		if (p < 999)
			assert_true(e > p && e < w); /* a strict order where there is room */
	}
	assert_int_equal(oomscore_for(SHM_CHILD_EXPORTER, 0), 500);
	assert_int_equal(oomscore_for(SHM_CHILD_EXPORTER, -5000), 0); /* clamped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_limit_keeps_caps),
		cmocka_unit_test(test_large_limit_keeps_caps),
		cmocka_unit_test(test_small_limit_lowers_equally),
		cmocka_unit_test(test_proportional_split),
		cmocka_unit_test(test_never_raised_above_configured),
		cmocka_unit_test(test_limit_below_reserve_uses_floors),
		cmocka_unit_test(test_huge_values_do_not_overflow),
		cmocka_unit_test_setup_teardown(test_v1_own_group, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v1_walks_up_to_smallest, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v1_container_view, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_max, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_hybrid_without_v2_memory, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_unreadable_is_no_limit, make_root, remove_root),
		cmocka_unit_test(test_oom_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
