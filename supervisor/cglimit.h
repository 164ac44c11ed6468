/*
 * cglimit.h - the memory limit of the cgroup the service runs in (a
 * container's --memory, a systemd MemoryMax=, a hand-made group): cgroup
 * v1 memory.limit_in_bytes or v2 memory.max, the smallest real limit on
 * the way from our own group up to the top of what is mounted; and its
 * task limit (pids.max) the same way.
 */
#ifndef SENSOR_SUPERVISOR_CGLIMIT_H
#define SENSOR_SUPERVISOR_CGLIMIT_H

#include <stddef.h>
#include <stdint.h>

/* A v1 group without a limit reads 9223372036854771712 (PAGE_COUNTER_MAX
 * pages); anything this large means "unlimited". */
#define CGLIMIT_UNLIMITED (UINT64_C(1) << 62)

/* Our own group ("/a/b", "/" at the top) in the v1 hierarchy that holds
 * `controller`, or in the v2 hierarchy when `controller` is "", from
 * `root`/proc/self/cgroup. 0 when found. */
int cglimit_own_group(const char *root, const char *controller, char *out, size_t len);

/* The enclosing limit in bytes, 0 when there is none or none can be read.
 * `root` prefixes every path read (/proc/self/..., the cgroup mounts): ""
 * for the real system, a fixture directory in the tests. When a limit is
 * found, `where` gets the file it came from. */
uint64_t cglimit_read(const char *root, char *where, size_t wherelen);

/* The enclosing limit of tasks (processes and threads: a systemd
 * TasksMax=, a container's --pids-limit): v1 or v2 pids.max, the smallest
 * on the way up, as cglimit_read; 0 when there is none. */
uint64_t cglimit_pids_max(const char *root, char *where, size_t wherelen);

#endif
