/*
 * memcap.c - per-child memory caps.
 *
 * cgroup v2: the supervisor needs a delegated subtree (systemd Delegate=,
 * or root). Because of v2's "no internal processes" rule it first moves
 * itself into a leaf "supervisor" group, then enables the memory
 * controller for its children. cgroup v1: a group per child in the memory
 * hierarchy. Either may be impossible (no root, read-only cgroupfs, a
 * container); RLIMIT_DATA is applied in every case.
 */
#define _GNU_SOURCE
#include "memcap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "cglimit.h"

/* AddressSanitizer maps terabytes of shadow memory that count as data, so
 * under it RLIMIT_DATA would fail every allocation: only the cgroup caps. */
#if defined(__SANITIZE_ADDRESS__)
#define RLIMIT_USABLE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RLIMIT_USABLE 0
#endif
#endif
#ifndef RLIMIT_USABLE
#define RLIMIT_USABLE 1
#endif

const char *memcap_kind_name(enum memcap_kind k)
{
	switch (k) {
	case MEMCAP_CGROUP_V1: return "cgroup-v1";
	case MEMCAP_CGROUP_V2: return "cgroup-v2";
	default: return "rlimit";
	}
}

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Our own cgroup path, "" at the top (cglimit.c reads /proc/self/cgroup). */
static int own_cgroup(const char *controller, char *out, size_t len)
{
	if (cglimit_own_group("", controller, out, len) != 0)
		return -1;
	if (strcmp(out, "/") == 0)
		out[0] = '\0';
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* cgroup v1: the groups sit beside our own process, one per child and
 * supervisor: V1_PREFIX<supervisor pid>.<child>. */
#define V1_ROOT "/sys/fs/cgroup/memory"
#define V1_PREFIX "sensor-service."

/* The directory that holds our v1 groups (our own memory group). */
static int v1_parent(char *out, size_t len)
{
	char own[160];
	if (!is_dir(V1_ROOT) || own_cgroup("memory", own, sizeof own) != 0)
		return -1;
	int n = snprintf(out, len, "%s%s", V1_ROOT, own);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int prepare_v1(struct memcap *m, const char *child)
{
	char parent[200], dir[sizeof m->cgroup_dir], limit[32];
	if (v1_parent(parent, sizeof parent) != 0)
		return -1;
	snprintf(dir, sizeof dir, "%s/" V1_PREFIX "%d.%s", parent, (int)getpid(), child);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(limit, sizeof limit, "%llu", (unsigned long long)m->limit_bytes);
	if (write_file(dir, "memory.limit_in_bytes", limit) != 0) {
		rmdir(dir);
		return -1;
	}
	snprintf(m->cgroup_dir, sizeof m->cgroup_dir, "%s", dir);
	m->kind = MEMCAP_CGROUP_V1;
	return 0;
}

static int prepare_v2(struct memcap *m, const char *child)
{
	char own[200], base[sizeof m->cgroup_dir], leaf[sizeof m->cgroup_dir + 16];
	char dir[sizeof m->cgroup_dir + 64], limit[32], pid[16];
	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK) != 0 || own_cgroup("", own, sizeof own) != 0)
		return -1;
	snprintf(base, sizeof base, "/sys/fs/cgroup%s", own);
	/* Already moved into our leaf by an earlier call? Then base is its parent. */
	static const char leaf_name[] = "/supervisor";
	const size_t leaf_len = sizeof leaf_name - 1;
	size_t bl = strlen(base);
	if (bl > leaf_len && strcmp(base + bl - leaf_len, leaf_name) == 0)
		base[bl - leaf_len] = '\0';
	if (write_file(base, "cgroup.subtree_control", "+memory") != 0) {
		/* busy with our own process: move into a leaf, then retry */
		snprintf(leaf, sizeof leaf, "%s%s", base, leaf_name);
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		if ((mkdir(leaf, 0755) != 0 && errno != EEXIST) || write_file(leaf, "cgroup.procs", pid) != 0 ||
		    write_file(base, "cgroup.subtree_control", "+memory") != 0)
			return -1;
	}
	snprintf(dir, sizeof dir, "%s/%s", base, child);
	if (strlen(dir) >= sizeof m->cgroup_dir || (mkdir(dir, 0755) != 0 && errno != EEXIST))
		return -1;
	snprintf(limit, sizeof limit, "%llu", (unsigned long long)m->limit_bytes);
	if (write_file(dir, "memory.max", limit) != 0) {
		rmdir(dir);
		return -1;
	}
	write_file(dir, "memory.swap.max", "0");     /* a leak must not hide in swap */
	memcpy(m->cgroup_dir, dir, strlen(dir) + 1); /* fits: checked above */
	m->kind = MEMCAP_CGROUP_V2;
	return 0;
}

/* The supervisor pid in a v1 group's name, V1_PREFIX<pid>.<lowercase
 * child>; 0 when the name is not one of ours. */
static pid_t v1_owner(const char *name)
{
	if (strncmp(name, V1_PREFIX, sizeof V1_PREFIX - 1) != 0)
		return 0;
	const char *p = name + sizeof V1_PREFIX - 1;
	char *end;
	if (*p < '1' || *p > '9')
		return 0;
	long pid = strtol(p, &end, 10);
	if (*end != '.' || end[1] == '\0' || pid <= 0 || pid > 0x7fffffffL)
		return 0;
	for (p = end + 1; *p; p++)
		if (*p < 'a' || *p > 'z')
			return 0;
	return (pid_t)pid;
}

void memcap_sweep_stale(void)
{
	char parent[200], dir[512], removed[256] = "";
	if (v1_parent(parent, sizeof parent) != 0)
		return;
	DIR *d = opendir(parent);
	if (!d)
		return;
	unsigned n = 0;
	size_t len = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		pid_t owner = v1_owner(e->d_name);
		/* A running owner (or a process that took its pid since) keeps
		 * it; rmdir removes only an empty group (EBUSY otherwise). */
		if (owner == 0 || owner == getpid() || kill(owner, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(dir, sizeof dir, "%s/%s", parent, e->d_name);
		if (rmdir(dir) != 0)
			continue;
		n++;
		if (len < sizeof removed)
			len += (size_t)snprintf(removed + len, sizeof removed - len, "%s%s", n > 1 ? ", " : "",
						e->d_name);
	}
	closedir(d);
	if (n > 0)
		log_info("removed %u empty memory cgroup(s) of supervisors no longer running, in %s: %s%s", n, parent,
			 removed, len >= sizeof removed ? "..." : "");
}

void memcap_prepare(struct memcap *m, const char *child, uint64_t limit_bytes)
{
	memset(m, 0, sizeof *m);
	m->limit_bytes = limit_bytes;
	m->kind = MEMCAP_RLIMIT;
	if (prepare_v2(m, child) != 0 && prepare_v1(m, child) != 0)
		m->cgroup_dir[0] = '\0';
	log_info("%s memory cap: %llu MiB via %s%s", child, (unsigned long long)(limit_bytes >> 20),
		 memcap_kind_name(m->kind),
		 m->kind == MEMCAP_RLIMIT ? ""
		 : RLIMIT_USABLE          ? " + rlimit"
					  : "");
	if (!RLIMIT_USABLE)
		log_warn("%s memory cap: no rlimit under AddressSanitizer%s", child,
			 m->kind == MEMCAP_RLIMIT ? ", and no cgroup: uncapped" : "");
}

void memcap_enter(const struct memcap *m)
{
	if (m->kind != MEMCAP_RLIMIT && write_file(m->cgroup_dir, "cgroup.procs", "0") != 0)
		log_warn("cannot join %s: %s (rlimit still applies)", m->cgroup_dir, strerror(errno));
	struct rlimit rl = { (rlim_t)m->limit_bytes, (rlim_t)m->limit_bytes };
	if (RLIMIT_USABLE && setrlimit(RLIMIT_DATA, &rl) != 0)
		log_warn("setrlimit(RLIMIT_DATA): %s", strerror(errno));
}

void memcap_release(struct memcap *m)
{
	if (m->kind != MEMCAP_RLIMIT && m->cgroup_dir[0] && rmdir(m->cgroup_dir) != 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s", m->cgroup_dir, strerror(errno));
	m->cgroup_dir[0] = '\0';
}
