/*
 * selfstat.c - process figures from procfs (see selfstat.h).
 *
 * PID/stat's second field is the command name in parentheses, which may
 * itself hold spaces and parentheses: the fields are counted from the
 * last ')'. Every read is one bounded buffer; nothing here allocates but
 * the DIR of PID/fd, once, at open.
 */
#include "selfstat.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define PROC_SUPER_MAGIC 0x9fa0 /* linux/magic.h */
#define STAT_BYTES 1024
#define STATM_BYTES 128
#define LIMITS_BYTES 4096

/* Open PROC/PID/NAME (PROC/NAME when pid is NULL); -1 when it cannot. */
static int open_in(const char *proc, const char *pid, const char *name, int flags)
{
	char path[256];
	if (pid)
		snprintf(path, sizeof path, "%s/%s/%s", proc, pid, name);
	else
		snprintf(path, sizeof path, "%s/%s", proc, name);
	return open(path, flags | O_CLOEXEC);
}

/* Read a small open file from its start into buf (NUL-terminated);
 * false when it cannot. A short read is its end (procfs and regular
 * files), which saves reading again to see nothing. */
static bool slurp(int fd, char *buf, size_t len)
{
	size_t got = 0;
	if (fd < 0)
		return false;
	while (got + 1 < len) {
		size_t want = len - 1 - got;
		ssize_t n = pread(fd, buf + got, want, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if ((size_t)n < want)
			break; /* the end */
	}
	buf[got] = '\0';
	return got > 0;
}

/* btime: the boot time in seconds since the epoch, from PROC/stat. */
static bool boot_time(const char *proc, double *out)
{
	char buf[8192];
	int fd = open_in(proc, NULL, "stat", O_RDONLY);
	bool ok = slurp(fd, buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	const char *p = ok ? strstr(buf, "\nbtime ") : NULL;
	unsigned long long v;
	if (!p || sscanf(p + 7, "%llu", &v) != 1)
		return false;
	*out = (double)v;
	return true;
}

/* A decimal unsigned number at p (at most 19 digits); *end past it. */
static bool number(const char *p, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *q = p;
	while (*q >= '0' && *q <= '9' && q - p < 19)
		n = n * 10 + (uint64_t)(*q++ - '0');
	if (q == p || (*q != ' ' && *q != '\n' && *q != '\0'))
		return false;
	*v = n;
	*end = q;
	return true;
}

/* PID/stat's fields from the 3rd on, counted after the name: f[i] is
 * field i + 3 (UTIME, STIME, STARTTIME below); false when garbled. */
enum { UTIME = 11, STIME, STARTTIME = 19, STAT_FIELDS };
static bool parse_stat(const char *buf, uint64_t f[STAT_FIELDS])
{
	const char *p = strrchr(buf, ')');
	if (!p)
		return false;
	/* sscanf took a microsecond to skip the fields we do not use */
	p++;
	for (int i = 0; i < STAT_FIELDS; i++) {
		if (*p++ != ' ')
			return false;
		const char *end = p;
		if (i == UTIME || i == STIME || i == STARTTIME) {
			if (!number(p, &f[i], &end))
				return false;
		} else {
			while (*end && *end != ' ' && *end != '\n')
				end++; /* a field we do not use */
			if (end == p)
				return false;
		}
		p = end;
	}
	return true;
}

/* The start time, read once at open: it never changes. */
static void read_start(struct selfstat_src *src)
{
	char buf[STAT_BYTES];
	uint64_t f[STAT_FIELDS] = { 0 };
	if (src->ticks_per_s <= 0 || !src->have_btime || !slurp(src->stat_fd, buf, sizeof buf) || !parse_stat(buf, f))
		return;
	src->start_time_seconds = src->btime + (double)f[STARTTIME] / (double)src->ticks_per_s;
	src->have_start = true;
}

/* CPU time: the kernel's per-process clock for the calling process (one
 * call, in nanoseconds), PID/stat's ticks for another. procfs formats all
 * of PID/stat's 52 fields at every read, three times the cost of the
 * clock and of PID/statm together. */
static void read_cpu(const struct selfstat_src *src, struct selfstat *st)
{
	if (src->is_self) {
		struct timespec ts;
		if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0) {
			st->cpu_seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
			st->have_cpu = true;
		}
		return;
	}
	char buf[STAT_BYTES];
	uint64_t f[STAT_FIELDS] = { 0 };
	if (src->ticks_per_s <= 0 || !slurp(src->stat_fd, buf, sizeof buf) || !parse_stat(buf, f))
		return;
	st->cpu_seconds = (double)(f[UTIME] + f[STIME]) / (double)src->ticks_per_s;
	st->have_cpu = true;
}

/* PID/statm: "size resident shared text lib data dt", in pages. */
static void read_memory(const struct selfstat_src *src, struct selfstat *st)
{
	char buf[STATM_BYTES];
	uint64_t size, resident;
	const char *p;
	if (src->page_bytes <= 0 || !slurp(src->statm_fd, buf, sizeof buf) || !number(buf, &size, &p) || *p != ' ' ||
	    !number(p + 1, &resident, &p))
		return;
	st->virtual_bytes = size * (uint64_t)src->page_bytes;
	st->resident_bytes = resident * (uint64_t)src->page_bytes;
	st->have_memory = true;
}

/* The entries of PID/fd, its own among them (a reader that opens it
 * counts that one too). Listing them makes procfs build an entry per fd;
 * from Linux 6.2 the directory's size is their count (0 before). */
static void read_fds(struct selfstat_src *src, struct selfstat *st)
{
	DIR *d = src->fd_dir;
	if (!d)
		return;
	struct stat sb;
	if (src->fd_dir_on_procfs && fstat(dirfd(d), &sb) == 0 && sb.st_size > 0) {
		st->open_fds = (uint64_t)sb.st_size;
		st->have_fds = true;
		return;
	}
	rewinddir(d);
	uint64_t n = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	st->open_fds = n;
	st->have_fds = true;
}

/* The soft RLIMIT_NOFILE: asked directly of the calling process (procfs
 * would print all sixteen limits to give it), read from PID/limits for
 * another. */
static void read_limits(const struct selfstat_src *src, struct selfstat *st)
{
	char buf[LIMITS_BYTES];
	struct rlimit rl;
	if (src->is_self) {
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
			st->max_fds = (uint64_t)rl.rlim_cur;
			st->have_max_fds = true;
		}
		return;
	}
	if (!slurp(src->limits_fd, buf, sizeof buf))
		return;
	const char *p = strstr(buf, "\nMax open files ");
	unsigned long long soft;
	if (!p || sscanf(p + 16, " %llu", &soft) != 1)
		return; /* absent, or "unlimited" */
	st->max_fds = soft;
	st->have_max_fds = true;
}

void selfstat_open(struct selfstat_src *src, const char *proc, const char *pid, long ticks_per_s, long page_bytes)
{
	bool self = strcmp(pid, "self") == 0;
	*src = (struct selfstat_src){ .stat_fd = open_in(proc, pid, "stat", O_RDONLY),
				      .statm_fd = open_in(proc, pid, "statm", O_RDONLY),
				      .limits_fd = self ? -1 : open_in(proc, pid, "limits", O_RDONLY),
				      .is_self = self,
				      .ticks_per_s = ticks_per_s,
				      .page_bytes = page_bytes };
	src->have_btime = boot_time(proc, &src->btime);
	read_start(src);
	if (self && src->stat_fd >= 0) { /* its CPU comes from its clock: PID/stat is not read again */
		close(src->stat_fd);
		src->stat_fd = -1;
	}
	int fd = open_in(proc, pid, "fd", O_RDONLY | O_DIRECTORY);
	struct statfs fs;
	src->fd_dir_on_procfs = fd >= 0 && fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
	if (fd >= 0 && !(src->fd_dir = fdopendir(fd)))
		close(fd);
}

void selfstat_sample(struct selfstat_src *src, struct selfstat *st)
{
	memset(st, 0, sizeof *st);
	st->start_time_seconds = src->start_time_seconds;
	st->have_start = src->have_start;
	read_cpu(src, st);
	read_memory(src, st);
	read_fds(src, st);
	read_limits(src, st);
}

void selfstat_sample_within(struct selfstat_src *src, int64_t now_ns, int64_t max_age_ns, struct selfstat *st)
{
	/* a clock that went backwards (or a first call) takes a new sample */
	if (!src->have_last || now_ns < src->last_ns || now_ns - src->last_ns > max_age_ns) {
		selfstat_sample(src, &src->last);
		src->last_ns = now_ns;
		src->have_last = true;
	}
	*st = src->last;
}

void selfstat_close(struct selfstat_src *src)
{
	if (src->stat_fd >= 0)
		close(src->stat_fd);
	if (src->statm_fd >= 0)
		close(src->statm_fd);
	if (src->limits_fd >= 0)
		close(src->limits_fd);
	if (src->fd_dir)
		closedir(src->fd_dir);
	*src = (struct selfstat_src){ .stat_fd = -1, .statm_fd = -1, .limits_fd = -1 };
}

void selfstat_read(const char *proc, const char *pid, long ticks_per_s, long page_bytes, struct selfstat *st)
{
	struct selfstat_src src;
	selfstat_open(&src, proc, pid, ticks_per_s, page_bytes);
	selfstat_sample(&src, st);
	selfstat_close(&src);
}
