/*
 * host_exclude.h - node_exporter's default exclusions of mount points,
 * file system types and block devices, as plain comparisons. They match
 * exactly what node_exporter 1.5.0's default patterns match (POSIX
 * extended regular expressions, quoted at each function); the unit test
 * checks them against those patterns. A compiled regex would bring the
 * C library's regex engine, its automata and tables into the worker's
 * memory for three fixed lists.
 */
#ifndef WORKER_HOST_EXCLUDE_H
#define WORKER_HOST_EXCLUDE_H

#include <stdbool.h>

/* ^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/) */
bool host_mount_excluded(const char *mount_point);

/* ^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|
 *   overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$ */
bool host_fstype_excluded(const char *type);

/* ^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$ */
bool host_disk_excluded(const char *device);

#endif
