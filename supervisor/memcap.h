/*
 * memcap.h - a memory cap per child: a cgroup (v2 memory.max or v1
 * memory.limit_in_bytes) where the supervisor may create one, and always
 * RLIMIT_DATA (heap and private mappings; the shared segment does not
 * count), so a leak ends in that child's death and nobody else's.
 */
#ifndef SENSOR_SUPERVISOR_MEMCAP_H
#define SENSOR_SUPERVISOR_MEMCAP_H

#include <stdint.h>

enum memcap_kind { MEMCAP_RLIMIT = 0, MEMCAP_CGROUP_V1 = 1, MEMCAP_CGROUP_V2 = 2 };

struct memcap {
	enum memcap_kind kind;
	uint64_t limit_bytes;
	char cgroup_dir[256]; /* empty unless kind is a cgroup */
};

/* Supervisor, at start: remove the empty cgroup v1 groups that
 * supervisors no longer running left (killed before they could), and
 * say so once in the log. (v2 groups are named by child alone and reused.) */
void memcap_sweep_stale(void);

/* Supervisor: prepare a cap named `child` (e.g. "worker"). Never fails:
 * it falls back to rlimit and says why in the log. */
void memcap_prepare(struct memcap *m, const char *child, uint64_t limit_bytes);

/* Child, right after fork: join the cgroup and set the rlimit. */
void memcap_enter(const struct memcap *m);

/* Supervisor, after the child is gone for good: remove the cgroup. */
void memcap_release(struct memcap *m);

const char *memcap_kind_name(enum memcap_kind k);

#endif
