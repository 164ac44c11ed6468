/*
 * selfstat.c - process figures from procfs (see selfstat.h).
 *
 * PID/stat's second field is the command name in parentheses, which may
 * itself hold spaces and parentheses: the fields are counted from the
 * last ')'. Every read is one bounded buffer; nothing here allocates.
 */
#include "selfstat.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAT_BYTES 1024
#define LIMITS_BYTES 4096

/* Read a small file into buf (NUL-terminated); false when it cannot. */
static bool slurp(const char *proc, const char *pid, const char *name, char *buf, size_t len)
{
	char path[256];
	if (pid)
		snprintf(path, sizeof path, "%s/%s/%s", proc, pid, name);
	else
		snprintf(path, sizeof path, "%s/%s", proc, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t got = 0;
	ssize_t n;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return got > 0;
}

/* btime: the boot time in seconds since the epoch, from PROC/stat. */
static bool boot_time(const char *proc, double *out)
{
	char buf[8192];
	if (!slurp(proc, NULL, "stat", buf, sizeof buf))
		return false;
	const char *p = strstr(buf, "\nbtime ");
	unsigned long long v;
	if (!p || sscanf(p + 7, "%llu", &v) != 1)
		return false;
	*out = (double)v;
	return true;
}

static void read_stat(const char *proc, const char *pid, long hz, long page, struct selfstat *st)
{
	char buf[STAT_BYTES];
	double btime;
	if (hz <= 0 || page <= 0 || !slurp(proc, pid, "stat", buf, sizeof buf) || !boot_time(proc, &btime))
		return;
	const char *p = strrchr(buf, ')');
	if (!p)
		return;
	/* fields 3..24 after the name: state ppid pgrp session tty tpgid flags
	 * minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime vsize rss */
	unsigned long long utime, stime, start, vsize, rss;
	int n = sscanf(p + 1,
		       " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu %llu %llu",
		       &utime, &stime, &start, &vsize, &rss);
	if (n != 5)
		return;
	st->cpu_seconds = (double)(utime + stime) / (double)hz;
	st->start_time_seconds = btime + (double)start / (double)hz;
	st->virtual_bytes = vsize;
	st->resident_bytes = rss * (uint64_t)page;
	st->have_stat = true;
}

static void read_fds(const char *proc, const char *pid, struct selfstat *st)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s/fd", proc, pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	uint64_t n = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	st->open_fds = n;
	st->have_fds = true;
}

static void read_limits(const char *proc, const char *pid, struct selfstat *st)
{
	char buf[LIMITS_BYTES];
	if (!slurp(proc, pid, "limits", buf, sizeof buf))
		return;
	const char *p = strstr(buf, "\nMax open files ");
	unsigned long long soft;
	if (!p || sscanf(p + 16, " %llu", &soft) != 1)
		return; /* absent, or "unlimited" */
	st->max_fds = soft;
	st->have_max_fds = true;
}

void selfstat_read(const char *proc, const char *pid, long ticks_per_s, long page_bytes, struct selfstat *st)
{
	memset(st, 0, sizeof *st);
	read_stat(proc, pid, ticks_per_s, page_bytes, st);
	read_fds(proc, pid, st);
	read_limits(proc, pid, st);
}
