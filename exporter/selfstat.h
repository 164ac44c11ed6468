/*
 * selfstat.h - the figures behind the standard process_* metrics of a
 * process, read from procfs the way Prometheus' client libraries do.
 */
#ifndef SENSOR_EXPORTER_SELFSTAT_H
#define SENSOR_EXPORTER_SELFSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct selfstat {
	bool have_cpu;
	double cpu_seconds; /* user + system, all threads */
	bool have_start;
	double start_time_seconds; /* since the Unix epoch */
	bool have_memory;          /* from PID/statm */
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	bool have_fds;
	uint64_t open_fds; /* entries of PID/fd */
	bool have_max_fds;
	uint64_t max_fds; /* soft "Max open files" of PID/limits */
};

/*
 * A process's procfs files, opened once and read at every sample from
 * offset 0 (procfs writes them afresh for each read from the start):
 * PID/statm for memory, the CPU clock for "self" (PID/stat's ticks for
 * another), PID/fd's count (its size from Linux 6.2, its listing before),
 * the soft RLIMIT_NOFILE (getrlimit for "self", PID/limits for another).
 * What never changes is read at open and kept: the boot time (PROC/stat,
 * which the kernel computes for every CPU at each read) and the process's
 * start time. A scrape of "self" then costs a read, a clock, an fstat and
 * a getrlimit, where it took four opens, five reads, a listing and four
 * closes. The open files are the process's own fds, so process_open_fds
 * counts them (more than a reader that opens and closes).
 */
struct selfstat_src {
	int stat_fd, statm_fd, limits_fd; /* -1: not open (stat_fd, limits_fd: never kept for "self") */
	void *fd_dir;                     /* DIR * of PID/fd; NULL: not open */
	bool fd_dir_on_procfs;            /* its size may be the count */
	bool is_self;                     /* the calling process: getrlimit */
	bool have_btime, have_start;
	double btime;              /* seconds since the epoch */
	double start_time_seconds; /* of the process, since the epoch */
	long ticks_per_s, page_bytes;
	struct selfstat last; /* the newest sample (selfstat_sample_within) */
	int64_t last_ns;      /* when it was taken; valid when have_last */
	bool have_last;
};

/* Open `proc`/`pid` ("/proc", "self" for the calling process; a fixture
 * directory in the tests). What cannot be opened is left out of every
 * sample (its have_* false). `ticks_per_s` and `page_bytes` are
 * sysconf's _SC_CLK_TCK and _SC_PAGESIZE. */
void selfstat_open(struct selfstat_src *src, const char *proc, const char *pid, long ticks_per_s, long page_bytes);

/* The figures now. Each part that cannot be read or parsed is left out
 * (its have_* false). */
void selfstat_sample(struct selfstat_src *src, struct selfstat *st);

/* The newest sample when it was taken at most `max_age_ns` before
 * `now_ns` (a monotonic clock), else a new one. Scrapes that come closer
 * together than that share one sample: a process's CPU time in procfs has
 * a 10 ms tick, so a sample younger than that tells nothing a new one
 * would, and a burst of scrapes then costs no system calls for it. */
void selfstat_sample_within(struct selfstat_src *src, int64_t now_ns, int64_t max_age_ns, struct selfstat *st);

void selfstat_close(struct selfstat_src *src);

/* selfstat_open, selfstat_sample and selfstat_close in one. */
void selfstat_read(const char *proc, const char *pid, long ticks_per_s, long page_bytes, struct selfstat *st);

#endif
