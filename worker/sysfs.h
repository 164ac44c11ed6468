/*
 * sysfs.h - small helpers to read Linux sysfs attribute files: one number
 * or one line of text per file, with failures sorted into the bounded set
 * of read errors the exporter counts (missing, permission, parse, io).
 */
#ifndef SENSOR_WORKER_SYSFS_H
#define SENSOR_WORKER_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "../shm/layout.h"

/* Longest path a source builds (root + sysfs path). */
#define SYSFS_PATH_LEN 384

/* Which read error an errno value stands for. */
enum shm_read_error sysfs_errno_reason(int err);

/* Parse text holding exactly one finite number (surrounding blanks and a
 * trailing newline allowed). Returns 0, or -1 when it is anything else. */
int sysfs_parse_number(const char *text, double *out);

/* Read one number from `path`. Returns 0, or -1 with the reason in *why
 * and errno kept for a log line. */
int sysfs_read_number(const char *path, double *out, enum shm_read_error *why);

/* Read the first line of `path` without its newline. Returns 0 or -1. */
int sysfs_read_line(const char *path, char *buf, size_t len);

/* snprintf into buf; false when it did not fit. */
bool sysfs_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* `root` joined with an absolute path, without a doubled slash. */
bool sysfs_join(char *buf, size_t len, const char *root, const char *abs_path);

/*
 * Call fn(path, name, ctx) for each entry of `dir` whose name starts with
 * `prefix`, in natural order (hwmon2 before hwmon10), until fn returns
 * non-zero. Returns fn's value, 0 when no call did, -1 (errno set) when
 * `dir` cannot be read.
 */
typedef int (*sysfs_entry_fn)(const char *path, const char *name, void *ctx);
int sysfs_scan(const char *dir, const char *prefix, sysfs_entry_fn fn, void *ctx);

/* The stable identity of an hwmon chip directory: the path of its device
 * below `root` (/sys/devices/platform/coretemp.0), which unlike hwmonN
 * does not change between boots. Returns false when it cannot be found. */
bool sysfs_device_path(const char *root, const char *chip_dir, char *out, size_t len);

/* The leading letters of a sensor or channel name: "temp1" -> "temp". */
void sysfs_type_of(const char *name, char *type, size_t len);

#endif
