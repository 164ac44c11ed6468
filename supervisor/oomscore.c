/*
 * oomscore.c - the children's oom_score_adj (see oomscore.h).
 */
#include "oomscore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"

#define ADJ_FILE "/proc/self/oom_score_adj"

int oomscore_for(enum shm_child_id id, int parent_adj)
{
	if (parent_adj < OOMSCORE_MIN)
		parent_adj = OOMSCORE_MIN;
	if (parent_adj > OOMSCORE_MAX)
		parent_adj = OOMSCORE_MAX;
	if (id == SHM_CHILD_WORKER)
		return OOMSCORE_MAX;
	return parent_adj + (OOMSCORE_MAX - parent_adj) / 2;
}

int oomscore_own(void)
{
	int v = 0;
	FILE *f = fopen(ADJ_FILE, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

void oomscore_enter(enum shm_child_id id)
{
	int want = oomscore_for(id, oomscore_own());
	char text[16];
	int len = snprintf(text, sizeof text, "%d\n", want);
	int fd = open(ADJ_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)len) != (ssize_t)len)
		log_warn("cannot set oom_score_adj %d: %s", want, strerror(errno));
	if (fd >= 0)
		close(fd);
}
