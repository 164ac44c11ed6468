/*
 * proctitle.c - rewrite argv in place, as nginx does, without moving
 * environ: the title is cut to the space the original arguments had.
 */
#define _GNU_SOURCE
#include "proctitle.h"

#include <string.h>
#include <sys/prctl.h>

static char *title_area;
static size_t title_len;

void proctitle_init(int argc, char **argv)
{
	if (argc < 1 || !argv[0])
		return;
	title_area = argv[0];
	char *end = argv[0] + strlen(argv[0]);
	for (int i = 1; i < argc; i++)
		if (argv[i] == end + 1)
			end = argv[i] + strlen(argv[i]);
	title_len = (size_t)(end - title_area);
}

void proctitle_set(const char *title)
{
	prctl(PR_SET_NAME, title, 0, 0, 0);
	if (!title_area || title_len == 0)
		return;
	size_t n = strlen(title);
	if (n > title_len)
		n = title_len;
	memcpy(title_area, title, n);
	memset(title_area + n, '\0', title_len - n + 1);
}
