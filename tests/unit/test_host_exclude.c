/*
 * test_host_exclude.c - the worker's exclusions of mount points, file
 * system types and block devices match exactly what node_exporter's
 * default patterns match: each checked against the pattern itself
 * (regexec) on hand-picked names and on many names built from pieces of
 * the patterns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../worker/host_exclude.h"

/* node_exporter 1.5.0's defaults, the reference. */
#define MOUNTS_PATTERN "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define FSTYPES_PATTERN                                                                                             \
	"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|" \
	"overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"
#define DISKS_PATTERN "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$"

struct kind {
	const char *pattern;
	bool (*excluded)(const char *);
	const char *const *pieces;
	const char *const *names;
};

static const char *const mount_pieces[] = { "/",   "dev", "proc",     "run",        "sys",     "mnt", "media",
					    "var", "lib", "docker",   "containers", "storage", "x",   "\n",
					    ".",   "",    "var/lib/", "/var/lib/",  NULL };
static const char *const mount_names[] = { "/",
					   "",
					   "/dev",
					   "/dev/",
					   "/devx",
					   "/dev/pts",
					   "/run/user/1000",
					   "/sys/fs/cgroup",
					   "/mnt",
					   "/mntx",
					   "/media/usb",
					   "/var/lib/docker",
					   "/var/lib/docker/",
					   "/var/lib/docker//",
					   "/var/lib/docker/overlay2/x/merged",
					   "/var/lib/docker/\n",
					   "/var/lib/containers/storage/",
					   "/var/lib/containers/storage/overlay",
					   "/home",
					   "dev",
					   "//dev",
					   "/DEV",
					   "/proc\n",
					   NULL };
static const char *const type_pieces[] = { "autofs", "binfmt_misc", "bpf",     "cgroup", "2",     "configfs", "sysfs",
					   "proc",   "fs",          "overlay", "ext4",   "tmpfs", "x",        "",
					   "\n",     "nsfs",        "tracefs", NULL };
static const char *const type_names[] = { "cgroup", "cgroup2", "cgroup22", "ext4",     "tmpfs", "proc", "procfs",
					  "sysfs ", "",        "overlay",  "squashfs", "xfs",   NULL };
static const char *const disk_pieces[] = { "ram",  "loop", "fd", "h", "s", "v", "xv", "d", "a",      "z", "A",
					   "nvme", "n",    "p",  "0", "1", "9", "x",  "",  "mmcblk", NULL };
static const char *const disk_names[] = { "sda",     "sda1",      "sdz9",     "sdaa1",       "xvda1",     "xvd1",
					  "hdb2",    "vda10",     "ram0",     "ram",         "loop12",    "fd0",
					  "nvme0n1", "nvme0n1p1", "nvme0n1p", "nvme10n2p33", "mmcblk0p1", "dm-0",
					  "md127",   "sr0",       NULL };

static size_t count(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

static void check(const struct kind *k)
{
	regex_t re;
	assert_int_equal(regcomp(&re, k->pattern, REG_EXTENDED | REG_NOSUB), 0);
	for (const char *const *n = k->names; *n; n++)
		if ((regexec(&re, *n, 0, NULL, 0) == 0) != k->excluded(*n))
			fail_msg("\"%s\": the pattern and the comparison disagree", *n);
	size_t pieces = count(k->pieces);
	unsigned seed = 1;
	char name[256];
	for (int i = 0; i < 50000; i++) {
		name[0] = '\0';
		int parts = 1 + rand_r(&seed) % 6;
		for (int p = 0; p < parts; p++)
			strncat(name, k->pieces[(size_t)rand_r(&seed) % pieces], sizeof name - strlen(name) - 1);
		if ((regexec(&re, name, 0, NULL, 0) == 0) != k->excluded(name))
			fail_msg("\"%s\": the pattern and the comparison disagree", name);
	}
	regfree(&re);
}

static void test_mounts(void **state)
{
	(void)state;
	const struct kind k = { MOUNTS_PATTERN, host_mount_excluded, mount_pieces, mount_names };
	check(&k);
	assert_true(host_mount_excluded("/run/user/1000"));
	assert_false(host_mount_excluded("/var/lib/docker"));
}

static void test_types(void **state)
{
	(void)state;
	const struct kind k = { FSTYPES_PATTERN, host_fstype_excluded, type_pieces, type_names };
	check(&k);
	assert_true(host_fstype_excluded("cgroup2"));
	assert_false(host_fstype_excluded("ext4"));
}

static void test_disks(void **state)
{
	(void)state;
	const struct kind k = { DISKS_PATTERN, host_disk_excluded, disk_pieces, disk_names };
	check(&k);
	assert_true(host_disk_excluded("nvme0n1p1"));
	assert_false(host_disk_excluded("nvme0n1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_disks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
