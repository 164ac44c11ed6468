/*
 * sysfs.c - read sysfs attribute files. Every read opens, reads and
 * closes the file: a held descriptor would keep reading a removed device.
 */
#define _GNU_SOURCE /* versionsort */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_VALUE_MAX 128 /* an attribute holding one number is short */

enum shm_read_error sysfs_errno_reason(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ENOTDIR:
	case ENAMETOOLONG: return SHM_READ_MISSING;
	case EACCES:
	case EPERM: return SHM_READ_PERMISSION;
	default: return SHM_READ_IO;
	}
}

int sysfs_parse_number(const char *text, double *out)
{
	char *end = NULL;
	while (*text == ' ' || *text == '\t')
		text++;
	if (*text == '\0' || *text == '\n')
		return -1;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno == ERANGE || !isfinite(v))
		return -1;
	end += strspn(end, " \t\r\n");
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Read the file into buf (NUL-terminated); -1 with errno set. */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int sysfs_read_number(const char *path, double *out, enum shm_read_error *why)
{
	char buf[SYSFS_VALUE_MAX];
	if (read_small(path, buf, sizeof buf) != 0) {
		*why = sysfs_errno_reason(errno);
		return -1;
	}
	if (strlen(buf) >= sizeof buf - 1 || sysfs_parse_number(buf, out) != 0) {
		*why = SHM_READ_PARSE;
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int sysfs_read_line(const char *path, char *buf, size_t len)
{
	if (read_small(path, buf, len) != 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

bool sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

bool sysfs_join(char *buf, size_t len, const char *root, const char *abs_path)
{
	size_t r = strlen(root);
	while (r > 0 && root[r - 1] == '/')
		r--;
	return sysfs_path(buf, len, "%.*s%s", (int)r, root, abs_path);
}

int sysfs_scan(const char *dir, const char *prefix, sysfs_entry_fn fn, void *ctx)
{
	struct dirent **list = NULL;
	int n = scandir(dir, &list, NULL, versionsort);
	if (n < 0)
		return -1;
	int rc = 0;
	size_t plen = strlen(prefix);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		char path[SYSFS_PATH_LEN];
		if (rc == 0 && name[0] != '.' && strncmp(name, prefix, plen) == 0 &&
		    sysfs_path(path, sizeof path, "%s/%s", dir, name))
			rc = fn(path, name, ctx);
		free(list[i]);
	}
	free(list);
	return rc;
}

bool sysfs_device_path(const char *root, const char *chip_dir, char *out, size_t len)
{
	char real_root[PATH_MAX], real[PATH_MAX];
	if (!realpath(root, real_root) || !realpath(chip_dir, real))
		return false;
	size_t r = strcmp(real_root, "/") == 0 ? 0 : strlen(real_root);
	if (strncmp(real, real_root, r) != 0 || real[r] != '/')
		return false;
	char *p = real + r;
	/* .../DEVICE/hwmon/hwmonN, or .../DEVICE/hwmonN for a few drivers */
	char *last = strrchr(p, '/');
	if (last && last != p && strncmp(last + 1, "hwmon", 5) == 0) {
		*last = '\0';
		char *up = strrchr(p, '/');
		if (up && up != p && strcmp(up + 1, "hwmon") == 0)
			*up = '\0';
	}
	return sysfs_path(out, len, "%s", p);
}

void sysfs_type_of(const char *name, char *type, size_t len)
{
	size_t n = 0;
	while (name[n] >= 'a' && name[n] <= 'z')
		n++;
	snprintf(type, len, "%.*s", (int)n, name);
}
