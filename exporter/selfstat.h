/*
 * selfstat.h - the figures behind the standard process_* metrics of a
 * process, read from procfs the way Prometheus' client libraries do.
 */
#ifndef SENSOR_EXPORTER_SELFSTAT_H
#define SENSOR_EXPORTER_SELFSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct selfstat {
	bool have_stat;            /* from PID/stat (and btime from stat) */
	double cpu_seconds;        /* utime + stime */
	double start_time_seconds; /* since the Unix epoch */
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	bool have_fds;
	uint64_t open_fds; /* entries of PID/fd */
	bool have_max_fds;
	uint64_t max_fds; /* soft "Max open files" of PID/limits */
};

/*
 * Read `proc`/`pid`/{stat,fd,limits} and `proc`/stat ("/proc", "self"
 * for the calling process; a fixture directory in the tests). Each part
 * that cannot be read or parsed is left out (its have_* false).
 * `ticks_per_s` and `page_bytes` are sysconf's _SC_CLK_TCK and
 * _SC_PAGESIZE.
 */
void selfstat_read(const char *proc, const char *pid, long ticks_per_s, long page_bytes, struct selfstat *st);

#endif
