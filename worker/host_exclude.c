/*
 * host_exclude.c - node_exporter's default exclusions of mount points,
 * file system types and block devices (host_exclude.h).
 */
#include "host_exclude.h"

#include <stddef.h>
#include <string.h>

/* s with prefix p removed, or NULL when s does not start with p. */
static const char *after(const char *s, const char *p)
{
	size_t n = strlen(p);
	return strncmp(s, p, n) == 0 ? s + n : NULL;
}

/* Past one or more decimal digits at s, or NULL when there is none. */
static const char *digits(const char *s)
{
	if (*s < '0' || *s > '9')
		return NULL;
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* Is s one or more digits and nothing else? */
static bool only_digits(const char *s)
{
	s = s ? digits(s) : NULL;
	return s && *s == '\0';
}

bool host_mount_excluded(const char *mount_point)
{
	static const char *const dirs[] = { "dev", "proc", "run", "sys", "mnt", "media" };
	static const char *const trees[] = { "var/lib/docker/", "var/lib/containers/storage/" };
	const char *r = after(mount_point, "/"), *rest;
	if (!r)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if ((rest = after(r, dirs[i])) && (*rest == '\0' || *rest == '/'))
			return true;
	/* .+ then ($|/): any one character or more below the tree */
	for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
		if ((rest = after(r, trees[i])) && *rest != '\0')
			return true;
	return false;
}

bool host_fstype_excluded(const char *type)
{
	static const char *const types[] = {
		"autofs",   "binfmt_misc", "bpf",        "cgroup",     "cgroup2",   "configfs", "debugfs", "devpts",
		"devtmpfs", "fusectl",     "hugetlbfs",  "iso9660",    "mqueue",    "nsfs",     "overlay", "proc",
		"procfs",   "pstore",      "rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "sysfs",   "tracefs",
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

bool host_disk_excluded(const char *device)
{
	static const char *const plain[] = { "ram", "loop", "fd" };
	static const char *const disks[] = { "hd", "sd", "vd", "xvd" };
	const char *rest;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (only_digits(after(device, plain[i])))
			return true;
	for (size_t i = 0; i < sizeof disks / sizeof disks[0]; i++)
		if ((rest = after(device, disks[i])) && *rest >= 'a' && *rest <= 'z' && only_digits(rest + 1))
			return true;
	/* nvme[0-9]+n[0-9]+p[0-9]+ */
	rest = after(device, "nvme");
	rest = rest ? digits(rest) : NULL;
	rest = rest ? after(rest, "n") : NULL;
	rest = rest ? digits(rest) : NULL;
	rest = rest ? after(rest, "p") : NULL;
	return only_digits(rest);
}
