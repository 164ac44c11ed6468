/*
 * procstat.h - resident memory of a process from /proc.
 */
#ifndef SENSOR_SUPERVISOR_PROCSTAT_H
#define SENSOR_SUPERVISOR_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

/* RSS in bytes of `pid` (0 when it cannot be read). */
uint64_t procstat_rss_bytes(pid_t pid);

#endif
