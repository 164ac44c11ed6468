/*
 * procstat.c - /proc/<pid>/statm: the second field is resident pages.
 */
#include "procstat.h"

#include <stdio.h>
#include <unistd.h>

uint64_t procstat_rss_bytes(pid_t pid)
{
	char path[64];
	unsigned long long size = 0, resident = 0;
	snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2)
		return 0;
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}
