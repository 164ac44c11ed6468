/*
 * cglimit.c - find the memory and task limits of the cgroup we run in.
 *
 * /proc/self/cgroup names our group in each hierarchy (v1: the line whose
 * controllers include "memory", or "pids"; v2: the "0::" line); /proc/self/mountinfo
 * says where each hierarchy is mounted and which of its groups is the
 * mount's root (in a container that is the container's own group, so the
 * path of /proc/self/cgroup must be made relative to it). From our group
 * we walk up to the mount's root and keep the smallest real limit; v1
 * also reports the limit of ancestors we cannot see in memory.stat
 * (hierarchical_memory_limit).
 */
#define _GNU_SOURCE
#include "cglimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hierarchy {
	char own[256];         /* our group, from /proc/self/cgroup */
	char mount_root[256];  /* the group at the mount point */
	char mount_point[256]; /* where it is mounted */
	int found;             /* 2: both known */
};

int cglimit_own_group(const char *root, const char *controller, char *out, size_t len)
{
	char path[512], line[512];
	int found = -1;
	snprintf(path, sizeof path, "%s/proc/self/cgroup", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c2[1] != '/')
			continue;
		*c1 = '\0';
		*c2 = '\0';
		const char *group = c2 + 1;
		int match = 0;
		if (*controller == '\0')
			match = c1[1] == '\0' && strcmp(line, "0") == 0;
		else
			for (char *tok = strtok(c1 + 1, ","); tok && !match; tok = strtok(NULL, ","))
				match = strcmp(tok, controller) == 0;
		if (match && strlen(group) < len) {
			snprintf(out, len, "%s", group);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static void read_own(const char *root, const char *controller, struct hierarchy *v1, struct hierarchy *v2)
{
	if (cglimit_own_group(root, controller, v1->own, sizeof v1->own) == 0)
		v1->found++;
	if (cglimit_own_group(root, "", v2->own, sizeof v2->own) == 0)
		v2->found++;
}

/* Whether the comma-separated `list` holds `word`. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
static void read_mounts(const char *root, const char *controller, struct hierarchy *v1, struct hierarchy *v2)
{
	char path[512], line[1024];
	snprintf(path, sizeof path, "%s/proc/self/mountinfo", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char mroot[256], mpoint[256], fstype[32], super[512];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %255s %255s", mroot, mpoint) != 2 ||
		    sscanf(dash + 3, "%31s %*s %511s", fstype, super) != 2)
			continue;
		struct hierarchy *h = NULL;
		if (strcmp(fstype, "cgroup2") == 0)
			h = v2;
		else if (strcmp(fstype, "cgroup") == 0 && has_word(super, controller))
			h = v1;
		if (h && h->found == 1) { /* the first mount of each is enough */
			snprintf(h->mount_root, sizeof h->mount_root, "%s", strcmp(mroot, "/") == 0 ? "" : mroot);
			snprintf(h->mount_point, sizeof h->mount_point, "%s", mpoint);
			h->found++;
		}
	}
	fclose(f);
}

/* A limit file's value: a number of bytes, or "max" (v2). 0: none. */
static uint64_t read_limit(const char *file)
{
	char buf[64];
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	char *ok = fgets(buf, sizeof buf, f);
	fclose(f);
	if (!ok || buf[0] < '0' || buf[0] > '9')
		return 0;
	unsigned long long v = strtoull(buf, NULL, 10);
	return v >= CGLIMIT_UNLIMITED ? 0 : (uint64_t)v;
}

/* v1 memory.stat: hierarchical_memory_limit covers ancestors above the mount. */
static uint64_t read_hierarchical(const char *file)
{
	char key[64];
	unsigned long long v;
	uint64_t limit = 0;
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu", key, &v) == 2)
		if (strcmp(key, "hierarchical_memory_limit") == 0) {
			limit = v >= CGLIMIT_UNLIMITED ? 0 : (uint64_t)v;
			break;
		}
	fclose(f);
	return limit;
}

static void keep_smaller(uint64_t v, const char *file, uint64_t *best, char *where, size_t wherelen)
{
	if (v == 0 || (*best != 0 && v >= *best))
		return;
	*best = v;
	if (where)
		snprintf(where, wherelen, "%s", file);
}

static void walk(const char *root, const struct hierarchy *h, const char *limit_file, uint64_t *best, char *where,
		 size_t wherelen)
{
	if (h->found != 2)
		return;
	/* Our group relative to the mount's root; a group outside it (another
	 * namespace's view) is seen from the mount's root only. */
	const char *rel = "";
	size_t rl = strlen(h->mount_root);
	if (strncmp(h->own, h->mount_root, rl) == 0 && (h->own[rl] == '/' || h->own[rl] == '\0'))
		rel = h->own + rl;
	else if (rl == 0)
		rel = h->own;
	char dir[1024], file[1100];
	int n = snprintf(dir, sizeof dir, "%s%s%s", root, h->mount_point, strcmp(rel, "/") == 0 ? "" : rel);
	if (n < 0 || (size_t)n >= sizeof dir)
		return;
	size_t floor = strlen(root) + strlen(h->mount_point);
	for (;;) {
		snprintf(file, sizeof file, "%s/%s", dir, limit_file);
		keep_smaller(read_limit(file), file, best, where, wherelen);
		if (strcmp(limit_file, "memory.limit_in_bytes") == 0) {
			snprintf(file, sizeof file, "%s/memory.stat", dir);
			keep_smaller(read_hierarchical(file), file, best, where, wherelen);
		}
		char *slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < floor)
			break;
		*slash = '\0';
	}
}

/* The smallest limit of `controller` on the way up from our group. */
static uint64_t smallest(const char *root, const char *controller, const char *v1_file, const char *v2_file,
			 char *where, size_t wherelen)
{
	struct hierarchy v1, v2;
	memset(&v1, 0, sizeof v1);
	memset(&v2, 0, sizeof v2);
	read_own(root, controller, &v1, &v2);
	read_mounts(root, controller, &v1, &v2);
	uint64_t best = 0;
	if (where && wherelen)
		where[0] = '\0';
	walk(root, &v1, v1_file, &best, where, wherelen);
	walk(root, &v2, v2_file, &best, where, wherelen);
	return best;
}

uint64_t cglimit_read(const char *root, char *where, size_t wherelen)
{
	return smallest(root, "memory", "memory.limit_in_bytes", "memory.max", where, wherelen);
}

uint64_t cglimit_pids_max(const char *root, char *where, size_t wherelen)
{
	return smallest(root, "pids", "pids.max", "pids.max", where, wherelen);
}
