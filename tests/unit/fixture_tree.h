/*
 * fixture_tree.h - a throwaway directory tree standing in for /sys,
 * /proc or a cgroup hierarchy: made before a test (a cmocka setup), its
 * files written with their parent directories, removed after. Include
 * after <cmocka.h>.
 */
#ifndef SENSOR_TEST_FIXTURE_TREE_H
#define SENSOR_TEST_FIXTURE_TREE_H

#include <stdio.h>
#include <stdlib.h>

/* The tree's root, "/tmp/NAME.XXXXXX" once made. */
static char fixture_root[256];

/* Make the tree (NAME: the test's). 0, or -1 when mkdtemp fails. */
static inline int fixture_tree_make(const char *name)
{
	snprintf(fixture_root, sizeof fixture_root, "/tmp/%s.XXXXXX", name);
	return mkdtemp(fixture_root) ? 0 : -1;
}

/* Write `text` to the file at `rel` ("/sys/..."), making its parents. */
static inline void fixture_tree_put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	snprintf(path, sizeof path, "%s%s", fixture_root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Remove the tree: system()'s status. */
static inline int fixture_tree_remove(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture_root);
	return system(cmd);
}

#endif
